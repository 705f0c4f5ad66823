import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_OPTIONS } from '@boundless/copilot/anomaly';
import {
  gridPoints,
  leaveOneCategoryOut,
  NAB_THRESHOLDS,
  objective,
  PARAMETER_GRID,
} from './anomalies-loco.ts';
import { loadNabBenchmark, runOurs, runOursThresholded, scoreByCategory } from './anomalies-nab.ts';

const NAB = resolve(fileURLToPath(new URL('../..', import.meta.url)), '../shared/data/nab');

describe('Leave-one-category-out', () => {
  it('expands the grid, and the shipped defaults are one of its points', () => {
    const points = gridPoints({
      noveltyUnits: [1, 2],
      surpriseUnits: [3],
      volatilityUnits: [4, 5],
      profileUnits: [1],
      rearmMs: [1],
      medianUnits: [1],
      medianWarmupHours: [0],
      logUnits: [4],
    });
    expect(points).toHaveLength(4);
    expect(new Set(points.map((p) => `${p.noveltyUnits},${p.volatilityUnits}`)).size).toBe(4);
    const defaults = DEFAULT_DETECTOR_OPTIONS;
    expect(
      gridPoints(PARAMETER_GRID).some((point) =>
        Object.entries(point).every(([key, value]) => defaults[key as keyof typeof defaults] === value),
      ),
    ).toBe(true);
  });

  it('chooses each fold on the other categories only, and reports the held-out category with that choice', () => {
    const benchmark = loadNabBenchmark(NAB);
    const grid = {
      ...PARAMETER_GRID,
      noveltyUnits: [0.03, 0.2],
      surpriseUnits: [3],
      volatilityUnits: [3],
      profileUnits: [1],
      rearmMs: [7_200_000],
      medianUnits: [1],
      medianWarmupHours: [96],
      logUnits: [4],
    };
    const result = leaveOneCategoryOut(benchmark, grid);
    expect(result.folds.map((fold) => fold.category)).toEqual(benchmark.categories);
    const byPoint = gridPoints(grid).map((point) => scoreByCategory(benchmark, runOurs(benchmark, point)));
    for (const fold of result.folds) {
      const others = benchmark.categories.filter((category) => category !== fold.category);
      const values = byPoint.map((scores) => objective(others.map((category) => scores.get(category)!)));
      const index = values.indexOf(Math.max(...values));
      expect(fold.chosen.noveltyUnits).toBe(grid.noveltyUnits[index]);
      expect(fold.validation.nab).toBeCloseTo(byPoint[index]!.get(fold.category)!.nab, 9);
      expect([...fold.run.perFile.keys()].every((file) => file.startsWith(`${fold.category}/`))).toBe(true);
      // NAB's threshold optimiser: the threshold with the best NAB on the other categories, never the held-out one.
      const byThreshold = runOursThresholded(benchmark, NAB_THRESHOLDS, { ...fold.chosen }).map((run) =>
        scoreByCategory(benchmark, run),
      );
      const nab = byThreshold.map((scores) => others.reduce((sum, c) => sum + scores.get(c)!.nab, 0));
      const t = nab.indexOf(Math.max(...nab));
      expect(fold.nabThreshold.threshold).toBe(NAB_THRESHOLDS[t]);
      expect(fold.nabThreshold.validation.nab).toBeCloseTo(byThreshold[t]!.get(fold.category)!.nab, 9);
    }
  });
});
