import { describe, expect, it } from 'vitest';
import { dailyDemand as trace } from './test-support.ts';
import { planProvisionedConcurrency } from './planner.ts';
import { proposeBurstPreparations } from './proposals.ts';

describe('Function: planProvisionedConcurrency', () => {
  it('plans a prefix exactly as it plans those rows of the whole input', () => {
    const minutes = trace(3);
    const options = { durationMs: 300, leadMinutes: 5, quantile: 0.9 };
    const whole = planProvisionedConcurrency(minutes, options).capacity;
    const cut = 1440 + 777;
    const prefix = planProvisionedConcurrency(minutes.slice(0, cut), options).capacity;
    expect(Array.from(prefix)).toEqual(Array.from(whole.subarray(0, cut)));
  });

  it('provisions nothing before any row is lead minutes old, and more at a higher quantile', () => {
    const minutes = trace(2);
    const low = planProvisionedConcurrency(minutes, {
      durationMs: 300,
      leadMinutes: 5,
      quantile: 0.5,
    }).capacity;
    const high = planProvisionedConcurrency(minutes, {
      durationMs: 300,
      leadMinutes: 5,
      quantile: 0.95,
    }).capacity;
    expect(Array.from(low.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
    const sum = (a: Int32Array) => a.reduce((s, v) => s + v, 0);
    expect(sum(high)).toBeGreaterThan(sum(low));
  });

  it('rejects a quantile outside (0, 1)', () => {
    expect(() =>
      planProvisionedConcurrency(trace(1), { durationMs: 100, leadMinutes: 1, quantile: 1 }),
    ).toThrow(/bad plan options/);
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
