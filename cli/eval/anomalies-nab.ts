import {
  listNabDetectors,
  listNabFiles,
  loadNabDetectorOutput,
  loadNabSeries,
  loadNabThresholds,
  loadNabWindows,
  type NabSeries,
  type NabWindow,
  nabProbationRows,
} from '@boundless/datasets/nab';
import { type DetectorOptions, scoreSeries } from '@boundless/copilot/anomaly';
import { addTallies, scoreTally, tallyFile, type WindowScore, type WindowTally } from './anomaly-windows.ts';

export interface DetectorResult extends WindowScore {
  detector: string;
  /** The alarm threshold on the detector's own score. */
  threshold: number;
  ours: boolean;
  perFile: Record<string, WindowTally>;
}

export interface NabBenchmark {
  files: string[];
  series: Map<string, NabSeries>;
  windows: Map<string, NabWindow[]>;
}

export function loadNabBenchmark(dataDir: string): NabBenchmark {
  const files = listNabFiles(dataDir);
  const windows = loadNabWindows(dataDir);
  const series = new Map(files.map((file) => [file, loadNabSeries(dataDir, file)] as const));
  return { files, series, windows };
}

/**
 * Alarm times of one file after the probation rows (the first 15 %, at most 750 rows), which are excluded
 * for every detector alike. `alarmed(i)` says whether row i is an alarm.
 */
export function alarmsAfterProbation(
  timestamps: readonly number[],
  alarmed: (row: number) => boolean,
): number[] {
  const alarms: number[] = [];
  for (let i = nabProbationRows(timestamps.length); i < timestamps.length; i++) {
    if (alarmed(i)) alarms.push(timestamps[i]!);
  }
  return alarms;
}

/**
 * NAB's windows are all after the probation rows on this category; a window wholly inside probation could not
 * be caught by anyone and is dropped for everyone.
 */
function scoredWindows(benchmark: NabBenchmark, file: string): NabWindow[] {
  const series = benchmark.series.get(file)!;
  const probationEnd =
    series.timestamps[nabProbationRows(series.timestamps.length)] ?? Number.POSITIVE_INFINITY;
  return (benchmark.windows.get(file) ?? []).filter((window) => window.end >= probationEnd);
}

function tallyFiles(
  benchmark: NabBenchmark,
  files: readonly string[],
  alarmsOf: (file: string) => number[],
): { total: WindowScore; perFile: Record<string, WindowTally> } {
  const perFile: Record<string, WindowTally> = {};
  for (const file of files) perFile[file] = tallyFile(alarmsOf(file), scoredWindows(benchmark, file));
  return { total: scoreTally(addTallies(Object.values(perFile))), perFile };
}

const OUR_DETECTOR = 'boundless';

/** Our detector: alarms are the rows its alarm policy raises (`is_anomaly`), exactly as the CLI writes them. */
export function evaluateOurs(
  benchmark: NabBenchmark,
  options: Partial<DetectorOptions> = {},
  files: readonly string[] = benchmark.files,
): DetectorResult {
  const { total, perFile } = tallyFiles(benchmark, files, (file) => {
    const series = benchmark.series.get(file)!;
    const { alarms } = scoreSeries(series.timestamps, series.values, options);
    return alarmsAfterProbation(series.timestamps, (i) => alarms[i]!);
  });
  const threshold = options.threshold ?? 0.5;
  return { detector: OUR_DETECTOR, threshold, ours: true, perFile, ...total };
}

/**
 * Every published detector with results and a threshold for the profile: an alarm is a row whose raw
 * `anomaly_score` reaches the detector's own NAB threshold (standard profile), scored by the same code as ours.
 * With `refractoryMs`, the same one-alarm-per-period policy as ours is applied to their alarms too (a
 * sensitivity check, not NAB's definition).
 */
export function evaluatePublished(
  dataDir: string,
  benchmark: NabBenchmark,
  options: { refractoryMs?: number } = {},
): DetectorResult[] {
  const thresholds = loadNabThresholds(dataDir, 'standard');
  const results: DetectorResult[] = [];
  for (const detector of listNabDetectors(dataDir)) {
    const threshold = thresholds.get(detector);
    if (threshold === undefined) continue;
    const { total, perFile } = tallyFiles(benchmark, benchmark.files, (file) => {
      const output = loadNabDetectorOutput(dataDir, detector, file);
      let last = Number.NEGATIVE_INFINITY;
      const refractory = options.refractoryMs ?? 0;
      const alarmed = output.scores.map((score, i) => {
        if (score < threshold) return false;
        const time = output.timestamps[i]!;
        if (time - last < refractory) return false;
        last = time;
        return true;
      });
      return alarmsAfterProbation(output.timestamps, (i) => alarmed[i]!);
    });
    results.push({ detector, threshold, ours: false, perFile, ...total });
  }
  return results;
}

export function rankByF1(results: readonly DetectorResult[]): DetectorResult[] {
  return [...results].sort(
    (a, b) => b.f1 - a.f1 || b.precision - a.precision || a.detector.localeCompare(b.detector),
  );
}

/** The global parameters chosen on this benchmark, and the grid they were chosen from. */
export interface ParameterGrid {
  surpriseUnits: number[];
  noveltyUnits: number[];
  refractoryHours: number[];
  robustRank: number[];
  scaleRank: number[];
}

const PARAMETER_GRID: ParameterGrid = {
  surpriseUnits: [3, 4, 6, 8],
  noveltyUnits: [0.1, 0.15, 0.25, 0.4],
  refractoryHours: [12, 24, 48],
  robustRank: [2, 3, 5],
  scaleRank: [0, 1],
};

interface GridPoint {
  surpriseUnits: number;
  noveltyUnits: number;
  refractoryHours: number;
  robustRank: number;
  scaleRank: number;
}

interface LeaveOneOutFold {
  heldOut: string;
  chosen: GridPoint;
  /** F1 of the chosen point on the other files. */
  trainF1: number;
  heldOutTally: WindowTally;
}

export interface LeaveOneOutResult extends WindowScore {
  folds: LeaveOneOutFold[];
  /** The point the whole benchmark picks, for comparison with the defaults. */
  chosenOnAll: GridPoint;
  chosenOnAllF1: number;
}

function gridPoints(grid: ParameterGrid): GridPoint[] {
  const points: GridPoint[] = [];
  for (const surpriseUnits of grid.surpriseUnits)
    for (const noveltyUnits of grid.noveltyUnits)
      for (const refractoryHours of grid.refractoryHours)
        for (const robustRank of grid.robustRank)
          for (const scaleRank of grid.scaleRank)
            points.push({ surpriseUnits, noveltyUnits, refractoryHours, robustRank, scaleRank });
  return points;
}

/**
 * Leave-one-file-out check of the global parameter choice: for each file, the grid point with the best
 * window F1 on the other 16 files is chosen and applied to the held-out file; the held-out tallies are
 * summed into one score. Ties go to the earlier grid point.
 */
export function leaveOneFileOut(
  benchmark: NabBenchmark,
  grid: ParameterGrid = PARAMETER_GRID,
  base: Partial<DetectorOptions> = {},
): LeaveOneOutResult {
  const points = gridPoints(grid);
  const perPoint = points.map(
    (point) =>
      evaluateOurs(benchmark, {
        ...base,
        surpriseUnits: point.surpriseUnits,
        noveltyUnits: point.noveltyUnits,
        robustRank: point.robustRank,
        scaleRank: point.scaleRank,
        refractoryMs: point.refractoryHours * 3_600_000,
      }).perFile,
  );
  const best = (files: readonly string[]) => {
    let bestIndex = 0;
    let bestF1 = -1;
    perPoint.forEach((perFile, index) => {
      const f1 = scoreTally(addTallies(files.map((file) => perFile[file]!))).f1;
      if (f1 > bestF1 + 1e-12) {
        bestF1 = f1;
        bestIndex = index;
      }
    });
    return { index: bestIndex, f1: bestF1 };
  };
  const folds: LeaveOneOutFold[] = benchmark.files.map((heldOut) => {
    const chosen = best(benchmark.files.filter((file) => file !== heldOut));
    return {
      heldOut,
      chosen: points[chosen.index]!,
      trainF1: chosen.f1,
      heldOutTally: perPoint[chosen.index]![heldOut]!,
    };
  });
  const all = best(benchmark.files);
  return {
    ...scoreTally(addTallies(folds.map((fold) => fold.heldOutTally))),
    folds,
    chosenOnAll: points[all.index]!,
    chosenOnAllF1: all.f1,
  };
}
