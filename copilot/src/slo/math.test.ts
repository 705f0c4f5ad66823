import { describe, expect, it } from 'vitest';
import { burnRate, errorBudget } from './math.ts';

describe('Function: burnRate', () => {
  it('is 1 when the bad fraction equals the allowed fraction', () => {
    expect(burnRate(1, 1000, 0.999)).toBeCloseTo(1, 9);
  });

  it('is 14.4 when 1.44 % of requests fail against a 99.9 % objective', () => {
    expect(burnRate(144, 10_000, 0.999)).toBeCloseTo(14.4, 9);
  });

  it('is 0 without traffic rather than NaN', () => {
    expect(burnRate(0, 0, 0.9995)).toBe(0);
  });
});

describe('Function: errorBudget', () => {
  const window28d = 28 * 1440;

  it('reports consumption, remaining events and time to exhaustion', () => {
    // Prepare: 10,000 valid events allow 10 bad ones at 99.9 %; 4 happened; burning at 2x now.
    const budget = errorBudget({
      objective: 0.999,
      windowMinutes: window28d,
      validEvents: 10_000,
      badEvents: 4,
      currentBurnRate: 2,
    });

    // Assess: 0.6 of a 28-day budget lasts 0.6 * 28 d / 2 = 8.4 days at twice the sustainable rate.
    expect(budget.allowedBadEvents).toBeCloseTo(10, 9);
    expect(budget.remainingBadEvents).toBeCloseTo(6, 9);
    expect(budget.consumedFraction).toBeCloseTo(0.4, 9);
    expect(budget.remainingFraction).toBeCloseTo(0.6, 9);
    expect(budget.sli).toBeCloseTo(0.9996, 12);
    expect(budget.timeToExhaustionMs).toBeCloseTo(8.4 * 86_400_000, 0);
  });

  it('has no time to exhaustion when nothing burns', () => {
    const budget = errorBudget({
      objective: 0.999,
      windowMinutes: window28d,
      validEvents: 100,
      badEvents: 0,
      currentBurnRate: 0,
    });
    expect(budget.timeToExhaustionMs).toBeNull();
    expect(budget.consumedFraction).toBe(0);
  });

  it('is exhausted (time 0, negative remainder) once overspent', () => {
    const budget = errorBudget({
      objective: 0.999,
      windowMinutes: window28d,
      validEvents: 10_000,
      badEvents: 12,
      currentBurnRate: 0,
    });
    expect(budget.consumedFraction).toBeCloseTo(1.2, 9);
    expect(budget.remainingFraction).toBeCloseTo(-0.2, 9);
    expect(budget.timeToExhaustionMs).toBe(0);
  });

  it('reports no SLI without traffic', () => {
    const budget = errorBudget({
      objective: 0.9,
      windowMinutes: 60,
      validEvents: 0,
      badEvents: 0,
      currentBurnRate: 0,
    });
    expect(budget.sli).toBeNull();
    expect(budget.remainingFraction).toBe(1);
  });
});
