import type { Command } from 'commander';
import { CliError } from '../errors.ts';

// Placeholder until its issue lands: the command exists in --help and says plainly that it is not available yet.
export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description(
      'detect token sharing, scraping and geo spikes in CloudFront standard logs (not implemented yet)',
    )
    .allowUnknownOption()
    .action(() => {
      throw new CliError('detect is not implemented yet', 1);
    });
}
