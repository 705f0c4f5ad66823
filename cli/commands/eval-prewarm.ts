import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PrewarmEvaluation } from '../eval/prewarm.ts';
// Eager for the --trace default in the help text; the module is small and imports no packages.
import { DEFAULT_TRAFFIC_TRACE } from '@boundless/datasets/traffic';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_TRACE = resolve(PROJECT_ROOT, '../shared/data', DEFAULT_TRAFFIC_TRACE);

function positiveNumber(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0)
      throw new CliError(`${name} must be a positive number, got "${text}"`);
    return value;
  };
}

const money = (value: number) => `$${value.toFixed(2)}`;

function formatEvaluation(evaluation: PrewarmEvaluation): string {
  const { settings } = evaluation;
  const header = ['strategy', 'cold starts', 'total', 'provisioned', 'on-demand', 'requests', 'utilisation'];
  const rows = evaluation.results.map((r) => [
    r.policy,
    String(r.coldStarts),
    money(r.totalCost),
    money(r.provisionedCost),
    money(r.onDemandCost),
    money(r.requestCost),
    Number.isNaN(r.utilisation) ? '-' : `${(r.utilisation * 100).toFixed(1)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const tracking = evaluation.results[2]!;
  const ours = evaluation.results[3]!;
  return [
    `trace ×${settings.scale} (${settings.peakModel} busiest second, ${settings.trendMinutes}-min trend), ${settings.durationMs} ms, ${settings.memoryMb} MB, keep-alive ${settings.keepAliveMinutes} min; ` +
      `warm-up ${settings.warmupDays} days not counted, ${evaluation.evaluatedMinutes} minutes evaluated`,
    line(header),
    ...rows.map(line),
    `ours at target tracking's cost: ${Math.round(evaluation.oursColdStartsAtTargetTrackingCost)} cold starts ` +
      `(target tracking ${tracking.coldStarts}, ratio ${(evaluation.oursColdStartsAtTargetTrackingCost / tracking.coldStarts).toFixed(2)})`,
    `ours at a quarter of target tracking's cold starts (${Math.round(tracking.coldStarts / 4)}): ` +
      `${money(evaluation.oursCostAtQuarterOfTargetTracking)} ` +
      `(${((evaluation.oursCostAtQuarterOfTargetTracking / tracking.totalCost - 1) * 100).toFixed(1)}% above target tracking)`,
    `oracle at our ${ours.coldStarts} cold starts: ${money(evaluation.oracleCostAtOurColdStarts)} ` +
      `(ours ${money(ours.totalCost)}, +${((ours.totalCost / evaluation.oracleCostAtOurColdStarts - 1) * 100).toFixed(1)}%)`,
    `quantile sweep (ours): ${evaluation.oursCurve.map((p) => `p${p.setting * 100} ${p.coldStarts}/${money(p.totalCost)}`).join(', ')}`,
    `level sweep (oracle): ${evaluation.oracleCurve.map((p) => `${p.setting}× ${p.coldStarts}/${money(p.totalCost)}`).join(', ')}`,
  ].join('\n');
}

interface EvalFlags {
  trace: string;
  scale?: number;
  durationMs?: number;
  leadMinutes?: number;
  quantile?: number;
  floorQuantile?: number;
  peakModel?: 'pooled' | 'audience';
  trendMinutes?: number;
  json?: string;
}

async function evaluate(flags: EvalFlags): Promise<void> {
  // Loaded when the command runs, so other commands and --help start without them.
  const { evaluatePrewarming } = await import('../eval/prewarm.ts');
  const { loadTrafficTrace } = await import('@boundless/datasets/traffic');
  const trace = await loadTrafficTrace(flags.trace).catch((error: unknown) => {
    throw new CliError(error instanceof Error ? error.message : String(error), 2, { cause: error });
  });
  const evaluation = evaluatePrewarming(trace.minutes, {
    scale: flags.scale,
    durationMs: flags.durationMs,
    leadMinutes: flags.leadMinutes,
    quantile: flags.quantile,
    floorQuantile: flags.floorQuantile,
    peakModel: flags.peakModel,
    trendMinutes: flags.trendMinutes,
  });
  process.stdout.write(`${formatEvaluation(evaluation)}\n`);
  if (flags.json) {
    await writeFile(
      flags.json,
      `${JSON.stringify({ skippedRows: trace.skipped.length, ...evaluation }, null, 2)}\n`,
    ).catch((error: unknown) => {
      throw new CliError(`cannot write ${flags.json}`, 2, { cause: error });
    });
  }
}

export function registerEvalPrewarm(program: Command): void {
  program
    .command('prewarm')
    .description(
      'compare pre-warming strategies on a real per-minute trace in a Lambda environment simulator',
    )
    .option('--trace <csv>', 'per-minute trace: timestamp,requests[,peak_rps]', DEFAULT_TRACE)
    .option(
      '--scale <k>',
      'size of the simulated service relative to the trace (default 400)',
      positiveNumber('--scale'),
    )
    .option('--duration-ms <ms>', 'request duration (default 200)', positiveNumber('--duration-ms'))
    .option('--lead-minutes <n>', 'planning lead (default 10)', (v) =>
      Math.round(positiveNumber('--lead-minutes')(v)),
    )
    .option('--quantile <q>', 'our plan’s forecast quantile (default 0.9)', positiveNumber('--quantile'))
    .option(
      '--floor-quantile <q>',
      'plan quantile used as a scheduled minimum under target tracking (default 0.8)',
      positiveNumber('--floor-quantile'),
    )
    .option(
      '--peak-model <model>',
      'busiest second of the scaled service: pooled (default) or audience (√k × this audience’s)',
      (v: string) => {
        if (v !== 'pooled' && v !== 'audience') throw new CliError(`--peak-model must be pooled or audience`);
        return v;
      },
    )
    .option('--trend-minutes <n>', 'trailing trend window of the scaling (default 15)', (v) =>
      Math.round(positiveNumber('--trend-minutes')(v)),
    )
    .option('--json <out>', 'also write the evaluation as JSON')
    .action(evaluate);
}
