/**
 * The simulator's shapes: what each archetype's normal behaviour is, and the anomalies a person would label
 * on it. The archetypes after `trend` stand in, in words only, for kinds of series the shipped categories
 * lack: heavy-tailed bursty counts with a daily cycle (mentions, requests), a free-flowing level with
 * weekday rush-hour drops (road traffic), noiseless sines and square waves (synthetic or computed series),
 * a daily cycle on a slow multi-week wave (temperatures, seasonal demand), and a level that switches
 * between a few regimes (a machine's load).
 */
import { HOUR_MS, DAY_MS } from '@boundless/common/time';

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
  'bursty',
  'rush',
  'clean',
  'slowwave',
  'regimes',
] as const;
export type Archetype = (typeof ARCHETYPES)[number];

export type AnomalyKind =
  | 'spike'
  | 'dip'
  | 'shift'
  | 'burst'
  | 'stuck'
  | 'drift'
  | 'flat_day'
  | 'surge'
  | 'slump';

export type Rng = () => number;

const weekdayOf = (t: number) => Math.floor(t / DAY_MS + 4) % 7; // 1970-01-01 was a Thursday

function gauss(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

export function uniform(rng: Rng, low: number, high: number): number {
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

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

/**
 * The values a series can take: multiples of `step`, none below `floor` (counts: whole numbers, never
 * negative). An anomaly keeps to its series' lattice, so no detector can find it by its digits.
 */
export interface Lattice {
  step: number;
  floor: number;
}

const COUNTS: Lattice = { step: 1, floor: 0 };

/** Puts every value on the lattice (a value already on it is unchanged, bit for bit). */
export function onLattice(values: number[], lattice: Lattice | undefined): void {
  if (!lattice) return;
  for (let i = 0; i < values.length; i++)
    values[i] = Math.max(lattice.floor, lattice.step * Math.round(values[i]! / lattice.step));
}

/** The normal behaviour of one archetype at the given times, and the lattice its values keep to (if any). */
export function baseline(
  rng: Rng,
  archetype: Archetype,
  times: readonly number[],
  period: number,
): { values: number[]; lattice?: Lattice } {
  const values = baselineValues(rng, archetype, times, period);
  // The step is the `quantised` archetype's; drawn for every archetype, so the draws stay in order.
  const lattice =
    archetype === 'counts' || archetype === 'bursty'
      ? COUNTS
      : archetype === 'quantised'
        ? { step: values.step, floor: Number.NEGATIVE_INFINITY }
        : undefined;
  return { values: values.values, lattice };
}

function baselineValues(
  rng: Rng,
  archetype: Archetype,
  times: readonly number[],
  period: number,
): { values: number[]; step: number } {
  const level = 10 ** uniform(rng, -2, 4);
  const noise = level * uniform(rng, 0.01, 0.15);
  const amplitude = level * uniform(rng, 0.2, 0.8);
  const phase = rng() * 2 * Math.PI;
  const daily = (t: number) => Math.sin((2 * Math.PI * (t % DAY_MS)) / DAY_MS + phase);
  const span = times.at(-1)! - times[0]!;
  const step = noise * uniform(rng, 1, 3);
  const lambda = 10 ** uniform(rng, -0.5, 1.5);
  const persistence = Math.exp(-1 / uniform(rng, 20, 400));
  const weekend = uniform(rng, 0.3, 0.7);
  const growth = uniform(rng, 0.5, 3);
  if (archetype === 'bursty' || archetype === 'rush' || archetype === 'clean' || archetype === 'slowwave')
    return {
      values: newerBaseline(rng, archetype, times, { level, noise, amplitude, daily, lambda, weekend }),
      step,
    };
  if (archetype === 'regimes') return { values: regimes(rng, times, level, noise), step };
  let wander = 0;
  const values = times.map((t) => {
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
        const weekday = weekdayOf(t);
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
  return { values, step };
}

interface Common {
  level: number;
  noise: number;
  amplitude: number;
  daily: (t: number) => number;
  lambda: number;
  weekend: number;
}

/** The newer archetypes draw their own parameters after the common ones, so the older series do not change. */
function newerBaseline(
  rng: Rng,
  archetype: 'bursty' | 'rush' | 'clean' | 'slowwave',
  times: readonly number[],
  c: Common,
): number[] {
  const t0 = times[0]!;
  switch (archetype) {
    case 'bursty': {
      // Counts per step whose rate carries a daily cycle, a log-normal mood that lasts a few steps and,
      // now and then, a heavy-tailed (Pareto) burst of a few steps: all normal for such a series.
      const rate = 10 ** uniform(rng, 0, 2.5);
      const sigma = uniform(rng, 0.3, 0.9);
      const memory = Math.exp(-1 / uniform(rng, 3, 30));
      const tail = uniform(rng, 1.5, 3);
      let mood = 0;
      let burst = 1;
      let burstLeft = 0;
      return times.map((t) => {
        mood = memory * mood + Math.sqrt(1 - memory ** 2) * gauss(rng);
        if (burstLeft > 0) burstLeft--;
        else if (rng() < 0.003) {
          burst = Math.max(rng(), 1e-6) ** (-1 / tail);
          burstLeft = 1 + Math.floor(rng() * 3);
        } else burst = 1;
        return poisson(rng, rate * (1 + 0.8 * c.daily(t)) * Math.exp(sigma * mood - sigma ** 2 / 2) * burst);
      });
    }
    case 'rush': {
      // A free-flowing level that drops twice on weekdays (morning and evening rush), never on weekends.
      const depth = uniform(rng, 0.3, 0.7);
      const width = uniform(rng, 0.5, 1.5) * HOUR_MS;
      const morning = uniform(rng, 6, 9) * HOUR_MS;
      const evening = uniform(rng, 15, 19) * HOUR_MS;
      const bump = (phase: number, centre: number) => Math.exp(-(((phase - centre) / width) ** 2));
      return times.map((t) => {
        const weekday = weekdayOf(t);
        const phase = t % DAY_MS;
        const rush =
          weekday === 0 || weekday === 6 ? 0 : Math.max(bump(phase, morning), bump(phase, evening));
        return c.level * (1 - depth * rush) + 0.5 * c.noise * gauss(rng);
      });
    }
    case 'clean': {
      // Noiseless: a daily sine or a perfect daily square wave.
      const square = rng() < 0.5;
      return times.map((t) => c.level + c.amplitude * (square ? Math.sign(c.daily(t)) : c.daily(t)));
    }
    case 'slowwave': {
      // A daily cycle riding on a slow wave of 10 to 60 days (seasons, a slow drift that comes back).
      const wavePeriod = uniform(rng, 10, 60) * DAY_MS;
      const depth = uniform(rng, 0.2, 0.5);
      const phase = rng() * 2 * Math.PI;
      return times.map(
        (t) =>
          c.level * (1 + depth * Math.sin((2 * Math.PI * (t - t0)) / wavePeriod + phase)) +
          c.amplitude * c.daily(t) +
          c.noise * gauss(rng),
      );
    }
  }
}

/** A level that switches at random between two or three regimes (idle, busy, …), each lasting hours to days. */
function regimes(rng: Rng, times: readonly number[], level: number, noise: number): number[] {
  const count = 2 + Math.floor(rng() * 2);
  const levels = Array.from({ length: count }, (_, k) => level * (1 + k * uniform(rng, 0.3, 1)));
  const meanStay = uniform(rng, 3, 48) * HOUR_MS;
  let current = 0;
  let until = times[0]!;
  return times.map((t) => {
    if (t >= until) {
      current = (current + 1 + Math.floor(rng() * (count - 1))) % count;
      until = t - meanStay * Math.log(Math.max(rng(), 1e-6));
    }
    return levels[current]! + noise * gauss(rng);
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
export function rowsFor(times: readonly number[], start: number, durationMs: number): number {
  let end = start;
  while (end < times.length && times[end]! - times[start]! <= durationMs) end++;
  return end;
}

/** Injects one anomaly of `kind` at row `at` (changes `values` in place). */
export function inject(
  rng: Rng,
  kind: AnomalyKind,
  values: number[],
  times: readonly number[],
  at: number,
): void {
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
      const end = rowsFor(times, at, uniform(rng, 6, 24) * HOUR_MS);
      const delta = uniform(rng, 0.8, 1.5) * range;
      for (let i = at; i < n; i++) values[i]! += delta * Math.min(1, (i - at) / Math.max(1, end - at));
      return;
    }
    case 'burst': {
      const end = rowsFor(times, at, uniform(rng, 1, 6) * HOUR_MS);
      const scale = uniform(rng, 0.5, 1) * range + 3 * sd;
      for (let i = at; i < end; i++) values[i]! += scale * gauss(rng);
      return;
    }
    case 'stuck': {
      const end = rowsFor(times, at, uniform(rng, 4, 12) * HOUR_MS);
      for (let i = at + 1; i < end; i++) values[i] = values[at]!;
      return;
    }
    case 'surge': {
      // A sustained surge: several times the usual level for hours (a mention storm, a flood of requests).
      const end = rowsFor(times, at, uniform(rng, 1, 6) * HOUR_MS);
      const factor = uniform(rng, 3, 8);
      for (let i = at; i < end; i++) values[i] = Math.max(values[i]!, 0) * factor + 0.5 * range;
      return;
    }
    case 'slump': {
      // A sustained drop to a fraction of the level for half an hour to four hours (an incident, an outage).
      const end = rowsFor(times, at, uniform(rng, 0.5, 4) * HOUR_MS);
      const factor = uniform(rng, 0, 0.4);
      for (let i = at; i < end; i++)
        values[i] = low + factor * (values[i]! - low) - (nonNegative ? 0 : range);
      return;
    }
    case 'flat_day': {
      const end = rowsFor(times, at, uniform(rng, 8, 24) * HOUR_MS);
      const mean = values.slice(at, end).reduce((s, v) => s + v, 0) / Math.max(1, end - at);
      for (let i = at; i < end; i++) values[i] = mean + 0.1 * (values[i]! - mean);
      return;
    }
  }
}

/** Anomalies a labeller would see on each archetype (a stuck flat series is no anomaly). */
export function kindsFor(archetype: Archetype): AnomalyKind[] {
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
    case 'bursty':
      return ['surge', 'shift', 'slump'];
    case 'rush':
      return ['slump', 'stuck', 'spike', 'shift'];
    case 'clean':
    case 'slowwave':
      return ['spike', 'dip', 'shift', 'stuck', 'drift', 'flat_day'];
    default:
      return ['spike', 'dip', 'shift', 'burst', 'stuck', 'drift'];
  }
}
