import type { SloEngine } from './engine.ts';
import { SloError } from './errors.ts';
import { burnRate } from './math.ts';
import { MINUTE_MS } from './tracker.ts';

/** One step of an SLO's history: the valid and bad events counted in it. */
export interface SloHistoryPoint {
  /** Start of the step (unix ms). */
  t: number;
  validEvents: number;
  badEvents: number;
}

export interface AlertBurnHistory {
  name: string;
  thresholdBurnRate: number;
  longMinutes: number;
  shortMinutes: number;
  /** Burn rate of each window as it stood at the end of each step (same length as `points`). */
  long: number[];
  short: number[];
}

export interface SloHistory {
  sloId: string;
  objective: number;
  stepMinutes: number;
  /** The range actually covered: clipped to what the engine still holds and to its last closed minute. */
  from: string | null;
  to: string | null;
  points: SloHistoryPoint[];
  alerts: AlertBurnHistory[];
}

/**
 * An SLO's per-step counts and each alert's burn rates over a time range, read from the engine's per-minute
 * ring (nothing else is stored). Burn rates are those the alert evaluated at the end of each step: the window
 * that ends there, so a chart of them against the threshold shows exactly when the pair could fire.
 */
export function sloHistory(
  engine: SloEngine,
  sloId: string,
  range: { fromMs: number; toMs: number },
  maxPoints = 360,
): SloHistory {
  const tracker = engine.trackers.find((t) => t.slo.id === sloId);
  if (!tracker) throw new SloError(`no SLO "${sloId}"`);
  const alerts = tracker.alertStates.map((s) => s.alert);
  const empty: SloHistory = {
    sloId,
    objective: tracker.slo.objective,
    stepMinutes: 1,
    from: null,
    to: null,
    points: [],
    alerts: alerts.map((a) => ({
      name: a.name,
      thresholdBurnRate: a.burnRate,
      longMinutes: a.longMinutes,
      shortMinutes: a.shortMinutes,
      long: [],
      short: [],
    })),
  };
  const closed = engine.closedThroughMs;
  if (closed === null) return empty;
  const open = closed / MINUTE_MS;
  const oldest = open - tracker.horizonMinutes;
  const end = Math.min(open, Math.floor(range.toMs / MINUTE_MS));
  const start = Math.max(oldest, Math.floor(range.fromMs / MINUTE_MS));
  if (end <= start) return empty;
  const widest = Math.max(0, ...alerts.map((a) => a.longMinutes));
  // Prefix sums from `base` so every window sum is two lookups; minutes before the ring's horizon count 0.
  const base = Math.max(oldest, start - widest);
  const span = end - base;
  const validSum = new Float64Array(span + 1);
  const badSum = new Float64Array(span + 1);
  for (let i = 0; i < span; i++) {
    const counts = tracker.minuteCounts(base + i);
    validSum[i + 1] = validSum[i]! + counts.validEvents;
    badSum[i + 1] = badSum[i]! + counts.badEvents;
  }
  const at = (minute: number) => Math.min(span, Math.max(0, minute - base));
  const stepMinutes = Math.max(1, Math.ceil((end - start) / maxPoints));
  const points: SloHistoryPoint[] = [];
  const history = empty.alerts;
  for (let stepStart = start; stepStart < end; stepStart += stepMinutes) {
    const stepEnd = Math.min(end, stepStart + stepMinutes);
    points.push({
      t: stepStart * MINUTE_MS,
      validEvents: validSum[at(stepEnd)]! - validSum[at(stepStart)]!,
      badEvents: badSum[at(stepEnd)]! - badSum[at(stepStart)]!,
    });
    alerts.forEach((alert, i) => {
      const windowBurn = (minutes: number) => {
        const from = at(stepEnd - minutes);
        const to = at(stepEnd);
        return burnRate(badSum[to]! - badSum[from]!, validSum[to]! - validSum[from]!, tracker.slo.objective);
      };
      history[i]!.long.push(windowBurn(alert.longMinutes));
      history[i]!.short.push(windowBurn(alert.shortMinutes));
    });
  }
  return {
    ...empty,
    stepMinutes,
    from: new Date(start * MINUTE_MS).toISOString(),
    to: new Date(end * MINUTE_MS).toISOString(),
    points,
    alerts: history,
  };
}
