import type { SimulationResult } from '@boundless/copilot/prewarm';

// How a strategy compares with target tracking: at its stated setting, and along its cost/cold-start curve.

export interface CurvePoint {
  readonly coldStartCost: number;
  readonly coldStarts: number;
  readonly totalCost: number;
}

/** One planned strategy against target tracking over one period. */
export interface StrategyComparison {
  readonly ours: SimulationResult;
  readonly curve: CurvePoint[];
  /** Ours ÷ target tracking. */
  readonly coldStartRatio: number;
  readonly costRatio: number;
  /** Our cold starts when spending exactly what target tracking spends (read off the curve) ÷ its. */
  readonly coldStartRatioAtTrackingCost: number;
  /** DESIGN §5: at most a quarter of target tracking's cold starts at no more than its cost. */
  readonly meetsTarget: boolean;
}

/** Cold starts at `cost` on a curve of (cost, cold starts), interpolated; NaN outside its range. */
export function coldStartsAtCost(curve: readonly CurvePoint[], cost: number): number {
  const sorted = [...curve].sort((a, b) => a.totalCost - b.totalCost);
  for (let i = 1; i < sorted.length; i++) {
    const lower = sorted[i - 1]!;
    const upper = sorted[i]!;
    if (cost >= lower.totalCost && cost <= upper.totalCost) {
      const span = upper.totalCost - lower.totalCost;
      const fraction = span === 0 ? 0 : (cost - lower.totalCost) / span;
      return lower.coldStarts + fraction * (upper.coldStarts - lower.coldStarts);
    }
  }
  return Number.NaN;
}

export const ratio = (a: number, b: number) => (b > 0 ? a / b : a > 0 ? Number.POSITIVE_INFINITY : 1);

export function against(
  tracking: SimulationResult,
  ours: SimulationResult,
  curve: CurvePoint[],
): StrategyComparison {
  const coldStartRatio = ratio(ours.coldStarts, tracking.coldStarts);
  const costRatio = ratio(ours.totalCost, tracking.totalCost);
  return {
    ours,
    curve,
    coldStartRatio,
    costRatio,
    coldStartRatioAtTrackingCost: ratio(coldStartsAtCost(curve, tracking.totalCost), tracking.coldStarts),
    meetsTarget: coldStartRatio <= 0.25 && costRatio <= 1,
  };
}
