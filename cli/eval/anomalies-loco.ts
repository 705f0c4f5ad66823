import { nabCategoryOf } from '@boundless/datasets/nab';
import { DEFAULT_DETECTOR_OPTIONS, type DetectorOptions } from '@boundless/copilot/anomaly';
import {
  type DetectorRun,
  type NabBenchmark,
  runOurs,
  runOursThresholded,
  type SetScore,
  scoreByCategory,
} from './anomalies-nab.ts';
import { HOUR_MS } from '@boundless/common/time';

/**
 * Leave-one-category-out choice of the detector's global parameters: for each category, the grid point that
 * scores best on the other categories is applied to it, and its score there is the validation figure. No
 * parameter is ever set per file or per category.
 *
 * The objective on the development categories is the mean, over those categories, of (window F1 + NAB
 * standard score / 100) / 2: both metrics, each category weighing the same whatever its number of files.
 */

export type GridPoint = Pick<
  DetectorOptions,
  | 'noveltyUnits'
  | 'surpriseUnits'
  | 'volatilityUnits'
  | 'profileUnits'
  | 'rearmMs'
  | 'medianUnits'
  | 'medianWarmupHours'
  | 'logUnits'
>;

export type ParameterGrid = { [K in keyof GridPoint]: number[] };

/**
 * The grid the defaults were chosen from (the defaults are one of its points). The median and log-value
 * views are each on or off (0); each lists its "on" value first, so a view that changes nothing on the
 * development categories stays on (ties go to the earlier point). The median view's warm-up lists "none"
 * first: it must earn its place on the development categories. `volatilityUnits` 4 was never chosen by any
 * fold and left the grid when the warm-up joined it, to keep the run at the same cost.
 */
export const PARAMETER_GRID: ParameterGrid = {
  noveltyUnits: [0.03, 0.05, 0.08],
  surpriseUnits: [2, 3, 4],
  volatilityUnits: [6],
  profileUnits: [1, 2, 3],
  rearmMs: [2 * HOUR_MS, 6 * HOUR_MS],
  medianUnits: [1, 0],
  medianWarmupHours: [0, 96],
  logUnits: [4, 0],
};

/**
 * Thresholds on `anomaly_score` among which NAB's optimiser is emulated for our detector, per fold on the
 * development categories (NAB picks each detector's threshold per profile on its corpus). 0.5 — exactly
 * the `is_anomaly` rows — comes first, so it wins ties.
 */
export const NAB_THRESHOLDS = [0.5, 0.3, 0.35, 0.4, 0.45, 0.55, 0.6, 0.65, 0.7];

export function gridPoints(grid: ParameterGrid): GridPoint[] {
  const points: GridPoint[] = [{} as GridPoint];
  for (const key of Object.keys(grid) as (keyof GridPoint)[]) {
    const next: GridPoint[] = [];
    for (const point of points) for (const value of grid[key]) next.push({ ...point, [key]: value });
    points.splice(0, points.length, ...next);
  }
  return points;
}

export function objective(scores: readonly SetScore[]): number {
  if (scores.length === 0) return 0;
  return scores.reduce((sum, score) => sum + (score.f1 + score.nab / 100) / 2, 0) / scores.length;
}

interface CategoryFold {
  /** The held-out (validation) category. */
  category: string;
  chosen: GridPoint;
  /** The objective of the chosen point on the development categories. */
  developmentObjective: number;
  /** The chosen point's scores and run on the held-out category's files. */
  validation: SetScore;
  run: DetectorRun;
  /**
   * NAB's way of reading a detector: the chosen point's `anomaly_score` thresholded at the threshold (of
   * `NAB_THRESHOLDS`) with the best mean NAB standard score on the development categories, and its scores
   * on the held-out category.
   */
  nabThreshold: { threshold: number; validation: SetScore };
  /**
   * How close the choice was: the best point below the chosen one on the development categories whose
   * figures on the held-out category differ (its objective and those figures), and the held-out figures of
   * the points that tie with the chosen one (the grid's order decided between them).
   */
  rival?: { objective: number; validation: SetScore };
  ties: SetScore[];
}

export interface LeaveOneCategoryOut {
  folds: CategoryFold[];
  /** The point chosen on every category together (the shipped defaults should be this point). */
  chosenOnAll: GridPoint;
  chosenOnAllObjective: number;
  gridSize: number;
}

/**
 * Runs every grid point once on every file, then picks per fold. `onProgress` is told how many grid points
 * are done, for long runs.
 */
export function leaveOneCategoryOut(
  benchmark: NabBenchmark,
  grid: ParameterGrid = PARAMETER_GRID,
  onProgress?: (done: number, total: number) => void,
): LeaveOneCategoryOut {
  const points = gridPoints(grid);
  const runs = points.map((point, index) => {
    const run = runOurs(benchmark, { ...DEFAULT_DETECTOR_OPTIONS, ...point });
    onProgress?.(index + 1, points.length);
    return { run, scores: scoreByCategory(benchmark, run) };
  });
  const best = (categories: readonly string[]) => {
    let bestIndex = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    runs.forEach(({ scores }, index) => {
      const value = objective(categories.map((category) => scores.get(category)!));
      if (value > bestValue + 1e-12) {
        bestValue = value;
        bestIndex = index;
      }
    });
    return { index: bestIndex, value: bestValue };
  };
  // Folds often choose the same point: its thresholded run (every file again) is made once and shared.
  const thresholded = new Map<number, ThresholdScores[]>();
  const thresholdScores = (index: number) => {
    let scores = thresholded.get(index);
    if (!scores) {
      const point = { ...DEFAULT_DETECTOR_OPTIONS, ...points[index]! };
      scores = runOursThresholded(benchmark, NAB_THRESHOLDS, point).map((run) => ({
        threshold: run.threshold,
        scores: scoreByCategory(benchmark, run),
      }));
      thresholded.set(index, scores);
    }
    return scores;
  };
  const folds = benchmark.categories.map((category) => {
    const development = benchmark.categories.filter((other) => other !== category);
    const chosen = best(development);
    const { run, scores } = runs[chosen.index]!;
    const files = benchmark.files.filter((file) => nabCategoryOf(file) === category);
    const held = scores.get(category)!;
    let rival: CategoryFold['rival'];
    const ties: SetScore[] = [];
    runs.forEach((candidate, index) => {
      const there = candidate.scores.get(category)!;
      if (index === chosen.index || (there.f1 === held.f1 && there.nab === held.nab)) return;
      const value = objective(development.map((other) => candidate.scores.get(other)!));
      if (value > chosen.value - 1e-12) ties.push(there);
      else if (rival === undefined || value > rival.objective + 1e-12)
        rival = { objective: value, validation: there };
    });
    return {
      category,
      chosen: points[chosen.index]!,
      developmentObjective: chosen.value,
      validation: scores.get(category)!,
      run: { ...run, perFile: new Map(files.map((file) => [file, run.perFile.get(file)!] as const)) },
      nabThreshold: chooseNabThreshold(thresholdScores(chosen.index), development, category),
      rival,
      ties,
    };
  });
  const all = best(benchmark.categories);
  return { folds, chosenOnAll: points[all.index]!, chosenOnAllObjective: all.value, gridSize: points.length };
}

/** One point's run thresholded at one of `NAB_THRESHOLDS`, scored per category. */
interface ThresholdScores {
  threshold: number;
  scores: Map<string, SetScore>;
}

/** NAB's threshold optimiser for one fold: the best mean NAB score on the development categories. */
function chooseNabThreshold(
  runs: readonly ThresholdScores[],
  development: readonly string[],
  heldOut: string,
): CategoryFold['nabThreshold'] {
  let chosen = {
    threshold: Number.NaN,
    value: Number.NEGATIVE_INFINITY,
    validation: undefined as SetScore | undefined,
  };
  for (const { threshold, scores } of runs) {
    const value =
      development.reduce((sum, category) => sum + scores.get(category)!.nab, 0) / development.length;
    if (value > chosen.value + 1e-9) chosen = { threshold, value, validation: scores.get(heldOut) };
  }
  return { threshold: chosen.threshold, validation: chosen.validation! };
}
