import type { TrafficMinute } from '@boundless/datasets/traffic';
import { describe, expect, it } from 'vitest';
import { mulberry32 as seededRandom } from '@boundless/delivery/random';
import { evaluatePrewarming } from './evaluate.ts';
import { planProvisionedConcurrency } from './planner.ts';
import { proposeBurstPreparations } from './proposals.ts';

const START = Date.UTC(2024, 0, 1);

/** A service with a daily cycle, noisy minutes and a release burst at 18:00 every day. */
function trace(days: number, seed = 11): TrafficMinute[] {
  const random = seededRandom(seed);
  return Array.from({ length: days * 1440 }, (_, i) => {
    const time = START + i * 60_000;
    const minuteOfDay = i % 1440;
    const daily = 3000 + 2000 * Math.sin(((minuteOfDay / 60 - 9) / 24) * 2 * Math.PI);
    const release = minuteOfDay >= 18 * 60 && minuteOfDay < 18 * 60 + 30 ? 3 : 1;
    const requests = daily * release * (0.9 + 0.2 * random());
    return { time, timestamp: new Date(time).toISOString(), requests, peakRps: (requests / 60) * 1.3 };
  });
}

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

describe('Function: evaluatePrewarming', () => {
  it('compares every strategy after the warm-up and lets only the oracle avoid all cold starts', () => {
    const evaluation = evaluatePrewarming(trace(3), {
      scale: 1,
      warmupDays: 1,
      sweepQuantiles: [0.5, 0.9],
      oracleLevels: [0.8, 1],
    });
    expect(evaluation.evaluatedMinutes).toBe(2 * 1440);
    expect(evaluation.results).toHaveLength(6);
    const [none, , tracking, ours, oracle, hybrid] = evaluation.results;
    expect(oracle!.coldStarts).toBe(0);
    expect(ours!.coldStarts).toBeLessThan(none!.coldStarts);
    // The plan as a scheduled minimum holds at least about what target tracking alone would hold.
    expect(hybrid!.policy).toBe('forecast floor (p80) + target tracking');
    expect(hybrid!.meanProvisioned).toBeGreaterThanOrEqual(tracking!.meanProvisioned * 0.99);
    // The floor's quantile joins the sweep, so one forecast pass serves every plan.
    expect(evaluation.oursCurve.map((p) => p.setting)).toEqual([0.5, 0.8, 0.9]);
  });
});
