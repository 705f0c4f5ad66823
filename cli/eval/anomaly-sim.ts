import { mulberry32 } from '@boundless/common/random';
import type { TimeWindow } from './nab-score.ts';

/**
 * A simulator of metric series of shapes the shipped NAB categories do not have: other sampling rates,
 * non-daily and weekly seasonality, counts, flat and quantised series, wandering levels, trends, irregular
 * sampling with long gaps. Each archetype draws its parameters from ranges; the validation population
 * draws its sampling intervals and periods from ranges the development population never uses, and its
 * seeds are set aside. Anomalies are labelled as NAB labels them: a window of 10 % of the series' rows
 * divided by the number of anomalies, centred on the anomaly's start.
 */

export type Population = 'development' | 'validation';

export const ARCHETYPES = [
  'flat',
  'noise',
  'skewed',
  'daily',
  'square',
  'weekly',
  'period',
  'counts',
  'wander',
  'quantised',
  'trend',
] as const;
export type Archetype = (typeof ARCHETYPES)[number];

type AnomalyKind = 'spike' | 'dip' | 'shift' | 'burst' | 'stuck' | 'drift' | 'flat_day';

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

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.UTC(2024, 0, 1);

/** Sampling intervals (minutes) and non-daily periods (hours) per population: disjoint on purpose. */
const RANGES: Record<Population, { intervals: number[]; period: [number, number] }> = {
  development: { intervals: [1, 5, 5, 60], period: [3, 9] },
  validation: { intervals: [2, 10, 15, 30], period: [10, 20] },
};

/** The first seed of each population: validation seeds are never used while choosing anything. */
const POPULATION_SEEDS: Record<Population, number> = { development: 1, validation: 70_001 };

type Rng = () => number;

function gauss(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function uniform(rng: Rng, low: number, high: number): number {
  return low + (high - low) * rng();
}

function poisson(rng: Rng, mean: number): number {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss(rng)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

/** Row times: a fixed interval, or jittered with a few long gaps. */
function sampleTimes(rng: Rng, rows: number, interval: number, irregular: boolean): number[] {
  const times: number[] = [];
  let t = START + Math.floor(rng() * DAY);
  const gaps = irregular
    ? new Set(Array.from({ length: 1 + Math.floor(rng() * 3) }, () => Math.floor(rng() * rows)))
    : undefined;
  for (let i = 0; i < rows; i++) {
    times.push(t);
    t += irregular ? Math.max(1000, Math.round(interval * uniform(rng, 0.5, 1.5))) : interval;
    if (gaps?.has(i)) t += Math.round(uniform(rng, 2, 24) * HOUR);
  }
  return times;
}

/** The normal behaviour of one archetype at the given times. */
function baseline(rng: Rng, archetype: Archetype, times: readonly number[], period: number): number[] {
  const level = 10 ** uniform(rng, -2, 4);
  const noise = level * uniform(rng, 0.01, 0.15);
  const amplitude = level * uniform(rng, 0.2, 0.8);
  const phase = rng() * 2 * Math.PI;
  const daily = (t: number) => Math.sin((2 * Math.PI * (t % DAY)) / DAY + phase);
  const span = times.at(-1)! - times[0]!;
  const step = noise * uniform(rng, 1, 3);
  const lambda = 10 ** uniform(rng, -0.5, 1.5);
  const persistence = Math.exp(-1 / uniform(rng, 20, 400));
  const weekend = uniform(rng, 0.3, 0.7);
  const growth = uniform(rng, 0.5, 3);
  let wander = 0;
  return times.map((t) => {
    const e = noise * gauss(rng);
    switch (archetype) {
      case 'flat':
        return level;
      case 'noise':
        return level + e;
      case 'skewed':
        return level * Math.exp(0.3 * gauss(rng));
      case 'daily':
        return level + amplitude * daily(t) + e;
      case 'square':
        return level + amplitude * Math.sign(daily(t)) + e;
      case 'weekly': {
        const weekday = Math.floor(t / DAY + 4) % 7; // 1970-01-01 was a Thursday
        return (level + amplitude * daily(t)) * (weekday === 0 || weekday === 6 ? weekend : 1) + e;
      }
      case 'period':
        return level + amplitude * Math.sin((2 * Math.PI * t) / period + phase) + e;
      case 'counts':
        return poisson(rng, lambda * (1 + 0.8 * daily(t)));
      case 'wander':
        wander = persistence * wander + Math.sqrt(1 - persistence ** 2) * gauss(rng);
        return level + amplitude * wander + 0.3 * e;
      case 'quantised':
        return step * Math.round((level + amplitude * daily(t) + e) / step);
      case 'trend':
        return level * (1 + (growth * (t - times[0]!)) / span) + e;
      default:
        throw new Error(`unknown archetype ${archetype satisfies never}`);
    }
  });
}

function spread(values: readonly number[]): { low: number; high: number; range: number; sd: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const low = sorted[Math.floor(0.01 * (sorted.length - 1))]!;
  const high = sorted[Math.floor(0.99 * (sorted.length - 1))]!;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { low, high, range: Math.max(high - low, 1e-9 + 0.05 * Math.abs(mean)), sd };
}

/** Rows from `start` whose time is within `durationMs` of the start row. */
function rowsFor(times: readonly number[], start: number, durationMs: number): number {
  let end = start;
  while (end < times.length && times[end]! - times[start]! <= durationMs) end++;
  return end;
}

/** Injects one anomaly of `kind` at row `at` (changes `values` in place). */
function inject(rng: Rng, kind: AnomalyKind, values: number[], times: readonly number[], at: number): void {
  const { low, high, range, sd } = spread(values);
  const n = values.length;
  const nonNegative = low >= 0;
  switch (kind) {
    case 'spike':
      values[at] = high + uniform(rng, 0.5, 1.5) * range;
      return;
    case 'dip':
      values[at] = nonNegative ? low * uniform(rng, 0, 0.2) : low - uniform(rng, 0.5, 1.5) * range;
      return;
    case 'shift': {
      const delta = uniform(rng, 0.6, 1.2) * range * (rng() < 0.5 && low - range > 0 ? -0.6 : 1);
      for (let i = at; i < n; i++) values[i]! += delta;
      return;
    }
    case 'drift': {
      const end = rowsFor(times, at, uniform(rng, 6, 24) * HOUR);
      const delta = uniform(rng, 0.8, 1.5) * range;
      for (let i = at; i < n; i++) values[i]! += delta * Math.min(1, (i - at) / Math.max(1, end - at));
      return;
    }
    case 'burst': {
      const end = rowsFor(times, at, uniform(rng, 1, 6) * HOUR);
      const scale = uniform(rng, 0.5, 1) * range + 3 * sd;
      for (let i = at; i < end; i++) values[i]! += scale * gauss(rng);
      return;
    }
    case 'stuck': {
      const end = rowsFor(times, at, uniform(rng, 4, 12) * HOUR);
      for (let i = at + 1; i < end; i++) values[i] = values[at]!;
      return;
    }
    case 'flat_day': {
      const end = rowsFor(times, at, uniform(rng, 8, 24) * HOUR);
      const mean = values.slice(at, end).reduce((s, v) => s + v, 0) / Math.max(1, end - at);
      for (let i = at; i < end; i++) values[i] = mean + 0.1 * (values[i]! - mean);
      return;
    }
  }
}

/** Anomalies a labeller would see on each archetype (a stuck flat series is no anomaly). */
function kindsFor(archetype: Archetype): AnomalyKind[] {
  switch (archetype) {
    case 'flat':
      return ['spike', 'dip', 'shift', 'burst'];
    case 'daily':
    case 'square':
    case 'weekly':
    case 'quantised':
      return ['spike', 'dip', 'shift', 'burst', 'stuck', 'drift', 'flat_day'];
    case 'counts':
      return ['spike', 'shift', 'burst'];
    default:
      return ['spike', 'dip', 'shift', 'burst', 'stuck', 'drift'];
  }
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
  const intervalMs = pick(rng, ranges.intervals) * MINUTE;
  const irregular = rng() < 0.25;
  const rows = Math.round(uniform(rng, 3000, 8000));
  const timestamps = sampleTimes(rng, rows, intervalMs, irregular);
  const period = uniform(rng, ...ranges.period) * HOUR;
  const values = baseline(rng, archetype, timestamps, period);
  const windows: TimeWindow[] = [];
  const kinds: AnomalyKind[] = [];
  if (anomalies) {
    const count = 1 + Math.floor(rng() * 3);
    const width = Math.max(2, Math.floor((0.1 * rows) / count));
    // After NAB's probation and two days of history, with room for each window: one slot per anomaly.
    const first = Math.max(Math.ceil(0.15 * rows), rowsFor(timestamps, 0, 2 * DAY)) + width;
    const slot = Math.floor((rows - first - width) / count);
    for (let k = 0; k < count && slot > width; k++) {
      const at = first + k * slot + Math.floor(rng() * (slot - width));
      const kind = pick(rng, kindsFor(archetype));
      inject(rng, kind, values, timestamps, at);
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
