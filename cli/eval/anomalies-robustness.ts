import { mulberry32 } from '@boundless/common/random';
import type { NabSeries, NabWindow } from '@boundless/datasets/nab';
import { type DetectorOptions, scoreSeries } from '@boundless/copilot/anomaly';
import { type Population, type SimulatedSeries, simulatePopulation } from './anomaly-sim.ts';
import { type NabBenchmark, runOurs, type SetScore, scoreByCategory } from './anomalies-nab.ts';
import type { CostMatrix } from './nab-score.ts';
import { HOUR_MS } from '@boundless/common/time';

/**
 * A held-out-style check of the anomaly detector that never touches the shipped labels' meaning:
 * - the shipped series transformed (other sampling rates, rescaled, offset, negated, a trend, long gaps, a
 *   shifted clock), each scored against the same labelled windows in event time;
 * - series with no anomaly at all (flat, noise, seasonal of other periods, counts, wandering levels, …):
 *   false alarms per series-week;
 * - simulated series of the shapes the shipped categories lack, with labelled anomalies: window F1 and
 *   NAB standard score per archetype, on a development population and on a validation population whose
 *   seeds, sampling intervals and periods were never used while choosing anything.
 */

const WEEK = 7 * 24 * HOUR_MS;

const TRANSFORMS = [
  'as shipped',
  'coarser ×3',
  'finer ×2',
  'scaled ×1000',
  'offset +10 ranges',
  'negated',
  'trend +1 range',
  'gaps 3 × 12 h',
  'clock +7 h',
] as const;
export type Transform = (typeof TRANSFORMS)[number];

function valueRange(values: readonly number[]): number {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return Math.max(high - low, 1e-9);
}

/** Rows kept when three 12-hour blocks outside every window are dropped (seeded by the file's length). */
function withGaps(series: NabSeries, windows: readonly NabWindow[]): NabSeries {
  const rng = mulberry32(series.timestamps.length);
  const t = series.timestamps;
  const span = t.at(-1)! - t[0]!;
  const gaps: [number, number][] = [];
  for (let tries = 0; gaps.length < 3 && tries < 100; tries++) {
    const start = t[0]! + (0.2 + 0.75 * rng()) * span;
    const end = start + 12 * HOUR_MS;
    if (windows.some((w) => w.start <= end && w.end >= start)) continue;
    gaps.push([start, end]);
  }
  const keep = t.map((time) => !gaps.some(([s, e]) => time >= s && time < e));
  return {
    file: series.file,
    timestamps: t.filter((_, i) => keep[i]),
    values: series.values.filter((_, i) => keep[i]),
  };
}

/** One shipped series under one transform; the labelled windows keep their times. */
export function transformSeries(
  transform: Transform,
  series: NabSeries,
  windows: readonly NabWindow[],
): NabSeries {
  const { file, timestamps: t, values: v } = series;
  const range = valueRange(v);
  const n = t.length;
  switch (transform) {
    case 'as shipped':
      return series;
    case 'coarser ×3': {
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let i = 0; i + 2 < n; i += 3) {
        timestamps.push(t[i]!);
        values.push((v[i]! + v[i + 1]! + v[i + 2]!) / 3);
      }
      return { file, timestamps, values };
    }
    case 'finer ×2': {
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let i = 0; i < n; i++) {
        timestamps.push(t[i]!);
        values.push(v[i]!);
        if (i + 1 < n) {
          timestamps.push(Math.round((t[i]! + t[i + 1]!) / 2));
          values.push((v[i]! + v[i + 1]!) / 2);
        }
      }
      return { file, timestamps, values };
    }
    case 'scaled ×1000':
      return { file, timestamps: t, values: v.map((x) => 1000 * x) };
    case 'offset +10 ranges':
      return { file, timestamps: t, values: v.map((x) => x + 10 * range) };
    case 'negated':
      return { file, timestamps: t, values: v.map((x) => -x) };
    case 'trend +1 range':
      return { file, timestamps: t, values: v.map((x, i) => x + (range * i) / n) };
    case 'gaps 3 × 12 h':
      return withGaps(series, windows);
    case 'clock +7 h': {
      return { file, timestamps: t.map((x) => x + 7 * HOUR_MS), values: v };
    }
  }
}

/** The shipped benchmark under one transform (windows shift with the clock). */
function transformBenchmark(benchmark: NabBenchmark, transform: Transform): NabBenchmark {
  const shift = transform === 'clock +7 h' ? 7 * HOUR_MS : 0;
  const windows = new Map<string, NabWindow[]>();
  for (const [file, list] of benchmark.windows)
    windows.set(
      file,
      list.map((w) => ({ start: w.start + shift, end: w.end + shift })),
    );
  const series = new Map<string, NabSeries>();
  for (const [file, s] of benchmark.series)
    series.set(file, transformSeries(transform, s, benchmark.windows.get(file) ?? []));
  return { ...benchmark, series, windows };
}

/** Per shipped category and transform: our scores (the data the design has seen: development). */
export function transformedScores(
  benchmark: NabBenchmark,
  options: Partial<DetectorOptions> = {},
): Map<Transform, Map<string, SetScore>> {
  const out = new Map<Transform, Map<string, SetScore>>();
  for (const transform of TRANSFORMS) {
    const transformed = transformBenchmark(benchmark, transform);
    out.set(transform, scoreByCategory(transformed, runOurs(transformed, options)));
  }
  return out;
}

/** Simulated series as a benchmark whose categories are the archetypes. */
export function simulatedBenchmark(series: readonly SimulatedSeries[], cost: CostMatrix): NabBenchmark {
  const files = series.map((s) => `${s.archetype}/${s.name}.csv`);
  return {
    categories: [...new Set(series.map((s) => s.archetype))],
    files,
    series: new Map(
      series.map((s, i) => [files[i]!, { file: files[i]!, timestamps: s.timestamps, values: s.values }]),
    ),
    windows: new Map(series.map((s, i) => [files[i]!, s.windows])),
    cost,
  };
}

export interface FalseAlarms {
  series: number;
  weeks: number;
  alarms: number;
  /** Series with at least one alarm. */
  alarmedSeries: number;
  perWeek: number;
}

/** Alarms on series with no anomaly, per archetype and in total ('all'). */
export function falseAlarms(
  series: readonly SimulatedSeries[],
  options: Partial<DetectorOptions> = {},
): Map<string, FalseAlarms> {
  const out = new Map<string, FalseAlarms>();
  const add = (key: string, weeks: number, alarms: number) => {
    const entry = out.get(key) ?? { series: 0, weeks: 0, alarms: 0, alarmedSeries: 0, perWeek: 0 };
    entry.series++;
    entry.weeks += weeks;
    entry.alarms += alarms;
    if (alarms > 0) entry.alarmedSeries++;
    entry.perWeek = entry.alarms / entry.weeks;
    out.set(key, entry);
  };
  for (const s of series) {
    const { alarms } = scoreSeries(s.timestamps, s.values, options);
    const count = alarms.filter(Boolean).length;
    const weeks = (s.timestamps.at(-1)! - s.timestamps[0]!) / WEEK;
    add(s.archetype, weeks, count);
    add('all', weeks, count);
  }
  return out;
}

export interface SimulatedReport {
  population: Population;
  /** Per archetype, and 'all' (every series as one set). */
  anomalies: Map<string, SetScore>;
  noAnomaly: Map<string, FalseAlarms>;
}

/** One population: labelled anomalies scored per archetype, and false alarms on series with none. */
export function simulatedReport(
  population: Population,
  perArchetype: number,
  cost: CostMatrix,
  options: Partial<DetectorOptions> = {},
): SimulatedReport {
  const labelled = simulatePopulation(population, true, perArchetype);
  const benchmark = simulatedBenchmark(labelled, cost);
  const run = runOurs(benchmark, options);
  const anomalies = scoreByCategory(benchmark, run);
  // Every series as one set: the same outcomes under one category.
  const asOne = (file: string) => `all/${file}`;
  const whole: NabBenchmark = { ...benchmark, categories: ['all'], files: benchmark.files.map(asOne) };
  const perFile = new Map([...run.perFile].map(([file, outcome]) => [asOne(file), outcome] as const));
  anomalies.set('all', scoreByCategory(whole, { ...run, perFile }).get('all')!);
  const noAnomaly = falseAlarms(simulatePopulation(population, false, perArchetype), options);
  return { population, anomalies, noAnomaly };
}
