import { mulberry32 as seededRandom } from '@boundless/common/random';
import { describe, expect, it } from 'vitest';
import {
  concurrencyPerSecond,
  type DemandMinute,
  fillMissingMinutes,
  holdOnClock,
  planProvisionedConcurrency,
  scheduledPolicy,
  secondArrivals,
  simulatePeriods,
} from '@boundless/copilot/prewarm';
import { coldStartsAtCost, evaluatePrewarming } from './prewarm.ts';
import { levelKnowingPlans } from './prewarm-bound.ts';

const START = Date.UTC(2024, 0, 1);

function trace(days: number, seed = 3): DemandMinute[] {
  const random = seededRandom(seed);
  return Array.from({ length: days * 1440 }, (_, i) => {
    const time = START + i * 60_000;
    const daily = 40 + 30 * Math.sin((((i % 1440) / 60 - 9) / 24) * 2 * Math.PI);
    const requests = Math.round(daily * (0.7 + 0.6 * random()));
    return { time, timestamp: new Date(time).toISOString(), requests, peakRps: requests / 60 + 3 * random() };
  });
}

describe('Function: evaluatePrewarming', () => {
  const evaluation = evaluatePrewarming([{ trace: 'synthetic', scale: 100, minutes: trace(9) }], {
    sweepCosts: [5, 40],
  });
  const [result] = evaluation.cases;

  it('counts the last week apart from the development days after the warm-up', () => {
    expect(result!.development.fromMinute).toBe(1440);
    expect(result!.development.toMinute).toBe(2 * 1440);
    expect(result!.validation.fromMinute).toBe(2 * 1440);
    expect(result!.validation.toMinute).toBe(9 * 1440);
    expect(result!.validation.targetTracking.minutes).toBe(7 * 1440);
  });

  it('lets only the oracle avoid every cold start, and compares ours with target tracking', () => {
    for (const period of [result!.development, result!.validation]) {
      expect(period.oracle.coldStarts).toBe(0);
      expect(period.none.coldStarts).toBeGreaterThan(0);
      expect(period.ours.coldStarts).toBeLessThan(period.none.coldStarts);
      expect(period.coldStartRatio).toBeCloseTo(
        period.ours.coldStarts / period.targetTracking.coldStarts,
        12,
      );
      expect(period.costRatio).toBeCloseTo(period.ours.totalCost / period.targetTracking.totalCost, 12);
      expect(period.meetsTarget).toBe(period.coldStartRatio <= 0.25 && period.costRatio <= 1);
      // The stated cost joins the sweep, so the curve holds the row as well.
      expect(period.curve.map((p) => p.coldStartCost)).toEqual([5, 20, 40]);
    }
  });

  it('also re-plans every minute at target tracking’s reaction time, on the same costs', () => {
    for (const period of [result!.development, result!.validation]) {
      const live = period.live!;
      expect(live.curve.map((p) => p.coldStartCost)).toEqual([5, 20, 40]);
      expect(live.coldStartRatio).toBeCloseTo(live.ours.coldStarts / period.targetTracking.coldStarts, 12);
      expect(live.meetsTarget).toBe(live.coldStartRatio <= 0.25 && live.costRatio <= 1);
      // Planned from fresher data, it is a different plan from the scheduled one.
      expect(live.ours.totalCost).not.toBe(period.ours.totalCost);
    }
    const scheduledOnly = evaluatePrewarming([{ trace: 'synthetic', scale: 100, minutes: trace(9) }], {
      sweepCosts: [],
      liveLeadMinutes: 0,
    });
    expect(scheduledOnly.cases[0]!.validation.live).toBeUndefined();
  });

  it('runs the every-minute plan as the minimum under target tracking, never below either layer', () => {
    for (const period of [result!.development, result!.validation]) {
      const hybrid = period.liveFloorWithTracking!;
      expect(hybrid.curve.map((p) => p.coldStartCost)).toEqual([5, 20, 40]);
      // Both layers provision at least what either would alone, on average over the period.
      expect(hybrid.ours.meanProvisioned).toBeGreaterThanOrEqual(period.live!.ours.meanProvisioned);
      expect(hybrid.ours.meanProvisioned).toBeGreaterThanOrEqual(period.targetTracking.meanProvisioned);
      expect(hybrid.ours.totalCost).not.toBe(period.live!.ours.totalCost);
      expect(hybrid.coldStartRatio).toBeCloseTo(
        hybrid.ours.coldStarts / period.targetTracking.coldStarts,
        12,
      );
    }
  });

  it('is the scheduled plan itself when re-planned at the scheduled lead', () => {
    const same = evaluatePrewarming([{ trace: 'synthetic', scale: 100, minutes: trace(9) }], {
      sweepCosts: [],
      leadMinutes: 5,
      liveLeadMinutes: 5,
    });
    const period = same.cases[0]!.validation;
    expect(period.live!.ours.coldStarts).toBe(period.ours.coldStarts);
    expect(period.live!.ours.totalCost).toBe(period.ours.totalCost);
  });

  it('scales the trace as independent audiences before simulating it', () => {
    const small = evaluatePrewarming([{ trace: 'synthetic', scale: 1, minutes: trace(9) }], {
      sweepCosts: [],
    });
    const requests = (e: typeof evaluation) => e.cases[0]!.validation.targetTracking.requests;
    expect(requests(evaluation) / requests(small)).toBeCloseTo(100, 0);
  });

  it('gives the planner the case’s release calendar, which spares cold starts after releases', () => {
    // A release a day at irregular times, each lifting demand sixfold for 40 minutes.
    const releases = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((day) => START + (day * 1440 + 500 + 97 * day) * 60_000);
    const minutes = trace(9).map((m) => {
      const lifted = releases.some((r) => m.time >= r && m.time < r + 40 * 60_000);
      return lifted ? { ...m, requests: m.requests * 6, peakRps: m.peakRps * 6 } : m;
    });
    const run = (events?: number[]) =>
      evaluatePrewarming([{ trace: 'releases', scale: 100, minutes, ...(events && { events }) }], {
        sweepCosts: [],
        liveLeadMinutes: 0,
      }).cases[0]!.validation;
    const without = run();
    const withCalendar = run(releases);
    expect(withCalendar.targetTracking).toEqual(without.targetTracking);
    expect(withCalendar.ours.coldStarts).toBeLessThan(0.8 * without.ours.coldStarts);
  });

  it('simulates the plan prewarm plan gives for a trace with gaps: planned on its rows, held through the gaps', () => {
    // Six missing hours in the validation week: unknown minutes, simulated as idle but never planned from.
    const rows = trace(9).filter(
      (m) => m.time < START + 4 * 86_400_000 || m.time >= START + 4.25 * 86_400_000,
    );
    const period = evaluatePrewarming([{ trace: 'gaps', scale: 1, minutes: rows }], {
      sweepCosts: [],
      liveLeadMinutes: 0,
    }).cases[0]!;
    expect(period.filledMinutes).toBe(360);
    const plan = planProvisionedConcurrency(rows, { durationMs: 200, leadMinutes: 10 });
    const clock = fillMissingMinutes(rows).minutes;
    const arrivals = secondArrivals(clock, 1);
    const [, validation] = simulatePeriods(
      concurrencyPerSecond(arrivals, 200),
      arrivals,
      scheduledPolicy('as planned', holdOnClock(plan.times, plan.capacity, clock)),
      { durationMs: 200, memoryMb: 1024, keepAliveMinutes: 10 },
      [period.development, period.validation],
    );
    expect(period.validation.ours.totalCost).toBe(validation!.totalCost);
    expect(period.validation.ours.coldStarts).toBe(validation!.coldStarts);
  });

  it('refuses a trace too short for a warm-up, a development day and a validation week', () => {
    expect(() => evaluatePrewarming([{ trace: 'short', scale: 1, minutes: trace(8) }])).toThrow(/not enough/);
  });
});

describe('Function: coldStartsAtCost', () => {
  it('interpolates along the curve and is NaN outside it', () => {
    const curve = [
      { coldStartCost: 5, coldStarts: 100, totalCost: 10 },
      { coldStartCost: 40, coldStarts: 20, totalCost: 20 },
    ];
    expect(coldStartsAtCost(curve, 15)).toBe(60);
    expect(coldStartsAtCost(curve, 30)).toBeNaN();
  });
});

describe('Function: levelKnowingPlans', () => {
  const step = Array.from({ length: 200 }, (_, i) => ({
    time: START + i * 60_000,
    timestamp: new Date(START + i * 60_000).toISOString(),
    requests: i < 100 ? 600 : 6000,
    peakRps: i < 100 ? 12 : 120,
  }));

  it('knows the level ahead of time, which no causal planner can', () => {
    const [plan] = levelKnowingPlans(step, 1000, 5, [0.5]);
    // Five minutes before the step, the window already holds minutes after it.
    expect(plan![96]).toBeGreaterThan(plan![50]!);
  });

  it('provisions more at a higher quantile', () => {
    const [low, high] = levelKnowingPlans(trace(2), 200, 5, [0.5, 0.99]);
    const sum = (a: Int32Array) => a.reduce((s, v) => s + v, 0);
    expect(sum(high!)).toBeGreaterThan(sum(low!));
  });

  it('joins the evaluation on request, with its cold starts at target tracking’s cost', () => {
    const withBound = evaluatePrewarming([{ trace: 'synthetic', scale: 100, minutes: trace(9) }], {
      sweepCosts: [2, 160],
      levelBoundMinutes: 5,
    });
    const period = withBound.cases[0]!.validation;
    expect(period.levelBoundCurve).toHaveLength(8);
    expect(period.levelBoundColdStartRatioAtTrackingCost).toBeDefined();
  });
});
