import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder until its issue lands: the command exists in --help and says plainly that it is not available yet.
export function registerEvalAbuse(program: Command): void {
  program
    .command('abuse')
    .description('evaluate abuse detection on labelled scenarios (not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('abuse is not implemented yet', 1);
    });
}
