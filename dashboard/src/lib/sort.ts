import { budgetJudged } from './budget.ts';
import type { AlertState, SloStatus } from './types.ts';

/**
 * Objectives most in trouble first: least error budget left, then the worst alert state, then the highest
 * current burn, then by id so the order is stable between pushes. Objectives without enough traffic to judge
 * (`budgetJudged`) go last: they have nothing to say yet.
 */
export function sortSlosByBudget(slos: readonly SloStatus[]): SloStatus[] {
  return [...slos].sort((a, b) => {
    const aIdle = !budgetJudged(a);
    const bIdle = !budgetJudged(b);
    if (aIdle !== bIdle) return aIdle ? 1 : -1;
    return (
      a.budget.remainingFraction - b.budget.remainingFraction ||
      worstState(b) - worstState(a) ||
      b.budget.currentBurnRate - a.budget.currentBurnRate ||
      a.id.localeCompare(b.id)
    );
  });
}

const SEVERITY: Record<AlertState, number> = { firing: 3, pending: 2, low_traffic: 1, ok: 0 };

function worstState(slo: Pick<SloStatus, 'alerts'>): number {
  return Math.max(0, ...slo.alerts.map((a) => SEVERITY[a.state]));
}

export function worstAlertState(slo: Pick<SloStatus, 'alerts'>): AlertState {
  const worst = worstState(slo);
  return (Object.keys(SEVERITY) as AlertState[]).find((s) => SEVERITY[s] === worst) ?? 'ok';
}

/** Newest first by an ISO field, ties broken by id so equal times do not shuffle. */
export function newestFirst<T extends { id: string }>(items: readonly T[], at: (item: T) => string): T[] {
  return [...items].sort((a, b) => at(b).localeCompare(at(a)) || a.id.localeCompare(b.id));
}

/**
 * The function with the most invocations over the range (ties by name, so the choice is stable between pushes):
 * the one an operator opening the capacity page most likely came to see. `undefined` when there is none.
 */
export function busiestFunction(
  functions: readonly { name: string; points: readonly { invocations: number }[] }[],
): string | undefined {
  let best: { name: string; total: number } | undefined;
  for (const fn of functions) {
    const total = fn.points.reduce((sum, p) => sum + p.invocations, 0);
    if (!best || total > best.total || (total === best.total && fn.name.localeCompare(best.name) < 0))
      best = { name: fn.name, total };
  }
  return best?.name;
}
