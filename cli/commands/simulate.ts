import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder until its issue lands: the command exists in --help and says plainly that it is not available yet.
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('generate labelled reader and abuse traffic as CloudFront logs (not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('simulate is not implemented yet', 1);
    });
}
