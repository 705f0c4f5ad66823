import { type DemandMinute, peakConcurrency } from '@boundless/copilot/prewarm';

/** The quantiles a level-knowing reference is swept over. */
export const BOUND_QUANTILES = [0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999];

/**
 * Plans of a reference that is told each minute's level: the centred mean of the square-root peak
 * concurrency over ±`halfWindow` minutes, which includes minutes after the one planned, plus a quantile of
 * the deviations from that level over the whole trace. No causal planner can know this much; what it
 * reaches bounds what forecasting the level better could buy, so a target it misses is out of reach of any
 * forecast of the level, however good.
 */
export function levelKnowingPlans(
  minutes: readonly DemandMinute[],
  durationMs: number,
  halfWindow: number,
  quantiles: readonly number[] = BOUND_QUANTILES,
): Int32Array[] {
  const root = Float64Array.from(minutes, (m) =>
    Math.sqrt(peakConcurrency(m.requests, m.peakRps, durationMs)),
  );
  const prefix = new Float64Array(root.length + 1);
  root.forEach((value, i) => {
    prefix[i + 1] = prefix[i]! + value;
  });
  const level = root.map((_, i) => {
    const from = Math.max(0, i - halfWindow);
    const to = Math.min(root.length, i + halfWindow + 1);
    return (prefix[to]! - prefix[from]!) / (to - from);
  });
  const deviations = Array.from(root, (value, i) => value - level[i]!).sort((a, b) => a - b);
  return quantiles.map((q) => {
    const shift = deviations[Math.min(deviations.length - 1, Math.floor(q * deviations.length))] ?? 0;
    return Int32Array.from(level, (l) => Math.ceil(Math.max(0, l + shift) ** 2 - 1e-9));
  });
}
