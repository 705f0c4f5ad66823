import {
  fillMissingMinutes,
  type PeakModel,
  scaleTraffic,
  type TrafficMinute,
} from '@boundless/datasets/traffic';
import { z } from 'zod';
import {
  concurrencyPerSecond,
  constantPolicy,
  planForQuantiles,
  PrewarmError,
  scheduledFloorWithTargetTracking,
  scheduledPolicy,
  secondArrivals,
  simulate,
  type SimulationResult,
  targetTrackingPolicy,
} from '@boundless/copilot/prewarm';
import { quantile } from 'simple-statistics';

const evaluationOptionsSchema = z.object({
  /** ×400 NASA-1995 is about 320 requests/s on average: concurrency in the tens, bursts in the hundreds. */
  scale: z.number().positive().default(400),
  durationMs: z.number().positive().default(200),
  memoryMb: z.number().int().min(128).max(10_240).default(1024),
  leadMinutes: z.number().int().min(0).default(10),
  keepAliveMinutes: z.number().positive().default(10),
  warmupDays: z.number().min(0).default(7),
  quantile: z.number().gt(0).lt(1).default(0.9),
  sweepQuantiles: z.array(z.number().gt(0).lt(1)).default([0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99]),
  oracleLevels: z.array(z.number().positive()).default([0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1]),
  seed: z.number().int().default(1),
  /** How the busiest second of the scaled service is made (see `scaleTraffic`). */
  peakModel: z.enum(['pooled', 'audience']).default('pooled'),
  trendMinutes: z.number().int().positive().default(15),
  /** Quantile of the plan used as a scheduled minimum under target tracking. */
  floorQuantile: z.number().gt(0).lt(1).default(0.8),
});

export type EvaluationOptions = z.input<typeof evaluationOptionsSchema>;

interface CurvePoint {
  readonly setting: number;
  readonly coldStarts: number;
  readonly totalCost: number;
}

export interface PrewarmEvaluation {
  readonly settings: z.infer<typeof evaluationOptionsSchema>;
  readonly warmupMinutes: number;
  readonly evaluatedMinutes: number;
  /**
   * No provisioned concurrency, static p95, target tracking, our plan, the zero-cold-start oracle, and our
   * plan as a scheduled minimum under target tracking.
   */
  readonly results: SimulationResult[];
  readonly oursCurve: CurvePoint[];
  readonly oracleCurve: CurvePoint[];
  /** Our cold starts when spending what target tracking spends (read off our quantile sweep). */
  readonly oursColdStartsAtTargetTrackingCost: number;
  /** What our plan costs when it has a quarter of target tracking's cold starts (DESIGN §5). */
  readonly oursCostAtQuarterOfTargetTracking: number;
  /** The cheapest the oracle gets with at most our default plan's cold starts. */
  readonly oracleCostAtOurColdStarts: number;
}

function interpolate(points: readonly CurvePoint[], x: number, from: 'cost' | 'coldStarts'): number {
  const key = from === 'cost' ? 'totalCost' : 'coldStarts';
  const value = from === 'cost' ? 'coldStarts' : 'totalCost';
  const sorted = [...points].sort((a, b) => a[key] - b[key]);
  for (let i = 1; i < sorted.length; i++) {
    const lower = sorted[i - 1]!;
    const upper = sorted[i]!;
    if (x >= lower[key] && x <= upper[key]) {
      const span = upper[key] - lower[key];
      const fraction = span === 0 ? 0 : (x - lower[key]) / span;
      return lower[value] + fraction * (upper[value] - lower[value]);
    }
  }
  return Number.NaN;
}

/** Cheapest oracle cost reaching at most `coldStarts`: on its curve, or at any point with fewer. */
function oracleCostAt(points: readonly CurvePoint[], coldStarts: number): number {
  const better = points.filter((p) => p.coldStarts <= coldStarts).map((p) => p.totalCost);
  const onCurve = interpolate(points, coldStarts, 'coldStarts');
  return Math.min(...better, Number.isNaN(onCurve) ? Number.POSITIVE_INFINITY : onCurve);
}

function minutePeaks(concurrency: Float64Array): Float64Array {
  const peaks = new Float64Array(concurrency.length / 60);
  for (let second = 0; second < concurrency.length; second++) {
    const minute = Math.floor(second / 60);
    peaks[minute] = Math.max(peaks[minute]!, Math.ceil(concurrency[second]! - 1e-9));
  }
  return peaks;
}

/**
 * Compares provisioning strategies on a real trace in the execution-environment simulator. Every strategy
 * but the oracle decides from the past only; the first `warmupDays` are simulated (so state is warm) but
 * not counted.
 */
export function evaluatePrewarming(
  trace: readonly TrafficMinute[],
  options: EvaluationOptions = {},
): PrewarmEvaluation {
  const parsed = evaluationOptionsSchema.safeParse(options);
  if (!parsed.success) throw new PrewarmError(`bad evaluation options: ${parsed.error.message}`);
  const settings = parsed.data;
  const peakModel: PeakModel = settings.peakModel;
  const minutes = fillMissingMinutes(
    scaleTraffic(trace, settings.scale, {
      peakModel,
      trendMinutes: settings.trendMinutes,
      seed: settings.seed,
    }),
  ).minutes;
  const warmupMinutes = Math.round(settings.warmupDays * 1440);
  if (minutes.length <= warmupMinutes) {
    throw new PrewarmError(
      `the trace has ${minutes.length} minutes, not more than the ${warmupMinutes}-minute warm-up`,
    );
  }
  const arrivals = secondArrivals(minutes, settings.seed);
  const concurrency = concurrencyPerSecond(arrivals, settings.durationMs);
  const config = {
    durationMs: settings.durationMs,
    memoryMb: settings.memoryMb,
    keepAliveMinutes: settings.keepAliveMinutes,
    evaluateFromMinute: warmupMinutes,
  };
  const run = (policy: Parameters<typeof simulate>[2]) => simulate(concurrency, arrivals, policy, config);
  const peaks = minutePeaks(concurrency);
  const quantiles = [
    ...new Set([...settings.sweepQuantiles, settings.quantile, settings.floorQuantile]),
  ].sort((a, b) => a - b);
  const plans = planForQuantiles(
    minutes,
    { durationMs: settings.durationMs, leadMinutes: settings.leadMinutes },
    quantiles,
  );
  const oursCurve = plans.map((plan, i) => {
    const result = run(scheduledPolicy(`ours p${quantiles[i]! * 100}`, plan.capacity));
    return { setting: quantiles[i]!, coldStarts: result.coldStarts, totalCost: result.totalCost, result };
  });
  const oracleCurve = settings.oracleLevels.map((level) => {
    const result = run(
      scheduledPolicy(
        `oracle ${level}×peak`,
        peaks.map((p) => Math.ceil(level * p - 1e-9)),
      ),
    );
    return { setting: level, coldStarts: result.coldStarts, totalCost: result.totalCost, result };
  });
  const ours = oursCurve.find((point) => point.setting === settings.quantile)!.result;
  const tracking = { allocationMinutes: Math.min(3, settings.leadMinutes) };
  const targetTracking = run(targetTrackingPolicy(tracking));
  const floor = plans[quantiles.indexOf(settings.floorQuantile)]!.capacity;
  const hybrid = run(scheduledFloorWithTargetTracking(floor, tracking));
  const history = Array.from(peaks.subarray(0, warmupMinutes || peaks.length));
  const staticP95 = history.length === 0 ? 0 : quantile(history, 0.95);
  const results = [
    run(constantPolicy('no provisioned concurrency', 0)),
    run(constantPolicy(`static p95 of history (${Math.ceil(staticP95)})`, Math.ceil(staticP95))),
    targetTracking,
    { ...ours, policy: `forecast plan (p${settings.quantile * 100}, lead ${settings.leadMinutes} min)` },
    { ...run(scheduledPolicy('oracle (knows each minute’s peak)', peaks)) },
    {
      ...hybrid,
      policy: `forecast floor (p${settings.floorQuantile * 100}) + target tracking`,
    },
  ];
  const strip = ({ setting, coldStarts, totalCost }: CurvePoint) => ({ setting, coldStarts, totalCost });
  return {
    settings,
    warmupMinutes,
    evaluatedMinutes: minutes.length - warmupMinutes,
    results,
    oursCurve: oursCurve.map(strip),
    oracleCurve: oracleCurve.map(strip),
    oursColdStartsAtTargetTrackingCost: interpolate(oursCurve, targetTracking.totalCost, 'cost'),
    oursCostAtQuarterOfTargetTracking: interpolate(oursCurve, targetTracking.coldStarts / 4, 'coldStarts'),
    oracleCostAtOurColdStarts: oracleCostAt(oracleCurve, ours.coldStarts),
  };
}
