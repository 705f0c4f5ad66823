/**
 * Error-budget arithmetic of the SRE workbook, on plain counts so it can be checked by hand.
 * A burn rate of 1 spends exactly the whole budget over the SLO window; 14.4 spends 2 % of a 30-day budget in
 * one hour.
 */

/** Fraction of valid events that were bad, divided by the fraction the objective allows. No traffic burns nothing. */
export function burnRate(badEvents: number, validEvents: number, objective: number): number {
  if (validEvents <= 0) return 0;
  return badEvents / validEvents / (1 - objective);
}

export interface ErrorBudget {
  validEvents: number;
  badEvents: number;
  /** Good over valid events in the SLO window; null without traffic. */
  sli: number | null;
  /** Bad events the objective allows for the traffic seen so far in the window. */
  allowedBadEvents: number;
  /** Allowed minus actual bad events; negative once the budget is overspent. */
  remainingBadEvents: number;
  /** Share of the budget spent: 0 untouched, 1 exhausted, above 1 overspent. */
  consumedFraction: number;
  remainingFraction: number;
  /** Burn rate over the current-burn window (e.g. the last hour). */
  currentBurnRate: number;
  /**
   * At the current burn rate, milliseconds until the remaining budget is gone: remaining fraction times the SLO
   * window divided by the burn rate. 0 when already exhausted, null when nothing is burning.
   */
  timeToExhaustionMs: number | null;
}

export interface BudgetInput {
  objective: number;
  windowMinutes: number;
  validEvents: number;
  badEvents: number;
  currentBurnRate: number;
}

export function errorBudget(input: BudgetInput): ErrorBudget {
  const { objective, windowMinutes, validEvents, badEvents, currentBurnRate } = input;
  const allowedBadEvents = (1 - objective) * validEvents;
  const consumedFraction = validEvents > 0 ? badEvents / allowedBadEvents : 0;
  const remainingFraction = 1 - consumedFraction;
  let timeToExhaustionMs: number | null = null;
  if (remainingFraction <= 0) timeToExhaustionMs = 0;
  else if (currentBurnRate > 0)
    timeToExhaustionMs = (remainingFraction * windowMinutes * 60_000) / currentBurnRate;
  return {
    validEvents,
    badEvents,
    sli: validEvents > 0 ? (validEvents - badEvents) / validEvents : null,
    allowedBadEvents,
    remainingBadEvents: allowedBadEvents - badEvents,
    consumedFraction,
    remainingFraction,
    currentBurnRate,
    timeToExhaustionMs,
  };
}
