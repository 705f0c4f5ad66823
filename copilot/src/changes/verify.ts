import type { MetricMeasurement } from './ports.ts';
import type { VerificationResult, VerificationSpec } from './types.ts';

/**
 * Whether a change did what it meant to: the metric over the window after apply against the same-length window
 * before it. Moved means the intended direction; "as estimated" means at least half the estimated move (an
 * estimate is a model, a window of traffic is a sample: half is the coarse bar a reviewer can read). An SLO
 * burning fast since apply outweighs everything: the change is treated as harmful.
 */
export function evaluateVerification(input: {
  spec: VerificationSpec;
  appliedMs: number;
  baseline: MetricMeasurement;
  observed: MetricMeasurement;
  burning: readonly string[];
  nowMs: number;
}): VerificationResult {
  const { spec, appliedMs, baseline, observed } = input;
  const windowMs = spec.windowMinutes * 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const sign = spec.direction === 'increase' ? 1 : -1;
  const base = baseline.value;
  const seen = observed.value;
  const moved = base !== null && seen !== null && sign * (seen - base) > 0;
  const metEstimate =
    spec.expected === undefined || base === null || seen === null
      ? null
      : sign * (seen - base) >= 0.5 * sign * (spec.expected - base);
  const outcome: VerificationResult['outcome'] =
    input.burning.length > 0
      ? 'slo_hurt'
      : base === null || seen === null
        ? 'insufficient_data'
        : moved
          ? 'verified'
          : 'not_moved';
  return {
    at: iso(input.nowMs),
    window: { from: iso(appliedMs), to: iso(appliedMs + windowMs) },
    baseline: { from: iso(appliedMs - windowMs), to: iso(appliedMs), value: base, samples: baseline.samples },
    observed: { value: seen, samples: observed.samples },
    unit: observed.unit,
    ...(spec.expected !== undefined ? { expected: spec.expected } : {}),
    moved,
    metEstimate,
    sloBurning: [...input.burning],
    outcome,
  };
}
