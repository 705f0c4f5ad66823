import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LeaveOneCategoryOut } from '../eval/anomalies-loco.ts';
import type { DetectorRun, NabBenchmark, ScorerReproduction, SetScore } from '../eval/anomalies-nab.ts';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { writeOutput } from '../output.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The shipped NAB data, beside the project (`../shared/data/nab`). */
export const DEFAULT_NAB_DATA = resolve(PROJECT_ROOT, '../shared/data/nab');

type Metric = 'f1' | 'nab' | 'both';

interface Row {
  detector: string;
  ours: boolean;
  score: SetScore;
  /** The detector's NAB score as published (its per-file published scores), when it has them all. */
  published?: number;
}

function table(rows: readonly Row[], metric: Metric): string {
  const header = ['', 'detector'];
  if (metric !== 'nab') header.push('F1', 'precision', 'recall', 'windows', 'alarm clusters');
  const withPublished = rows.some((row) => row.published !== undefined);
  if (metric !== 'f1') header.push('NAB', ...(withPublished ? ['NAB published'] : []));
  const cells = rows.map((row) => {
    const s = row.score;
    const line = [row.ours ? '*' : '', row.detector];
    if (metric !== 'nab')
      line.push(
        s.f1.toFixed(3),
        s.precision.toFixed(3),
        s.recall.toFixed(3),
        `${s.caughtWindows}/${s.windows}`,
        `${s.clusters} (${s.trueClusters} true)`,
      );
    if (metric !== 'f1')
      line.push(
        s.nab.toFixed(1),
        ...(withPublished ? [row.published === undefined ? '–' : row.published.toFixed(1)] : []),
      );
    return line;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((line) => line[i]!.length)));
  const format = (line: string[]) =>
    line.map((cell, i) => (i <= 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [format(header), ...cells.map(format)].join('\n');
}

function rank(rows: Row[], metric: Metric): Row[] {
  return rows.sort((a, b) =>
    metric === 'f1'
      ? b.score.f1 - a.score.f1 || b.score.nab - a.score.nab
      : b.score.nab - a.score.nab || b.score.f1 - a.score.f1,
  );
}

function verdict(ours: SetScore, others: readonly Row[], metric: Metric): string {
  const parts: string[] = [];
  const bestF1 = others.reduce((best, row) => (row.score.f1 > best.score.f1 ? row : best));
  const bestNab = others.reduce((best, row) => (row.score.nab > best.score.nab ? row : best));
  if (metric !== 'nab')
    parts.push(
      `F1 ${ours.f1.toFixed(3)} vs best published ${bestF1.detector} ${bestF1.score.f1.toFixed(3)}: ${ours.f1 > bestF1.score.f1 ? 'above' : 'NOT above'}`,
    );
  if (metric !== 'f1')
    parts.push(
      `NAB ${ours.nab.toFixed(1)} vs best published ${bestNab.detector} ${bestNab.score.nab.toFixed(1)}: ${ours.nab > bestNab.score.nab ? 'above' : 'NOT above'}`,
    );
  return parts.join('; ');
}

const describePoint = (point: object) =>
  Object.entries(point)
    .map(([key, value]) => `${key} ${key.endsWith('Ms') ? `${value / 3_600_000} h` : value}`)
    .join(', ');

interface Report {
  benchmark: NabBenchmark;
  published: { run: DetectorRun; scores: Map<string, SetScore>; asPublished: Map<string, number> }[];
  loco?: LeaveOneCategoryOut;
  development: Map<string, SetScore>;
  /** The defaults' anomaly_score thresholded as an outside scorer may read it. */
  thresholded: { threshold: number; scores: Map<string, SetScore> }[];
  reproduction: ScorerReproduction;
}

function scorerCheck(reproduction: ScorerReproduction): string {
  const detectors = [...reproduction.perDetector];
  const exact = detectors.filter(([, error]) => error < 1e-6);
  const worstExact = Math.max(0, ...exact.map(([, error]) => error));
  const others = detectors
    .filter(([, error]) => error >= 1e-6)
    .map(([detector, error]) => `${detector} within ${error.toFixed(3)}`);
  const unmatched = reproduction.unmatched.map((row) => `${row.detector} ${row.file}`);
  return (
    `Scorer check against the published per-file standard scores (${reproduction.compared} files): ` +
    `${exact.length} of ${detectors.length} detectors exact (largest error ${worstExact.toExponential(0)})` +
    (others.length > 0 ? `; ${others.join(', ')}` : '') +
    (unmatched.length > 0
      ? `; not comparable (published from another run than the shipped output): ${unmatched.join(', ')}`
      : '')
  );
}

function render(report: Report, metric: Metric): string {
  const { benchmark, published, loco, development, thresholded, reproduction } = report;
  const windows = [...benchmark.windows.entries()]
    .filter(([file]) => benchmark.series.has(file))
    .reduce((sum, [, list]) => sum + list.length, 0);
  const c = benchmark.cost;
  const out = [
    `NAB, ${benchmark.categories.length} categories, ${benchmark.files.length} files, ${windows} labelled windows; the first 15 % of each file (at most 750 rows) is probation for every detector.`,
    ...(metric === 'nab'
      ? []
      : [
          `Window F1: a window is caught by any alarm inside it; alarms within an hour of a cluster's first alarm count once; a cluster outside every window is a false positive.`,
        ]),
    ...(metric === 'f1'
      ? []
      : [
          `NAB: standard profile (A_TP ${c.tpWeight}, A_FP ${c.fpWeight}, A_FN ${c.fnWeight}), normalised per category between the null detector (0) and the perfect one (100).`,
        ]),
    scorerCheck(reproduction),
    '',
  ];
  for (const category of benchmark.categories) {
    const others: Row[] = published.map(({ run, scores, asPublished }) => ({
      detector: run.detector,
      ours: false,
      score: scores.get(category)!,
      published: asPublished.get(category),
    }));
    const fold = loco?.folds.find((candidate) => candidate.category === category);
    const ours = fold?.validation ?? development.get(category)!;
    const label = fold
      ? 'validation: parameters chosen on the other categories'
      : 'development: the shipped defaults';
    out.push(`== ${category} (${label})`);
    if (fold) {
      const { threshold, validation } = fold.nabThreshold;
      out.push(
        `   chosen: ${describePoint(fold.chosen)}`,
        `   NAB's threshold optimiser on the other categories: anomaly_score ≥ ${threshold.toFixed(2)}` +
          `${threshold === 0.5 ? ' (the is_anomaly rows)' : ''}: NAB ${validation.nab.toFixed(1)}, F1 ${validation.f1.toFixed(3)} here`,
      );
      const figures = (score: SetScore) => `F1 ${score.f1.toFixed(3)} / NAB ${score.nab.toFixed(1)}`;
      if (fold.ties.length > 0)
        out.push(
          `   ties on the other categories, decided by the grid's order, would give here: ${[...new Set(fold.ties.map(figures))].join(', ')}`,
        );
      if (fold.rival)
        out.push(
          `   margin: chosen at ${fold.developmentObjective.toFixed(4)} on the other categories; the best lower point with other figures here at ` +
            `${fold.rival.objective.toFixed(4)} (${figures(fold.rival.validation)} here)`,
        );
    }
    out.push(table(rank([{ detector: 'boundless', ours: true, score: ours }, ...others], metric), metric));
    out.push(`   ours: ${verdict(ours, others, metric)}`, '');
  }
  out.push('Development (in-sample): the shipped defaults on every category');
  const rows: Row[] = benchmark.categories.map((category) => ({
    detector: category,
    ours: true,
    score: development.get(category)!,
  }));
  out.push(table(rows, metric));
  out.push(
    '',
    'anomaly_score thresholded instead of is_anomaly (development; 0.5 gives exactly the is_anomaly rows)',
  );
  const thresholdRows: Row[] = thresholded.flatMap(({ threshold, scores }) =>
    benchmark.categories.map((category) => ({
      detector: `score ≥ ${threshold.toFixed(2)}  ${category}`,
      ours: threshold === 0.5,
      score: scores.get(category)!,
    })),
  );
  out.push(table(thresholdRows, metric));
  if (loco)
    out.push(
      `Leave-one-category-out over ${loco.gridSize} grid points; chosen on all categories together: ${describePoint(loco.chosenOnAll)}`,
    );
  return `${out.join('\n')}\n`;
}

interface EvalFlags {
  data: string;
  json?: string;
  loo: boolean;
  metric: string;
}

async function evaluate(flags: EvalFlags): Promise<void> {
  if (!['f1', 'nab', 'both'].includes(flags.metric))
    throw new CliError(`--metric must be f1, nab or both, got "${flags.metric}"`, 2);
  const metric = flags.metric as Metric;
  // Loaded when the command runs, so other commands and --help start without them.
  const evalModule = await import('../eval/anomalies-nab.ts');
  const { leaveOneCategoryOut } = await import('../eval/anomalies-loco.ts');
  const { NabDataError } = await import('@boundless/datasets/nab');
  let report: Report;
  try {
    const benchmark = evalModule.loadNabBenchmark(flags.data);
    const publishedRuns = evalModule.runPublished(flags.data, benchmark);
    const published = publishedRuns.map((run) => ({
      run,
      scores: evalModule.scoreByCategory(benchmark, run),
      asPublished: evalModule.publishedNabByCategory(flags.data, benchmark, run),
    }));
    const loco = flags.loo
      ? leaveOneCategoryOut(benchmark, undefined, (done, total) => {
          if (process.stderr.isTTY)
            process.stderr.write(`\rleave-one-category-out: ${done}/${total} grid points`);
        })
      : undefined;
    if (process.stderr.isTTY && loco) process.stderr.write('\n');
    const development = evalModule.scoreByCategory(benchmark, evalModule.runOurs(benchmark));
    const thresholded = evalModule
      .runOursThresholded(benchmark, [0.3, 0.4, 0.5, 0.6, 0.7])
      .map((run) => ({ threshold: run.threshold, scores: evalModule.scoreByCategory(benchmark, run) }));
    const reproduction = evalModule.reproducePublishedScores(flags.data, publishedRuns);
    report = { benchmark, published, loco, development, thresholded, reproduction };
  } catch (error) {
    if (error instanceof NabDataError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
  process.stdout.write(render(report, metric));
  if (flags.json) {
    const byCategory = (scores: Map<string, SetScore>) => Object.fromEntries(scores);
    const document = {
      data: flags.data,
      metric,
      categories: report.benchmark.categories,
      validation: report.loco?.folds.map(
        ({ category, chosen, developmentObjective, validation, nabThreshold, rival, ties }) => ({
          category,
          chosen,
          developmentObjective,
          validation,
          nabThreshold,
          rival,
          ties,
        }),
      ),
      chosenOnAll: report.loco?.chosenOnAll,
      development: byCategory(report.development),
      thresholded: report.thresholded.map(({ threshold, scores }) => ({
        threshold,
        scores: byCategory(scores),
      })),
      published: report.published.map(({ run, scores, asPublished }) => ({
        detector: run.detector,
        threshold: run.threshold,
        scores: byCategory(scores),
        nabAsPublished: Object.fromEntries(asPublished),
      })),
      scorer: { ...report.reproduction, perDetector: Object.fromEntries(report.reproduction.perDetector) },
    };
    await writeOutput(flags.json, `${JSON.stringify(document, null, 2)}\n`, '--json');
  }
}

export function registerEvalAnomalies(program: Command): void {
  program
    .command('anomalies')
    .description(
      'window F1 and NAB standard score of our detector and every published NAB detector, per NAB category; ' +
        'our parameters chosen leave-one-category-out',
    )
    .option(
      '--data <dir>',
      'NAB directory (data/<category>/, labels/, results/, thresholds.json, profiles.json)',
      DEFAULT_NAB_DATA,
    )
    .option('--metric <metric>', 'f1 (window F1), nab (NAB standard score) or both', 'both')
    .option('--json <out>', 'also write the evaluation as JSON')
    .option(
      '--no-loo',
      'skip leave-one-category-out; report the shipped defaults on every category (development)',
    )
    .action(evaluate);
}
