import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder until its issue lands: the command exists in --help and says plainly that it is not available yet.
export function registerAnomalies(program: Command): void {
  program
    .command('anomalies')
    .description('score a timestamp,value series for anomalies (not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new CliError('anomalies is not implemented yet', 1);
    });
}
