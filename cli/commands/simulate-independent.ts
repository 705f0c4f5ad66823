import { parseUtcTime } from '@boundless/common/time';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';

interface IndependentFlags {
  out: string;
  seed: string;
  hours: string;
  readers: string;
  start: string;
  mix: string;
  catalog?: string;
  ipv6?: string;
  disorder?: string;
  edgeFiles?: boolean;
}

/** `comic=60,episode=40`: content types by weight; the weights' checks are the simulator's. */
function catalogWeights(text: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const pair of text.split(',')) {
    const match = /^\s*([a-z_]+)\s*=\s*([0-9.]+)\s*$/.exec(pair);
    if (!match)
      throw new CliError(
        `--catalog takes type=weight pairs separated by commas, e.g. comic=60,episode=40; got "${pair}"`,
      );
    weights[match[1]!] = Number(match[2]);
  }
  return weights;
}

function positive(name: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
    throw new CliError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  return value;
}

/** A flag's number from 0 to `most` (undefined when not given); anything else names the flag and what it got. */
function within(name: string, text: string | undefined, what: string, most: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= most))
    throw new CliError(`--${name} must be ${what} between 0 and ${most}, got "${text}"`);
  return value;
}

/** `simulate independent`: the independently modelled population, for checking detectors on unseen traffic. */
export function registerSimulateIndependent(simulate: Command): void {
  simulate
    .command('independent')
    .description(
      'an independently modelled reader population (its own catalog, networks, archetypes and abuse) as hourly ' +
        'CloudFront standard logs, labels.jsonl and population.json',
    )
    .requiredOption('--out <dir>', 'new or empty directory')
    .option('--seed <n>', 'random seed; the same seed gives byte-identical output', '11')
    .option('--hours <h>', 'simulated duration in hours', '36')
    .option('--readers <n>', 'ordinary reader accounts (look-alike and abusive ones come on top)', '4000')
    .option('--start <iso>', 'simulated start time (UTC)', '2026-09-17T00:00:00Z')
    .option('--mix <name>', 'full (readers and abuse) or hard_negative (legitimate archetypes only)', 'full')
    .option(
      '--catalog <mix>',
      "the store's content types by weight, e.g. comic=60,episode=30,ebook=10 (types left out are not stocked; " +
        'default: ebook=45,audiobook=15,comic=15,short_story=15,episode=10)',
    )
    .option(
      '--ipv6 <share>',
      "the share (0-1) of operators' networks that are dual-stack: their subscribers reach the edge over IPv6 " +
        'too, from addresses of the same operator and country (default: 0, IPv4 only)',
    )
    .option(
      '--disorder <seconds>',
      'lines reach each file up to this many seconds after their time, so a file is not in time order ' +
        '(timestamps unchanged; default: 0, in order)',
    )
    .option(
      '--edge-files',
      'one file per edge location an hour, as CloudFront may save several files a period',
    )
    .action(async (flags: IndependentFlags) => {
      const start = new Date(parseUtcTime(flags.start));
      if (Number.isNaN(start.getTime()))
        throw new CliError(`--start must be an ISO-8601 time, got "${flags.start}"`);
      if (flags.mix !== 'full' && flags.mix !== 'hard_negative')
        throw new CliError(`--mix must be full or hard_negative, got "${flags.mix}"`);
      if (!/^\d+$/.test(flags.seed))
        throw new CliError(`--seed must be a non-negative integer, got "${flags.seed}"`);
      const ipv6 = within('ipv6', flags.ipv6, 'a share', 1);
      const disorder = within('disorder', flags.disorder, 'a number of seconds', 3600) ?? 0;
      const { DatasetError, simulateIndependent } = await import('@boundless/datasets/independent');
      const began = Date.now();
      try {
        const result = await simulateIndependent({
          outDir: flags.out,
          seed: Number(flags.seed),
          hours: positive('hours', flags.hours, false),
          readers: positive('readers', flags.readers, true),
          start,
          mix: flags.mix,
          ...(flags.catalog === undefined ? {} : { catalog: catalogWeights(flags.catalog) }),
          ...(ipv6 === undefined ? {} : { ipv6 }),
          delivery: { disorderSeconds: disorder, edgeFiles: flags.edgeFiles === true },
          onProgress: (message) => process.stderr.write(`  ${message}\n`),
        });
        process.stdout.write(
          `wrote ${result.lines.toLocaleString('en-US')} log lines in ${result.files} files, ${result.labels} labels, ` +
            `${result.legitimateAccounts} legitimate accounts (${((Date.now() - began) / 1000).toFixed(1)} s)\n`,
        );
      } catch (error) {
        if (error instanceof DatasetError) throw new CliError(error.message, 2, { cause: error });
        throw error;
      }
    });
}
