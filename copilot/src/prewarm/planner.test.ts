import { mulberry32 as seededRandom } from '@boundless/common/random';
import { describe, expect, it } from 'vitest';
import { planForColdStartCosts, planProvisionedConcurrency } from './planner.ts';
import { proposeBurstPreparations } from './proposals.ts';
import { dailyDemand as trace } from './test-support.ts';

const START = Date.UTC(2024, 0, 1);

const options = { durationMs: 300, leadMinutes: 5 };

describe('Function: planProvisionedConcurrency', () => {
  it('plans a prefix exactly as it plans those rows of the whole input', () => {
    const minutes = trace(3);
    const whole = planProvisionedConcurrency(minutes, options).capacity;
    const cut = 1440 + 777;
    const prefix = planProvisionedConcurrency(minutes.slice(0, cut), options).capacity;
    expect(Array.from(prefix)).toEqual(Array.from(whole.subarray(0, cut)));
  });

  it('never lets row t depend on an input row newer than t − lead', () => {
    const minutes = trace(3);
    const row = 2 * 1440 + 300;
    const before = planProvisionedConcurrency(minutes, options).capacity;
    // Rows t − lead + 1 … t (and everything after) become a wild burst: rows ≤ t must not move.
    const changed = minutes.map((m, i) =>
      i > row - options.leadMinutes ? { ...m, requests: m.requests * 50, peakRps: m.peakRps * 50 } : m,
    );
    const after = planProvisionedConcurrency(changed, options).capacity;
    expect(Array.from(after.subarray(0, row + 1))).toEqual(Array.from(before.subarray(0, row + 1)));
    // The row that sees the first changed input does react: the test above is not vacuous.
    expect(after[row + options.leadMinutes]).toBeGreaterThan(before[row + options.leadMinutes]!);
  });

  it('provisions nothing before any row is lead minutes old', () => {
    const plan = planProvisionedConcurrency(trace(1), options);
    expect(Array.from(plan.capacity.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
    expect(plan.blind).toBe(5);
    expect(plan.capacity[5]).toBeGreaterThan(0);
  });

  it('provisions at least as much in every minute when a cold start is worth more', () => {
    const [cheap, dear] = planForColdStartCosts(trace(3), options, [5, 80]);
    let more = 0;
    for (let row = 0; row < cheap!.capacity.length; row++) {
      expect(dear!.capacity[row]).toBeGreaterThanOrEqual(cheap!.capacity[row]!);
      if (dear!.capacity[row]! > cheap!.capacity[row]!) more++;
    }
    expect(more).toBeGreaterThan(1440);
  });

  it('keeps the environments that pay for themselves even when cold starts are worth almost nothing', () => {
    // Steady demand: 40 concurrent all minute long (busiest second = the mean). Every one of those
    // environments is busy all the time, so provisioning them is cheaper than on-demand.
    const steady = Array.from({ length: 2 * 1440 }, (_, i) => ({
      time: START + i * 60_000,
      timestamp: new Date(START + i * 60_000).toISOString(),
      requests: 12_000,
      peakRps: 200,
    }));
    const plan = planProvisionedConcurrency(steady, { ...options, durationMs: 200, coldStartCost: 0.01 });
    expect(plan.capacity[1440]).toBeGreaterThanOrEqual(39);
    expect(plan.capacity[1440]).toBeLessThanOrEqual(41);
  });

  it('provisions where the forecast is uncertain, not only where it is high', () => {
    // Two services with the same mean: one steady, one erratic. The erratic one needs more headroom.
    const random = seededRandom(5);
    const make = (spread: number) =>
      Array.from({ length: 3 * 1440 }, (_, i) => {
        const requests = 6000 * (1 + spread * (random() - 0.5));
        return {
          time: START + i * 60_000,
          timestamp: new Date(START + i * 60_000).toISOString(),
          requests,
          peakRps: (requests / 60) * 1.2,
        };
      });
    const mean = (plan: { capacity: Int32Array }) =>
      plan.capacity.subarray(2 * 1440).reduce((a, b) => a + b, 0) / 1440;
    const steady = mean(planProvisionedConcurrency(make(0.05), options));
    const erratic = mean(planProvisionedConcurrency(make(0.8), options));
    expect(erratic).toBeGreaterThan(steady * 1.2);
  });

  it('provisions nothing for a service without demand once it has seen some of it', () => {
    const idle = Array.from({ length: 300 }, (_, i) => ({
      time: START + i * 60_000,
      timestamp: new Date(START + i * 60_000).toISOString(),
      requests: 0,
      peakRps: 0,
    }));
    const plan = planProvisionedConcurrency(idle, options);
    expect(Array.from(plan.capacity.subarray(2 * options.leadMinutes + 1))).toEqual(
      new Array(300 - 2 * options.leadMinutes - 1).fill(0),
    );
  });

  it('rejects unusable options with a plan error', () => {
    expect(() => planProvisionedConcurrency(trace(1), { durationMs: 100, leadMinutes: -1 })).toThrow(
      /bad plan options/,
    );
    expect(() => planForColdStartCosts(trace(1), options, [0])).toThrow(/must be positive/);
  });
});

describe('Function: proposeBurstPreparations', () => {
  it('anticipates a daily release burst once the profile has seen it', () => {
    const proposals = proposeBurstPreparations(trace(5), { leadMinutes: 10 });
    const release = proposals.dynamodb.find(
      (p) => p.until > '2024-01-05T18:00' && p.until < '2024-01-05T19:00',
    );
    expect(release).toBeDefined();
    // Ready before the release starts at 18:00, not discovered after it.
    expect(release!.applyAt < '2024-01-05T18:00').toBe(true);
    expect(release!.WarmThroughput.ReadUnitsPerSecond).toBeGreaterThan(0);
    expect(proposals.cloudfront).toHaveLength(proposals.dynamodb.length);
  });
});
