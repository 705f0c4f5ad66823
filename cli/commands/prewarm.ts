import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';

function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new CliError(`${name} must be a positive number, got "${text}"`);
  return value;
}

function wholeMinutes(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new CliError(`--lead-minutes must be a whole number ≥ 0, got "${text}"`);
  return value;
}

function quantile(text: string): number {
  const value = Number(text);
  if (!(value > 0 && value < 1)) throw new CliError(`--quantile must be between 0 and 1, got "${text}"`);
  return value;
}

interface PlanFlags {
  trace: string;
  durationMs: number;
  leadMinutes: number;
  scale?: number;
  quantile: number;
  out: string;
  scheduleOut?: string;
  functionName: string;
  alias: string;
  allocationMinutes: number;
}

async function writeOutput(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new CliError(`cannot write ${path}`, 2, { cause: error });
  }
}

async function plan(flags: PlanFlags): Promise<void> {
  // Loaded when the command runs, so other commands and --help start without them.
  const { proposeBurstPreparations } = await import('@boundless/copilot/prewarm');
  const { planProvisionedConcurrency } = await import('@boundless/copilot/prewarm');
  const { toScheduledActions } = await import('@boundless/copilot/prewarm');
  const { loadTrafficTrace, scaleTraffic } = await import('@boundless/datasets/traffic');
  const trace = await loadTrafficTrace(flags.trace).catch((error: unknown) => {
    throw new CliError(error instanceof Error ? error.message : String(error), 2, { cause: error });
  });
  const minutes =
    flags.scale === undefined ? trace.minutes : scaleTraffic(trace.minutes, flags.scale, { mode: 'linear' });
  const started = performance.now();
  const result = planProvisionedConcurrency(minutes, {
    durationMs: flags.durationMs,
    leadMinutes: flags.leadMinutes,
    quantile: flags.quantile,
  });
  const lines = ['timestamp,provisioned_concurrency'];
  result.capacity.forEach((value, row) => {
    lines.push(`${result.timestamps[row]},${value}`);
  });
  await writeOutput(flags.out, `${lines.join('\n')}\n`);
  let summary = `planned ${minutes.length} minutes in ${(performance.now() - started).toFixed(0)} ms (skipped ${trace.skipped.length} bad rows, ${result.forecast.blind} minutes without history); peak ${Math.max(0, ...result.capacity)}`;
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
      quantile: flags.quantile,
      scheduledActions: actions,
      ...proposals,
    };
    await writeOutput(flags.scheduleOut, `${JSON.stringify(document, null, 2)}\n`);
    summary += `; ${actions.length} scheduled actions, ${proposals.bursts.length} bursts`;
  }
  process.stderr.write(`${summary}\n`);
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
    .requiredOption('--lead-minutes <n>', 'minutes between deciding and needing capacity', wholeMinutes)
    .option('--scale <k>', 'multiply requests and peak_rps by k', (v) => positiveNumber('--scale', v))
    .option('--quantile <q>', 'forecast quantile of peak concurrency to provision', quantile, 0.9)
    .requiredOption('--out <csv>', 'output: timestamp,provisioned_concurrency')
    .option(
      '--schedule-out <json>',
      'also write Application Auto Scaling scheduled actions and burst proposals',
    )
    .option('--function-name <name>', 'Lambda function for the scheduled actions', 'boundless-access')
    .option('--alias <alias>', 'Lambda alias carrying provisioned concurrency', 'live')
    .option('--allocation-minutes <n>', 'request increases this long before they are needed', wholeMinutes, 3)
    .action(plan);
}
