import { PrewarmError } from './errors.ts';

const MINUTE_MS = 60_000;

/**
 * One minute of a function's demand, as the planner reads it. `time` is epoch ms; `timestamp` keeps the
 * input text so a plan echoes it verbatim. Any loader that yields these fields feeds the planner.
 */
export interface DemandMinute {
  readonly time: number;
  readonly timestamp: string;
  /** Requests that arrived during the minute. */
  readonly requests: number;
  /** Requests in the busiest second of the minute. */
  readonly peakRps: number;
}

/**
 * Concurrency is arrivals × duration (Little's law). A minute's peak concurrency comes from its busiest
 * second; a request longer than a second also overlaps the seconds before it, at the minute's mean rate.
 */
export function peakConcurrency(requests: number, peakRps: number, durationMs: number): number {
  const seconds = durationMs / 1000;
  return peakRps * Math.min(seconds, 1) + (requests / 60) * Math.max(0, seconds - 1);
}

export function meanConcurrency(requests: number, durationMs: number): number {
  return (requests / 60) * (durationMs / 1000);
}

/**
 * The demand of a service of `factor` independent audiences like the trace's (DESIGN §4.2, the meaning of
 * `--scale` everywhere): requests ×factor, and the busiest second's excess over the minute's mean
 * ×√factor, because the busiest second of a sum of independent audiences rises above the mean by the
 * spread of that sum, which grows like the square root of their number. Row i depends on input row i only.
 */
export function scaleAudiences<T extends DemandMinute>(minutes: readonly T[], factor: number): T[] {
  if (!(factor > 0) || !Number.isFinite(factor)) {
    throw new PrewarmError(`scale must be a positive number, got ${factor}`);
  }
  const spread = Math.sqrt(factor);
  return minutes.map((minute) => {
    const mean = minute.requests / 60;
    const requests = minute.requests * factor;
    const excess = Math.max(0, minute.peakRps - mean) * spread;
    return { ...minute, requests, peakRps: Math.min(requests, requests / 60 + excess) };
  });
}

/**
 * Inserts idle minutes where the trace has none so that row i is minute i; simulators need a dense clock.
 * Inserted rows carry an ISO timestamp in UTC.
 */
export function fillMissingMinutes(minutes: readonly DemandMinute[]): {
  minutes: DemandMinute[];
  filled: number;
} {
  const dense: DemandMinute[] = [];
  let filled = 0;
  for (const minute of minutes) {
    const previous = dense[dense.length - 1];
    if (previous) {
      for (let time = previous.time + MINUTE_MS; time <= minute.time - MINUTE_MS; time += MINUTE_MS) {
        dense.push({ time, timestamp: new Date(time).toISOString(), requests: 0, peakRps: 0 });
        filled++;
      }
    }
    dense.push(minute);
  }
  return { minutes: dense, filled };
}

/** Where a trace has no rows: how many minutes are missing, in how many gaps, and the longest gap. */
export interface TraceGaps {
  missingMinutes: number;
  gaps: number;
  longestMinutes: number;
}

/**
 * The gaps between a trace's minutes (in time order): a plan of such a trace has no row for them, so whatever
 * applies it holds the row before (a scheduled action stays until the next), idle or not.
 */
export function gapsOf(minutes: readonly { time: number }[]): TraceGaps {
  const out: TraceGaps = { missingMinutes: 0, gaps: 0, longestMinutes: 0 };
  for (let i = 1; i < minutes.length; i++) {
    const missing = Math.round((minutes[i]!.time - minutes[i - 1]!.time) / MINUTE_MS) - 1;
    if (missing <= 0) continue;
    out.missingMinutes += missing;
    out.gaps++;
    out.longestMinutes = Math.max(out.longestMinutes, missing);
  }
  return out;
}

/**
 * A plan made on a trace's own rows, laid on the dense clock {@link fillMissingMinutes} made of it: each minute
 * gets the capacity of the latest planned row at or before it (provisioned concurrency stays until changed),
 * and 0 before the first. So a simulation runs the very plan `prewarm plan` gives for the trace with its gaps.
 */
export function holdOnClock(
  times: readonly number[],
  capacity: ArrayLike<number>,
  clock: readonly { time: number }[],
): Int32Array {
  const held = new Int32Array(clock.length);
  let row = -1;
  clock.forEach(({ time }, minute) => {
    while (row + 1 < times.length && times[row + 1]! <= time) row++;
    held[minute] = row >= 0 ? capacity[row]! : 0;
  });
  return held;
}
