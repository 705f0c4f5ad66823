import { describe, expect, it } from 'vitest';
import { budgetJudged, budgetSeries, sliSeries, timeToExhaustionMs, windowMs } from './budget.ts';

const p = (validEvents: number, badEvents: number) => ({ t: 0, validEvents, badEvents });

describe('Function: budgetSeries', () => {
  it('starts at 100 % and spends the budget the range allowed, cumulatively', () => {
    // Objective 0.99: 1 % of valid events may fail. 100 clean, then 100 with 1 bad (half of 2 allowed),
    // then 100 with 3 bad (4 of 3 allowed: overspent by a third).
    const series = budgetSeries([p(0, 0), p(100, 0), p(100, 1), p(100, 3)], 0.99);
    expect(series[0]).toBe(1);
    expect(series[1]).toBe(1);
    expect(series[2]).toBeCloseTo(0.5, 9);
    expect(series[3]).toBeCloseTo(1 - 4 / 3, 9);
  });

  it('reads the SLI per step and leaves empty steps empty', () => {
    expect(sliSeries([p(0, 0), p(4, 1)])).toEqual([null, 0.75]);
  });
});

describe('Function: timeToExhaustionMs', () => {
  it('lasts remaining × window / burn', () => {
    const day = 86_400_000;
    // Half the 28-day budget left at a burn of 2: the half lasts 7 days.
    expect(timeToExhaustionMs(0.5, 28 * day, 2)).toBe(7 * day);
    expect(timeToExhaustionMs(0.5, 28 * day, 0)).toBeNull();
    expect(timeToExhaustionMs(-0.1, 28 * day, 2)).toBe(0);
    expect(windowMs('28d')).toBe(28 * day);
    expect(windowMs('5m')).toBe(300_000);
  });
});

describe('budgetJudged', () => {
  const status = (validEvents: number, states: ('ok' | 'low_traffic' | 'firing')[]) => ({
    budget: { validEvents, remainingFraction: -5 } as never,
    alerts: states.map((state) => ({ state })) as never,
  });

  it('waits for the traffic the alerts wait for before judging a budget', () => {
    expect(budgetJudged(status(13, ['low_traffic', 'low_traffic']))).toBe(false);
    expect(budgetJudged(status(0, ['ok']))).toBe(false);
    expect(budgetJudged(status(400, ['ok', 'low_traffic']))).toBe(true);
    expect(budgetJudged(status(400, ['firing']))).toBe(true);
  });
});
