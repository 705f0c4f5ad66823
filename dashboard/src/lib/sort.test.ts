import { describe, expect, it } from 'vitest';
import { busiestFunction, newestFirst, sortSlosByBudget, worstAlertState } from './sort.ts';
import type { AlertState, SloStatus } from './types.ts';

function slo(id: string, remaining: number, valid = 100, states: AlertState[] = ['ok'], burn = 0): SloStatus {
  return {
    id,
    description: id,
    sli: { kind: 'availability' },
    objective: 0.999,
    window: '28d',
    budget: {
      validEvents: valid,
      badEvents: 0,
      sli: 1,
      allowedBadEvents: 0,
      remainingBadEvents: 0,
      consumedFraction: 1 - remaining,
      remainingFraction: remaining,
      currentBurnRate: burn,
      timeToExhaustionMs: null,
    },
    alerts: states.map((state, i) => ({
      name: `a${i}`,
      action: 'page',
      thresholdBurnRate: 14.4,
      minEvents: 100,
      state,
      long: { minutes: 60, validEvents: valid, badEvents: 0, burnRate: 0 },
      short: { minutes: 5, validEvents: valid, badEvents: 0, burnRate: 0 },
      firing: state === 'firing',
      firingSince: null,
    })),
  };
}

describe('Function: sortSlosByBudget', () => {
  it('puts the least budget first, then the worst alert, then the hottest burn, and idle objectives last', () => {
    const sorted = sortSlosByBudget([
      slo('idle', 1, 0),
      slo('healthy', 0.9),
      slo('spent', -0.2),
      slo('burning', 0.5, 100, ['ok'], 3),
      slo('paging', 0.5, 100, ['firing']),
      slo('calm', 0.5),
    ]);
    expect(sorted.map((s) => s.id)).toEqual(['spent', 'paging', 'burning', 'calm', 'healthy', 'idle']);
  });

  it('names the worst state of an objective', () => {
    expect(worstAlertState(slo('x', 1, 100, ['ok', 'low_traffic', 'pending']))).toBe('pending');
    expect(worstAlertState(slo('x', 1, 100, []))).toBe('ok');
  });
});

describe('Function: newestFirst', () => {
  it('orders by time and breaks ties by id', () => {
    const items = [
      { id: 'b', at: '2026-01-01T00:00:00Z' },
      { id: 'a', at: '2026-01-01T00:00:00Z' },
      { id: 'c', at: '2026-01-02T00:00:00Z' },
    ];
    expect(newestFirst(items, (i) => i.at).map((i) => i.id)).toEqual(['c', 'a', 'b']);
  });
});

describe('Function: busiestFunction', () => {
  const fn = (name: string, ...invocations: number[]) => ({
    name,
    points: invocations.map((n) => ({ invocations: n })),
  });

  it('picks the function with the most invocations, not the first by name', () => {
    expect(busiestFunction([fn('a-auth', 1, 2), fn('z-download', 40, 0), fn('m-list', 5, 5)])).toBe(
      'z-download',
    );
  });

  it('breaks ties by name and answers undefined without functions', () => {
    expect(busiestFunction([fn('b', 3), fn('a', 1, 2)])).toBe('a');
    expect(busiestFunction([])).toBeUndefined();
  });
});
