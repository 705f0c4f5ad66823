import { DAY_MS, HOUR_MS } from '@boundless/common/time';

/**
 * When people read, by local hour: a small morning commute bump, lunch, and the evening peak before sleep.
 * Mean over the day is 1, so a reader's daily session rate keeps its meaning.
 */
const HOME_BY_HOUR = [
  0.55, 0.3, 0.15, 0.08, 0.06, 0.1, 0.35, 0.8, 0.9, 0.7, 0.65, 0.75, 1.05, 1.0, 0.85, 0.85, 0.95, 1.1, 1.35,
  1.65, 2.0, 2.3, 2.1, 1.3,
];
/** Campus readers: lectures and libraries, weekday office hours. */
const CAMPUS_BY_HOUR = [
  0.05, 0.02, 0.01, 0.01, 0.01, 0.02, 0.1, 0.5, 1.9, 2.8, 3.0, 2.8, 2.0, 2.8, 3.0, 2.7, 2.1, 1.2, 0.6, 0.45,
  0.4, 0.35, 0.2, 0.1,
];

export type Rhythm = 'home' | 'campus';

function normalise(table: number[]): number[] {
  const mean = table.reduce((a, b) => a + b, 0) / table.length;
  return table.map((v) => v / mean);
}

const TABLES: Record<Rhythm, number[]> = { home: normalise(HOME_BY_HOUR), campus: normalise(CAMPUS_BY_HOUR) };

/** Activity multiplier at an event time for someone living at `utcOffset`, interpolated between hours. */
export function activity(rhythm: Rhythm, utcOffset: number, epochMs: number): number {
  const local = epochMs + utcOffset * HOUR_MS;
  const hourFloat = (((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  const table = TABLES[rhythm];
  const h = Math.floor(hourFloat);
  const frac = hourFloat - h;
  const level = table[h]! * (1 - frac) + table[(h + 1) % 24]! * frac;
  // 1970-01-01 was a Thursday (4); no Date object on this hot path.
  const weekday = (Math.floor(local / DAY_MS) + 4) % 7;
  const weekend = weekday === 0 || weekday === 6;
  if (rhythm === 'campus') return weekend ? level * 0.1 : level;
  return weekend ? level * 1.25 : level;
}

/**
 * Release-day multiplier: session starts jump tenfold when the new title drops, then decay over hours as the
 * first wave of fans has had its fill.
 */
export function releaseBoost(releaseAt: number, epochMs: number): number {
  if (epochMs < releaseAt) return 1;
  return 1 + 9 * Math.exp(-(epochMs - releaseAt) / (75 * 60_000));
}
