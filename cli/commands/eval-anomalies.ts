import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DetectorResult, LeaveOneOutResult } from '../eval/anomalies-nab.ts';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_DATA = resolve(PROJECT_ROOT, '../shared/data/nab');

const fixed = (value: number) => value.toFixed(3);

function formatAnomalyTable(results: readonly DetectorResult[]): string {
  const header = [
    '',
    'detector',
    'threshold',
    'precision',
    'recall',
    'F1',
    'alarm clusters',
    'true',
    'windows caught',
  ];
  const rows = results.map((r) => [
    r.ours ? '*' : '',
    r.detector,
    fixed(r.threshold),
    fixed(r.precision),
    fixed(r.recall),
    fixed(r.f1),
    String(r.clusters),
    String(r.trueClusters),
    `${r.caughtWindows}/${r.windows}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i <= 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

function formatLeaveOneOut(loo: LeaveOneOutResult): string {
  const p = loo.chosenOnAll;
  const choices = new Map<string, number>();
  for (const fold of loo.folds) {
    const key = `surprise ${fold.chosen.surpriseUnits}, novelty ${fold.chosen.noveltyUnits}, refractory ${fold.chosen.refractoryHours} h, rank ${fold.chosen.robustRank}${fold.chosen.scaleRank ? ' scaled' : ''}`;
    choices.set(key, (choices.get(key) ?? 0) + 1);
  }
  return [
    `leave-one-file-out (parameters chosen on 16 files, scored on the 17th, tallies summed): ` +
      `precision ${fixed(loo.precision)}, recall ${fixed(loo.recall)}, F1 ${fixed(loo.f1)}`,
    `  whole-benchmark choice: surprise ${p.surpriseUnits}, novelty ${p.noveltyUnits}, refractory ${p.refractoryHours} h, rank ${p.robustRank}${p.scaleRank ? ' scaled' : ''} (F1 ${fixed(loo.chosenOnAllF1)})`,
    ...[...choices].map(([key, count]) => `  chosen in ${count} of ${loo.folds.length} folds: ${key}`),
  ].join('\n');
}

interface EvalFlags {
  data: string;
  json?: string;
  loo: boolean;
}

async function evaluate(flags: EvalFlags): Promise<void> {
  // Loaded when the command runs, so other commands and --help start without them.
  const { evaluateOurs, evaluatePublished, leaveOneFileOut, loadNabBenchmark, rankByF1 } = await import(
    '../eval/anomalies-nab.ts'
  );
  const { NabDataError } = await import('@boundless/datasets/nab');
  let results: DetectorResult[];
  let withRefractory: DetectorResult[];
  let loo: LeaveOneOutResult | undefined;
  try {
    const benchmark = loadNabBenchmark(flags.data);
    const ours = evaluateOurs(benchmark);
    results = rankByF1([ours, ...evaluatePublished(flags.data, benchmark)]);
    withRefractory = rankByF1([
      ours,
      ...evaluatePublished(flags.data, benchmark, { refractoryMs: 24 * 3_600_000 }).map((r) => ({
        ...r,
        detector: `${r.detector} +24h refractory`,
      })),
    ]);
    if (flags.loo) loo = leaveOneFileOut(benchmark);
  } catch (error) {
    if (error instanceof NabDataError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
  const ours = results.find((r) => r.ours)!;
  const bestOther = results.find((r) => !r.ours);
  process.stdout.write(
    [
      `NAB realAWSCloudwatch, ${Object.keys(ours.perFile).length} files, ${ours.windows} windows; first 15 % of each file (probation) excluded for every detector;`,
      'a window is caught by any alarm inside it; alarms within one hour of a cluster’s first alarm count once; a cluster with no alarm in a window is a false positive',
      formatAnomalyTable(results),
      bestOther
        ? `ours (*) F1 ${fixed(ours.f1)} vs best published ${bestOther.detector} ${fixed(bestOther.f1)}: ${ours.f1 > bestOther.f1 ? 'above' : 'NOT above'}`
        : '',
      '',
      'sensitivity: the published detectors with our one-alarm-per-24h policy applied to their alarms',
      formatAnomalyTable(withRefractory),
      ...(loo ? ['', formatLeaveOneOut(loo)] : []),
    ].join('\n') + '\n',
  );
  if (flags.json) {
    const document = { data: flags.data, results, withRefractory, leaveOneFileOut: loo };
    await writeFile(flags.json, `${JSON.stringify(document, null, 2)}\n`).catch((error: unknown) => {
      throw new CliError(`cannot write ${flags.json}`, 2, { cause: error });
    });
  }
}

export function registerEvalAnomalies(program: Command): void {
  program
    .command('anomalies')
    .description(
      'window precision, recall and F1 of our detector and every published NAB detector on NAB realAWSCloudwatch',
    )
    .option('--data <dir>', 'NAB directory (data/, labels/, results/, thresholds.json)', DEFAULT_DATA)
    .option('--json <out>', 'also write the evaluation as JSON')
    .option('--no-loo', 'skip the leave-one-file-out check of the global parameters')
    .action(evaluate);
}
