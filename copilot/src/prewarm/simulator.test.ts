import { describe, expect, it } from 'vitest';
import { concurrencyPerSecond, secondArrivals } from './arrivals.ts';
import { constantPolicy } from './policies.ts';
import { LAMBDA_PRICES, breakEvenUtilisation } from './pricing.ts';
import { simulate, simulatePeriods } from './simulator.ts';

function seconds(minutes: number, busy: Record<number, number>): Float64Array {
  const series = new Float64Array(minutes * 60);
  for (const [second, value] of Object.entries(busy)) series[Number(second)] = value;
  return series;
}

const oneSecond = { durationMs: 1000, keepAliveMinutes: 1 };

describe('Function: simulate', () => {
  describe('cold starts', () => {
    it('starts environments only above what the keep-alive window already warmed', () => {
      // 3 new environments, 2 reused ten seconds later, then at second 75 only 2 are still warm.
      const demand = seconds(2, { 10: 3, 20: 2, 75: 3 });
      const result = simulate(demand, demand, constantPolicy('none', 0), oneSecond);
      expect(result.coldStarts).toBe(4);
    });

    it('serves from provisioned environments first and starts only the overflow', () => {
      const demand = seconds(2, { 10: 3, 20: 2, 75: 3 });
      const result = simulate(demand, demand, constantPolicy('two', 2), oneSecond);
      // One overflow environment at second 10; it has idled past its keep-alive by second 75.
      expect(result.coldStarts).toBe(2);
    });

    it('rounds fractional concurrency up to whole environments', () => {
      const demand = seconds(1, { 5: 0.2 });
      expect(simulate(demand, demand, constantPolicy('none', 0), oneSecond).coldStarts).toBe(1);
    });

    it('simulates the warm-up but does not count it', () => {
      const demand = seconds(2, { 10: 3, 70: 4 });
      const result = simulate(demand, demand, constantPolicy('none', 0), {
        ...oneSecond,
        evaluateFromMinute: 1,
      });
      expect(result.coldStarts).toBe(1);
    });
  });

  describe('cost', () => {
    const steady = new Float64Array(60).fill(1);

    it('bills on-demand duration and requests at list prices', () => {
      const result = simulate(steady, steady, constantPolicy('none', 0), oneSecond);
      expect(result.onDemandCost).toBeCloseTo(60 * 0.0000166667, 12);
      expect(result.requestCost).toBeCloseTo(60 * 0.2e-6, 12);
      expect(result.provisionedCost).toBe(0);
      expect(result.totalCost).toBeCloseTo(result.onDemandCost + result.requestCost, 12);
    });

    it('bills provisioned capacity whether busy or not, plus its cheaper duration when busy', () => {
      const full = simulate(steady, steady, constantPolicy('one', 1), oneSecond);
      expect(full.provisionedCost).toBeCloseTo(60 * 0.0000041667 + 60 * 0.0000097222, 12);
      expect(full.onDemandCost).toBe(0);
      expect(full.utilisation).toBe(1);
      const half = simulate(steady, steady, constantPolicy('two', 2), oneSecond);
      expect(half.provisionedCost).toBeCloseTo(120 * 0.0000041667 + 60 * 0.0000097222, 12);
      expect(half.utilisation).toBe(0.5);
    });

    it('scales GB-seconds with memory', () => {
      const small = simulate(steady, steady, constantPolicy('none', 0), { ...oneSecond, memoryMb: 512 });
      expect(small.onDemandCost).toBeCloseTo(30 * 0.0000166667, 12);
    });

    it('makes provisioned concurrency pay off only above about 60 % utilisation', () => {
      expect(breakEvenUtilisation(LAMBDA_PRICES)).toBeCloseTo(0.6, 2);
    });
  });

  it('counts each period apart in one run, each seeing the state earlier minutes left', () => {
    // Minute 0 starts 3 environments; minute 1 reuses 2 of them; minute 2, past the keep-alive, starts 3.
    const demand = seconds(3, { 10: 3, 70: 2, 160: 3 });
    const [first, rest] = simulatePeriods(demand, demand, constantPolicy('none', 0), oneSecond, [
      { fromMinute: 0, toMinute: 1 },
      { fromMinute: 1, toMinute: 3 },
    ]);
    expect(first!.coldStarts).toBe(3);
    expect(rest!.coldStarts).toBe(3);
    expect(first!.minutes).toBe(1);
    expect(rest!.minutes).toBe(2);
    const whole = simulate(demand, demand, constantPolicy('none', 0), oneSecond);
    expect(whole.coldStarts).toBe(first!.coldStarts + rest!.coldStarts);
    expect(whole.totalCost).toBeCloseTo(first!.totalCost + rest!.totalCost, 12);
  });

  it('rejects series that are not whole minutes', () => {
    const odd = new Float64Array(30);
    expect(() => simulate(odd, odd, constantPolicy('none', 0), oneSecond)).toThrow(/whole minutes/);
  });
});

describe('Function: secondArrivals', () => {
  const minute = { time: 0, timestamp: 't', requests: 600, peakRps: 30 };

  it('keeps each minute’s requests and busiest second, and is the same for the same seed', () => {
    const arrivals = secondArrivals([minute, minute], 3);
    const first = arrivals.subarray(0, 60);
    expect(first.reduce((a, b) => a + b, 0)).toBeCloseTo(600, 6);
    expect(Math.max(...first)).toBeCloseTo(30);
    expect(Array.from(secondArrivals([minute, minute], 3))).toEqual(Array.from(arrivals));
  });
});

describe('Function: concurrencyPerSecond', () => {
  it('spreads a request over the seconds it lasts', () => {
    const arrivals = Float64Array.from([10, 0, 0, 0]);
    expect(Array.from(concurrencyPerSecond(arrivals, 200))).toEqual([2, 0, 0, 0]);
    expect(Array.from(concurrencyPerSecond(arrivals, 2500))).toEqual([10, 10, 5, 0]);
  });
});
