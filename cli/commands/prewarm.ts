import { readFile } from 'node:fs/promises';
import { parseUtcTime } from '@boundless/common/time';
import type { Command } from 'commander';
import type { TraceGaps } from '@boundless/copilot/prewarm';
import { CliError, readFailure } from '../errors.ts';
import { writeOutput } from '../output.ts';
import { csvCell } from '../io/csv-cell.ts';

// Stated here too so that --help needs no copilot module; planner.ts holds the reasoning behind it.
const DEFAULT_COLD_START_COST = 20;

function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new CliError(`${name} must be a positive number, got "${text}"`);
  return value;
}

function wholeNumber(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0)
      throw new CliError(`${name} must be a whole number ≥ 0, got "${text}"`);
    return value;
  };
}

/** The simulator's own bound, in the flag's words (its check would answer in the options' names). */
function daysToSimulate(text: string): number {
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1 || days > 62)
    throw new CliError(`--days must be a whole number of days from 1 to 62, got "${text}"`);
  return days;
}

interface PlanFlags {
  trace: string;
  durationMs: number;
  leadMinutes: number;
  scale?: number;
  coldStartCost: number;
  keepAliveMinutes: number;
  events?: string;
  out: string;
  scheduleOut?: string;
  functionName: string;
  alias: string;
  allocationMinutes: number;
}

function usageError(error: unknown): never {
  throw new CliError(error instanceof Error ? error.message : String(error), 2, { cause: error });
}

/** A release calendar file (`start` column of ISO-8601 times): its starts, or a usage error naming the line. */
export async function readEventCalendar(path: string): Promise<number[]> {
  const { parseEventCalendar } = await import('@boundless/copilot/prewarm');
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new CliError(`cannot read ${path}: ${readFailure(error)}`, 2, { cause: error });
  });
  try {
    return parseEventCalendar(text);
  } catch (error) {
    // The parser knows the line, not the file: with two CSV flags on one command the user needs both.
    throw new CliError(`${path}: ${error instanceof Error ? error.message : String(error)}`, 2, {
      cause: error,
    });
  }
}

/**
 * One output row per input row (DESIGN §4.2), in input order: each row is answered with its minute's plan (a
 * repeated timestamp with that minute's, a row out of order with its own minute's), and a row the planner could
 * not use (unreadable) with the capacity of the row before it, since provisioned concurrency stays until
 * changed. Every timestamp is echoed as written, quoted where needed (`Sun, 08 Mar 2026 02:30:00 GMT`).
 */
export function planRows(
  rows: readonly { timestamp: string; minute: number }[],
  capacity: ArrayLike<number>,
): string[] {
  let inForce = 0;
  return rows.map(({ timestamp, minute }) => {
    if (minute >= 0) inForce = capacity[minute]!;
    return `${csvCell(timestamp)},${inForce}`;
  });
}

/**
 * Minutes the trace has no row for get no plan row either, so a schedule holds the row before them, busy or
 * not: said, with how to plan them as idle instead.
 */
function gapsNote(gaps: TraceGaps): string {
  if (gaps.gaps === 0) return '';
  const longest =
    gaps.longestMinutes >= 120 ? `${(gaps.longestMinutes / 60).toFixed(1)} h` : `${gaps.longestMinutes} min`;
  return (
    `; ${gaps.missingMinutes} minutes without a row in ${gaps.gaps} gap${gaps.gaps === 1 ? '' : 's'} (the longest ` +
    `${longest}): a schedule holds the row before each; write idle minutes as zero rows to plan them as idle`
  );
}

async function plan(flags: PlanFlags): Promise<void> {
  // Loaded when the command runs, so other commands and --help start without them.
  const {
    DEFAULT_MAX_CAPACITY,
    environmentMinuteDollars,
    gapsOf,
    planProvisionedConcurrency,
    proposeBurstPreparations,
    scaleAudiences,
    toScheduledActions,
  } = await import('@boundless/copilot/prewarm');
  const { loadTrafficTrace } = await import('@boundless/datasets/traffic');
  const trace = await loadTrafficTrace(flags.trace).catch(usageError);
  const minutes = flags.scale === undefined ? trace.minutes : scaleAudiences(trace.minutes, flags.scale);
  const events = flags.events === undefined ? [] : await readEventCalendar(flags.events);
  const started = performance.now();
  const result = planProvisionedConcurrency(minutes, {
    durationMs: flags.durationMs,
    leadMinutes: flags.leadMinutes,
    coldStartCost: flags.coldStartCost,
    keepAliveMinutes: flags.keepAliveMinutes,
    events,
  });
  const rows = planRows(trace.rows, result.capacity);
  await writeOutput(flags.out, `${['timestamp,provisioned_concurrency', ...rows].join('\n')}\n`);
  const total = result.capacity.reduce((sum, value) => sum + value, 0);
  const capped = result.capacity.filter((value) => value >= DEFAULT_MAX_CAPACITY).length;
  let summary =
    `planned ${minutes.length} minutes in ${(performance.now() - started).toFixed(0)} ms ` +
    `(${trace.skipped.length} bad rows skipped, written with the plan in force before them; ` +
    `${trace.duplicates} rows repeating a minute, answered with its plan; ${trace.reordered} rows out of time order, sorted; ` +
    `${result.blind} minutes without history); ` +
    `mean ${(total / Math.max(1, minutes.length)).toFixed(1)}, peak ${Math.max(0, ...result.capacity)}` +
    (capped > 0 ? ` (${capped} minutes at the cap of ${DEFAULT_MAX_CAPACITY} environments)` : '') +
    '; ' +
    `a cold start valued at ${flags.coldStartCost} idle environment-minutes ` +
    `($${(flags.coldStartCost * environmentMinuteDollars(1024)).toFixed(4)} at 1024 MB)` +
    (flags.events === undefined ? '' : `; ${events.length} scheduled events from ${flags.events}`) +
    gapsNote(gapsOf(trace.minutes));
  if (flags.scheduleOut) {
    const actions = toScheduledActions(result.times, result.capacity, {
      functionName: flags.functionName,
      alias: flags.alias,
      allocationMinutes: Math.min(flags.allocationMinutes, flags.leadMinutes),
    });
    const proposals = proposeBurstPreparations(minutes, { leadMinutes: flags.leadMinutes });
    const document = {
      kind: 'prewarm_schedule',
      trace: flags.trace,
      scale: flags.scale ?? 1,
      coldStartCost: flags.coldStartCost,
      scheduledActions: actions,
      ...proposals,
    };
    await writeOutput(flags.scheduleOut, `${JSON.stringify(document, null, 2)}\n`);
    summary += `; ${actions.length} scheduled actions, ${proposals.bursts.length} bursts`;
  }
  process.stderr.write(`${summary}\n`);
}

interface SimulateFlags {
  seed: number;
  days: number;
  start: string;
  out: string;
  eventsOut?: string;
}

async function simulate(flags: SimulateFlags): Promise<void> {
  const start = new Date(parseUtcTime(flags.start));
  if (Number.isNaN(start.getTime()))
    throw new CliError(`--start must be an ISO-8601 time, got "${flags.start}"`);
  const { simulateMinuteTraffic, minuteTrafficCsv } = await import('@boundless/datasets/minute-traffic');
  const { DatasetError } = await import('@boundless/datasets/simulator');
  let traffic: ReturnType<typeof simulateMinuteTraffic>;
  try {
    traffic = simulateMinuteTraffic({ seed: flags.seed, days: flags.days, start });
  } catch (error) {
    if (error instanceof DatasetError) usageError(error);
    throw error;
  }
  await writeOutput(flags.out, minuteTrafficCsv(traffic.minutes));
  const { parameters } = traffic;
  if (flags.eventsOut) {
    // The calendar a publisher would have: when each release was scheduled, not how big it turned out.
    const rows = parameters.releases.map((release) => `${release.at},release`);
    await writeOutput(flags.eventsOut, `${['start,kind', ...rows].join('\n')}\n`);
  }
  const requests = traffic.minutes.reduce((sum, m) => sum + m.requests, 0);
  process.stderr.write(
    `wrote ${traffic.minutes.length} minutes, ${(requests / (traffic.minutes.length * 60)).toFixed(1)} req/s on average: ` +
      `${parameters.readers} readers in ${parameters.markets.map((m) => m.country).join(', ')}; ` +
      `releases ${parameters.releases.map((r) => `${r.at} ×${r.boost.toFixed(1)}`).join(', ')}\n`,
  );
}

export function registerPrewarm(program: Command): void {
  const prewarm = program
    .command('prewarm')
    .description('forecast demand and pre-warm Lambda provisioned concurrency');
  prewarm
    .command('plan')
    .description(
      'plan provisioned concurrency per minute from a per-minute trace (row t uses rows ≤ t − lead)',
    )
    .requiredOption('--trace <csv>', 'per-minute trace: timestamp,requests[,peak_rps]')
    .requiredOption('--duration-ms <ms>', 'mean request duration', (v) => positiveNumber('--duration-ms', v))
    .requiredOption(
      '--lead-minutes <n>',
      'minutes between deciding and needing capacity',
      wholeNumber('--lead-minutes'),
    )
    .option(
      '--scale <k>',
      'plan for k independent audiences like the trace’s: requests ×k, busiest-second excess ×√k',
      (v) => positiveNumber('--scale', v),
    )
    .option(
      '--cold-start-cost <minutes>',
      'what one cold start is worth, in minutes of one idle provisioned environment',
      (v) => positiveNumber('--cold-start-cost', v),
      DEFAULT_COLD_START_COST,
    )
    .option(
      '--keep-alive-minutes <n>',
      'how long Lambda keeps idle on-demand environments warm',
      (v) => positiveNumber('--keep-alive-minutes', v),
      10,
    )
    .option(
      '--events <csv>',
      'release calendar: a CSV with a start column (ISO-8601); the minutes after each release are raised by what earlier ones did',
    )
    .requiredOption('--out <csv>', 'output: timestamp,provisioned_concurrency')
    .option(
      '--schedule-out <json>',
      'also write Application Auto Scaling scheduled actions and burst proposals',
    )
    .option('--function-name <name>', 'Lambda function for the scheduled actions', 'boundless-access')
    .option('--alias <alias>', 'Lambda alias carrying provisioned concurrency', 'live')
    .option(
      '--allocation-minutes <n>',
      'request increases this long before they are needed',
      wholeNumber('--allocation-minutes'),
      3,
    )
    .action(plan);
  prewarm
    .command('simulate')
    .description('write a per-minute trace of simulated readers with release-day bursts')
    .requiredOption('--out <csv>', 'output: timestamp,requests,peak_rps')
    .option(
      '--seed <n>',
      'random seed; every knob is drawn from its range per seed',
      wholeNumber('--seed'),
      1,
    )
    .option('--days <n>', 'days to simulate (1 to 62)', daysToSimulate, 28)
    .option('--start <iso>', 'first minute (UTC)', '2026-11-02T00:00:00Z')
    .option('--events-out <csv>', 'also write the release calendar (start,kind), for prewarm plan --events')
    .action(simulate);
}
