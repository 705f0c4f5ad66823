import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder until its issue lands: the command exists in --help and says plainly that it is not available yet.
export function registerPrewarm(program: Command): void {
  program
    .command('prewarm')
    .description('plan provisioned concurrency ahead of forecast demand (not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('prewarm is not implemented yet', 1);
    });
}
