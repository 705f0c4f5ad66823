import { mulberry32 } from '@boundless/common/random';
import type { TimeWindow } from './nab-score.ts';
import {
  type AnomalyKind,
  type Archetype,
  ARCHETYPES,
  baseline,
  inject,
  kindsFor,
  onLattice,
  pick,
  type Rng,
  rowsFor,
  uniform,
} from './anomaly-sim-shapes.ts';
import { MINUTE_MS, HOUR_MS, DAY_MS } from '@boundless/common/time';

export { ARCHETYPES, type Archetype } from './anomaly-sim-shapes.ts';

/**
 * A simulator of metric series of shapes the shipped NAB categories do not have: other sampling rates,
 * non-daily and weekly seasonality, counts, flat and quantised series, wandering levels, trends, irregular
 * sampling with long gaps. Each archetype draws its parameters from ranges; the validation population
 * draws its sampling intervals and periods from ranges the development population never uses, and its
 * seeds are set aside. Anomalies are labelled as NAB labels them: a window of 10 % of the series' rows
 * divided by the number of anomalies, centred on the anomaly's start.
 */

export type Population = 'development' | 'validation';

export interface SimulatedSeries {
  name: string;
  archetype: Archetype;
  intervalMs: number;
  irregular: boolean;
  timestamps: number[];
  values: number[];
  windows: TimeWindow[];
  anomalies: AnomalyKind[];
}

const START = Date.UTC(2024, 0, 1);

/** Sampling intervals (minutes) and non-daily periods (hours) per population: disjoint on purpose. */
const RANGES: Record<Population, { intervals: number[]; period: [number, number] }> = {
  development: { intervals: [1, 5, 5, 60], period: [3, 9] },
  validation: { intervals: [2, 10, 15, 30], period: [10, 20] },
};

/** The first seed of each population: validation seeds are never used while choosing anything. */
const POPULATION_SEEDS: Record<Population, number> = { development: 1, validation: 70_001 };

/** Row times: a fixed interval, or jittered with a few long gaps. */
function sampleTimes(rng: Rng, rows: number, interval: number, irregular: boolean): number[] {
  const times: number[] = [];
  let t = START + Math.floor(rng() * DAY_MS);
  const gaps = irregular
    ? new Set(Array.from({ length: 1 + Math.floor(rng() * 3) }, () => Math.floor(rng() * rows)))
    : undefined;
  for (let i = 0; i < rows; i++) {
    times.push(t);
    t += irregular ? Math.max(1000, Math.round(interval * uniform(rng, 0.5, 1.5))) : interval;
    if (gaps?.has(i)) t += Math.round(uniform(rng, 2, 24) * HOUR_MS);
  }
  return times;
}

/**
 * One series. `anomalies` false: a series with no anomaly (for false alarms per series-week). Rows: 3,000 to
 * 8,000, so a 1-minute series lasts two to five days and an hourly one four months to a year.
 */
export function simulateSeries(
  seed: number,
  population: Population,
  archetype: Archetype,
  anomalies: boolean,
): SimulatedSeries {
  const rng = mulberry32(seed);
  const ranges = RANGES[population];
  const intervalMs = pick(rng, ranges.intervals) * MINUTE_MS;
  const irregular = rng() < 0.25;
  const rows = Math.round(uniform(rng, 3000, 8000));
  const timestamps = sampleTimes(rng, rows, intervalMs, irregular);
  const period = uniform(rng, ...ranges.period) * HOUR_MS;
  const { values, lattice } = baseline(rng, archetype, timestamps, period);
  const windows: TimeWindow[] = [];
  const kinds: AnomalyKind[] = [];
  if (anomalies) {
    const count = 1 + Math.floor(rng() * 3);
    const width = Math.max(2, Math.floor((0.1 * rows) / count));
    // After NAB's probation and two days of history, with room for each window: one slot per anomaly.
    const first = Math.max(Math.ceil(0.15 * rows), rowsFor(timestamps, 0, 2 * DAY_MS)) + width;
    const slot = Math.floor((rows - first - width) / count);
    for (let k = 0; k < count && slot > width; k++) {
      const at = first + k * slot + Math.floor(rng() * (slot - width));
      const kind = pick(rng, kindsFor(archetype));
      inject(rng, kind, values, timestamps, at);
      onLattice(values, lattice);
      kinds.push(kind);
      const left = Math.max(0, at - (width >> 1));
      windows.push({ start: timestamps[left]!, end: timestamps[Math.min(rows - 1, left + width - 1)]! });
    }
  }
  const name = `${population}-${archetype}-${seed}`;
  return { name, archetype, intervalMs, irregular, timestamps, values, windows, anomalies: kinds };
}

/**
 * Series per archetype at most: archetype `a`'s seeds start at `a × MAX_PER_ARCHETYPE` past the population's
 * first, so more would give two archetypes the same seeds (the same sampling and parameter draws).
 */
export const MAX_PER_ARCHETYPE = 100;

/** A population: every archetype `perArchetype` times, seeds counted from the population's first seed. */
export function simulatePopulation(
  population: Population,
  anomalies: boolean,
  perArchetype: number,
): SimulatedSeries[] {
  const base = POPULATION_SEEDS[population] + (anomalies ? 0 : 10_000);
  const series: SimulatedSeries[] = [];
  ARCHETYPES.forEach((archetype, a) => {
    for (let k = 0; k < perArchetype; k++)
      series.push(simulateSeries(base + a * MAX_PER_ARCHETYPE + k, population, archetype, anomalies));
  });
  return series;
}
