import type { SloHistory, SloStatus } from './types.ts';

/**
 * Error budget left over a chart's range, Pyrra-style: 100 % at the range's start, then the share of the
 * budget the range's own traffic allowed that it has not spent, cumulatively. With V valid and B bad events
 * since the start and objective o, the range allowed (1 − o)·V bad events, so what is left is
 * 1 − B / ((1 − o)·V). It stays at 100 % until traffic arrives and goes below 0 once overspent.
 */
export function budgetSeries(points: SloHistory['points'], objective: number): number[] {
  const allowedShare = 1 - objective;
  let valid = 0;
  let bad = 0;
  return points.map((p) => {
    valid += p.validEvents;
    bad += p.badEvents;
    if (valid === 0 || allowedShare <= 0) return 1;
    return 1 - bad / (allowedShare * valid);
  });
}

/** Good over valid per step (the SLI), null for a step without traffic. */
export function sliSeries(points: SloHistory['points']): (number | null)[] {
  return points.map((p) => (p.validEvents > 0 ? (p.validEvents - p.badEvents) / p.validEvents : null));
}

/**
 * How long the remaining budget lasts at a burn rate: a burn of 1 spends the whole budget over the SLO
 * window, so `remaining × window / burn`. Null when nothing burns; 0 when none is left.
 */
export function timeToExhaustionMs(
  remainingFraction: number,
  windowMs: number,
  burnRate: number,
): number | null {
  if (remainingFraction <= 0) return 0;
  if (!(burnRate > 0)) return null;
  return (remainingFraction * windowMs) / burnRate;
}

/** `"28d"`, `"6h"`, `"5m"` to ms; 0 for anything else. */
export function windowMs(text: string): number {
  const match = /^(\d+)(m|h|d)$/.exec(text);
  if (!match) return 0;
  return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
}

/**
 * Whether an objective has seen enough traffic for its budget to be judged: the alerts' minimum-traffic rule
 * (each alert waits for `minEvents` valid events) applied to the budget too. A handful of requests after a
 * start, a few of them slow first requests, would otherwise read as a budget overspent many times over.
 */
export function budgetJudged(slo: Pick<SloStatus, 'budget' | 'alerts'>): boolean {
  return slo.budget.validEvents > 0 && !slo.alerts.every((a) => a.state === 'low_traffic');
}
