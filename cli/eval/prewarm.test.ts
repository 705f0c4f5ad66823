import { dailyDemand as trace } from '@boundless/copilot/testing';
import { describe, expect, it } from 'vitest';
import { evaluatePrewarming } from './prewarm.ts';

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
