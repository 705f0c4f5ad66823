import { parseUtcTime } from '@boundless/common/time';
import type { Command } from 'commander';
import type { ScenarioKind } from '@boundless/datasets/simulator';
import { CliError, writeFailure } from '../errors.ts';
import { registerSimulateIndependent } from './simulate-independent.ts';

const KINDS: readonly ScenarioKind[] = ['token_sharing', 'scraping', 'geo_spike'];

interface SimulateFlags {
  out?: string;
  seed: string;
  hours: string;
  readers: string;
  scenarios: string;
  start?: string;
  population: string;
  widen?: boolean;
}

function integer(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`--${name} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

function scenarioList(text: string): 'all' | 'none' | ScenarioKind[] {
  if (text === 'all' || text === 'none') return text;
  const kinds = text.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !KINDS.includes(k as ScenarioKind));
  if (unknown.length > 0) {
    throw new CliError(
      `unknown scenario kind ${unknown.join(', ')}; use all, none or a list of ${KINDS.join(', ')}`,
    );
  }
  return kinds as ScenarioKind[];
}

export function registerSimulate(program: Command): void {
  const simulate = program.command('simulate');
  registerSimulateIndependent(simulate);
  simulate
    .description('generate labelled reader and abuse traffic as hourly CloudFront standard log files')
    .option(
      '--out <dir>',
      'new or empty directory for the .gz logs, labels.jsonl and scenarios.json (required)',
    )
    .option('--seed <n>', 'random seed; the same seed gives byte-identical output', '1')
    .option('--hours <h>', 'simulated duration in hours', '6')
    .option('--readers <n>', 'number of reader accounts', '4000')
    .option('--scenarios <list>', `all, none, or a comma list of ${KINDS.join(', ')}`, 'all')
    .option('--start <iso>', 'simulated start time (UTC)', '2026-11-02T00:00:00Z')
    .option(
      '--population <name>',
      'archetype ranges, catalog style and mix: development, validation or hard_negative (legitimate readers only)',
      'development',
    )
    .option(
      '--widen',
      "the development stress ranges: development ranges widened to [a/2, 2b] under the population's mix",
    )
    .action(async (flags: SimulateFlags) => {
      // Checked here rather than by commander: a required option of this command would be demanded of its
      // `independent` subcommand too.
      if (!flags.out) throw new CliError("required option '--out <dir>' not specified");
      const hours = Number(flags.hours);
      if (!Number.isFinite(hours) || hours <= 0)
        throw new CliError(`--hours must be a positive number, got "${flags.hours}"`);
      const start = new Date(parseUtcTime(flags.start ?? ''));
      if (Number.isNaN(start.getTime()))
        throw new CliError(`--start must be an ISO-8601 time, got "${flags.start}"`);
      // Loaded when the command runs, so other commands and --help start without the simulator.
      const { DatasetError } = await import('@boundless/datasets/simulator');
      const { simulateToFiles } = await import('@boundless/datasets/simulator');
      if (!['development', 'validation', 'hard_negative'].includes(flags.population))
        throw new CliError(
          `--population must be development, validation or hard_negative, got "${flags.population}"`,
        );
      const began = Date.now();
      try {
        const result = await simulateToFiles({
          outDir: flags.out,
          seed: integer('seed', flags.seed),
          durationHours: hours,
          readers: integer('readers', flags.readers),
          scenarios: scenarioList(flags.scenarios),
          population: flags.population as 'development' | 'validation' | 'hard_negative',
          widen: flags.widen === true,
          start,
          onProgress: ({ lines, simulatedTime }) => {
            process.stderr.write(
              `  ${lines.toLocaleString('en-US')} lines, at ${simulatedTime.toISOString()}\n`,
            );
          },
        });
        const seconds = (Date.now() - began) / 1000;
        process.stdout.write(
          `wrote ${result.lines.toLocaleString('en-US')} log lines in ${result.logFiles.length} hourly files, ` +
            `${result.labels} labels (${seconds.toFixed(1)} s, ${Math.round(result.lines / Math.max(seconds, 0.001)).toLocaleString('en-US')} lines/s)\n` +
            `  labels:    ${result.labelsFile}\n  scenarios: ${result.scenariosFile}\n`,
        );
      } catch (error) {
        if (error instanceof DatasetError) {
          // The reason sits in the cause (the directory is a file, cannot be made): say it with the message.
          const cause = (error.cause as NodeJS.ErrnoException | undefined)?.code
            ? `: ${writeFailure(error.cause)}`
            : '';
          throw new CliError(`${error.message}${cause}`, 2, { cause: error });
        }
        throw error;
      }
    });
}
