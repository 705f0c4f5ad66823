import {
  listNabCategories,
  listNabDetectors,
  listNabFiles,
  loadNabDetectorOutput,
  loadNabProfile,
  loadNabPublishedScores,
  loadNabSeries,
  loadNabThresholds,
  loadNabWindows,
  type NabSeries,
  type NabWindow,
  nabCategoryOf,
} from '@boundless/datasets/nab';
import { type DetectorOptions, scoreSeries } from '@boundless/copilot/anomaly';
import {
  type CostMatrix,
  type NabFileScore,
  nabNullScore,
  nabProbationLength,
  normaliseNabScore,
  scoreNabFile,
} from './nab-score.ts';
import { addTallies, scoreTally, tallyFile, type WindowScore, type WindowTally } from './anomaly-windows.ts';

/** Every shipped NAB category, its series and labels, and the standard profile's costs. */
export interface NabBenchmark {
  categories: string[];
  files: string[];
  series: Map<string, NabSeries>;
  windows: Map<string, NabWindow[]>;
  cost: CostMatrix;
}

export function loadNabBenchmark(dataDir: string): NabBenchmark {
  const categories = listNabCategories(dataDir);
  const files = listNabFiles(dataDir);
  const windows = loadNabWindows(dataDir);
  const series = new Map(files.map((file) => [file, loadNabSeries(dataDir, file)] as const));
  return { categories, files, series, windows, cost: loadNabProfile(dataDir, 'standard') };
}

/** How one detector did on one file, under both metrics. */
interface FileOutcome {
  window: WindowTally;
  nab: NabFileScore;
  /** Windows in the label file, scored or not: NAB's "perfect" counts them all. */
  labelledWindows: number;
}

/**
 * Alarm times of one file after NAB's probation rows, which are excluded for every detector alike.
 * `alarmed(i)` says whether row i is an alarm.
 */
export function alarmsAfterProbation(
  timestamps: readonly number[],
  alarmed: (row: number) => boolean,
): number[] {
  const alarms: number[] = [];
  for (let i = nabProbationLength(timestamps.length); i < timestamps.length; i++) {
    if (alarmed(i)) alarms.push(timestamps[i]!);
  }
  return alarms;
}

/** Scores one file's alarms by window F1 and by NAB's standard profile. */
function scoreFile(benchmark: NabBenchmark, file: string, alarmed: (row: number) => boolean): FileOutcome {
  const { timestamps } = benchmark.series.get(file)!;
  const labelled = benchmark.windows.get(file) ?? [];
  const probationEnd = timestamps[nabProbationLength(timestamps.length)] ?? Number.POSITIVE_INFINITY;
  // A window wholly inside probation could not be caught by anyone: dropped for everyone, as NAB does.
  const scored = labelled.filter((window) => window.end >= probationEnd);
  return {
    window: tallyFile(alarmsAfterProbation(timestamps, alarmed), scored),
    nab: scoreNabFile(timestamps, alarmed, labelled, benchmark.cost),
    labelledWindows: labelled.length,
  };
}

/** A set of files under both metrics: window F1 (micro-averaged) and NAB's normalised standard score. */
export interface SetScore extends WindowScore {
  files: number;
  /** NAB standard score, normalised over these files: 0 = null detector, 100 = perfect. */
  nab: number;
  nabRaw: number;
}

function scoreSet(outcomes: readonly FileOutcome[], cost: CostMatrix): SetScore {
  const window = scoreTally(addTallies(outcomes.map((outcome) => outcome.window)));
  let raw = 0;
  let nullScore = 0;
  let labelled = 0;
  for (const outcome of outcomes) {
    raw += outcome.nab.score;
    nullScore += nabNullScore(outcome.nab, cost);
    labelled += outcome.labelledWindows;
  }
  return {
    ...window,
    files: outcomes.length,
    nab: normaliseNabScore(raw, nullScore, labelled, cost),
    nabRaw: raw,
  };
}

/** One detector's outcomes per file. */
export interface DetectorRun {
  detector: string;
  /** Our detector: its alarm policy; a published one: its NAB threshold on its own score. */
  threshold: number;
  ours: boolean;
  perFile: Map<string, FileOutcome>;
}

/** Per category (and over all of them): the detector's scores. */
export function scoreByCategory(benchmark: NabBenchmark, run: DetectorRun): Map<string, SetScore> {
  const byCategory = new Map<string, SetScore>();
  for (const category of benchmark.categories) {
    const outcomes = benchmark.files
      .filter((file) => nabCategoryOf(file) === category && run.perFile.has(file))
      .map((file) => run.perFile.get(file)!);
    byCategory.set(category, scoreSet(outcomes, benchmark.cost));
  }
  return byCategory;
}

const OUR_DETECTOR = 'boundless';

/** Our detector: alarms are the rows it raises (`is_anomaly`), exactly as the CLI writes them. */
export function runOurs(
  benchmark: NabBenchmark,
  options: Partial<DetectorOptions> = {},
  files: readonly string[] = benchmark.files,
): DetectorRun {
  return runOursThresholded(benchmark, [Number.NaN], options, files)[0]!;
}

/**
 * Our detector as an outside scorer may read it: alarms are the rows whose `anomaly_score` reaches each
 * threshold (NaN: the `is_anomaly` decision). One detector run per file serves every threshold.
 */
export function runOursThresholded(
  benchmark: NabBenchmark,
  thresholds: readonly number[],
  options: Partial<DetectorOptions> = {},
  files: readonly string[] = benchmark.files,
): DetectorRun[] {
  const runs = thresholds.map((threshold) => ({
    detector: OUR_DETECTOR,
    threshold,
    ours: true,
    perFile: new Map<string, FileOutcome>(),
  }));
  for (const file of files) {
    const series = benchmark.series.get(file)!;
    const { scores, alarms } = scoreSeries(series.timestamps, series.values, options);
    for (const run of runs) {
      const alarmed = Number.isNaN(run.threshold)
        ? (i: number) => alarms[i]!
        : (i: number) => scores[i]! >= run.threshold;
      run.perFile.set(file, scoreFile(benchmark, file, alarmed));
    }
  }
  return runs;
}

/**
 * Every published detector with results and a standard-profile threshold: a detection is a row whose raw
 * `anomaly_score` reaches that threshold, scored by the same code as ours. A detector whose outputs miss
 * some files is scored on the files it has.
 */
export function runPublished(dataDir: string, benchmark: NabBenchmark): DetectorRun[] {
  const thresholds = loadNabThresholds(dataDir, 'standard');
  const runs: DetectorRun[] = [];
  for (const detector of listNabDetectors(dataDir)) {
    const threshold = thresholds.get(detector);
    if (threshold === undefined) continue;
    const perFile = new Map<string, FileOutcome>();
    for (const file of benchmark.files) {
      const output = loadNabDetectorOutput(dataDir, detector, file);
      perFile.set(
        file,
        scoreFile(benchmark, file, (i) => output.scores[i]! >= threshold),
      );
    }
    runs.push({ detector, threshold, ours: false, perFile });
  }
  return runs;
}

/** How closely our NAB scorer reproduces the published per-file standard scores. */
export interface ScorerReproduction {
  /** Published rows compared, and the largest absolute difference of raw per-file scores among them. */
  compared: number;
  maxError: number;
  /** Rows with error below 1e-6 and identical TP/FP/TN/FN counts. */
  exact: number;
  /**
   * Published rows whose detections (TP and FP row counts) differ from those of the shipped raw output: they
   * were computed from another run of that detector, so there is nothing to reproduce.
   */
  unmatched: { detector: string; file: string }[];
  /** Largest error per detector. */
  perDetector: Map<string, number>;
}

/**
 * Compares each published detector's NAB score of every file, as our scorer computed it from the shipped raw
 * output at the detector's threshold (`runPublished`), with the score NAB published for that file.
 */
export function reproducePublishedScores(
  dataDir: string,
  published: readonly DetectorRun[],
): ScorerReproduction {
  const result: ScorerReproduction = {
    compared: 0,
    maxError: 0,
    exact: 0,
    unmatched: [],
    perDetector: new Map(),
  };
  for (const run of published) {
    let worst = 0;
    for (const row of loadNabPublishedScores(dataDir, run.detector, 'standard')) {
      const ours = run.perFile.get(row.file)?.nab;
      if (ours === undefined) continue;
      if (ours.tp !== row.tp || ours.fp !== row.fp) {
        result.unmatched.push({ detector: run.detector, file: row.file });
        continue;
      }
      const error = Math.abs(ours.score - row.score);
      if (error < 1e-6 && ours.tn === row.tn && ours.fn === row.fn) result.exact++;
      worst = Math.max(worst, error);
      result.compared++;
    }
    result.perDetector.set(run.detector, worst);
    result.maxError = Math.max(result.maxError, worst);
  }
  return result;
}

/**
 * A published detector's NAB standard score per category as published: its per-file raw scores summed and
 * normalised by the same rule as ours. Categories it has no published row for are left out.
 */
export function publishedNabByCategory(
  dataDir: string,
  benchmark: NabBenchmark,
  run: DetectorRun,
): Map<string, number> {
  const byCategory = new Map<string, { raw: number; nullScore: number; labelled: number; files: number }>();
  for (const published of loadNabPublishedScores(dataDir, run.detector, 'standard')) {
    const outcome = run.perFile.get(published.file);
    if (outcome === undefined) continue;
    const category = nabCategoryOf(published.file);
    const sums = byCategory.get(category) ?? { raw: 0, nullScore: 0, labelled: 0, files: 0 };
    sums.raw += published.score;
    sums.nullScore += nabNullScore(outcome.nab, benchmark.cost);
    sums.labelled += outcome.labelledWindows;
    sums.files++;
    byCategory.set(category, sums);
  }
  const scores = new Map<string, number>();
  for (const [category, sums] of byCategory) {
    const files = benchmark.files.filter((file) => nabCategoryOf(file) === category).length;
    if (sums.files === files)
      scores.set(category, normaliseNabScore(sums.raw, sums.nullScore, sums.labelled, benchmark.cost));
  }
  return scores;
}
