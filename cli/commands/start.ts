import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder until its issue lands: the command exists in --help and says plainly that it is not available yet.
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the whole system locally (not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('start is not implemented yet', 1);
    });
}
