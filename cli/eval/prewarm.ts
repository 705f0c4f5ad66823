import {
  type CapacityPolicy,
  concurrencyPerSecond,
  constantPolicy,
  DEFAULT_COLD_START_COST,
  type DemandMinute,
  fillMissingMinutes,
  holdOnClock,
  type Period,
  PrewarmError,
  planForColdStartCosts,
  scaleAudiences,
  scheduledFloorWithTargetTracking,
  scheduledPolicy,
  type SimulationResult,
  secondArrivals,
  simulatePeriods,
  targetTrackingPolicy,
} from '@boundless/copilot/prewarm';
import { z } from 'zod';
import { BOUND_QUANTILES, levelKnowingPlans } from './prewarm-bound.ts';
import {
  against,
  type CurvePoint,
  coldStartsAtCost,
  ratio,
  type StrategyComparison,
} from './prewarm-compare.ts';

export { coldStartsAtCost, type StrategyComparison } from './prewarm-compare.ts';

const evaluationOptionsSchema = z.object({
  durationMs: z.number().positive().default(200),
  memoryMb: z.number().int().min(128).max(10_240).default(1024),
  leadMinutes: z.number().int().min(0).default(10),
  keepAliveMinutes: z.number().positive().default(10),
  /** Our plan's stated value of a cold start (idle environment-minutes); the table's "ours" row. */
  coldStartCost: z.number().positive().default(DEFAULT_COLD_START_COST),
  /** Other values planned too, for the curve of cold starts against cost. */
  sweepCosts: z.array(z.number().positive()).default([2, 5, 10, 20, 40, 80, 160]),
  /**
   * Also plan again every minute from the metrics, as a loop beside target tracking would: a minute's data
   * reaches CloudWatch a minute late, the loop acts the minute after, and new environments take 3 minutes to
   * allocate, so row t is planned from rows ≤ t − this (target tracking's own reaction time). 0 turns it off.
   */
  liveLeadMinutes: z.number().int().min(0).default(5),
  /** Simulated but counted nowhere: the forecaster and target tracking start from nothing. */
  warmupDays: z.number().min(0).default(1),
  /** The last days of every trace, reported apart and never used to choose anything. */
  validationDays: z.number().positive().default(7),
  seed: z.number().int().default(1),
  /**
   * Also run a reference told each minute's level ±this many minutes around it (see `levelKnowingPlans`):
   * how far a perfect forecast of the level would get. Off when absent.
   */
  levelBoundMinutes: z.number().int().positive().optional(),
});

export type EvaluationOptions = z.input<typeof evaluationOptionsSchema>;
type EvaluationSettings = z.output<typeof evaluationOptionsSchema>;

/** One trace at one size: the rows as loaded (unscaled) and the audiences to scale them to. */
export interface EvaluationCase {
  readonly trace: string;
  readonly scale: number;
  readonly minutes: readonly DemandMinute[];
  /** Start times (epoch ms) of the trace's scheduled events, given to the planner as its calendar. */
  readonly events?: readonly number[];
}

/** Every strategy over one period; its own fields compare the scheduled plan (lead `leadMinutes`). */
export interface PeriodComparison extends StrategyComparison {
  readonly fromMinute: number;
  readonly toMinute: number;
  readonly none: SimulationResult;
  readonly targetTracking: SimulationResult;
  /** Knows every minute's actual peak and provisions exactly it: no cold start, no forecast. */
  readonly oracle: SimulationResult;
  /** Our plan applied as scheduled minimums with target tracking above it. */
  readonly floorWithTracking: SimulationResult;
  readonly oracleCostRatio: number;
  /** The same planner re-run every minute at target tracking's reaction time (`liveLeadMinutes`). */
  readonly live?: StrategyComparison;
  /** That every-minute plan as the minimum, with target tracking (70 %) above it; its curve over the same costs. */
  readonly liveFloorWithTracking?: StrategyComparison;
  /** The level-knowing reference's curve (its setting is the quantile), when asked for. */
  readonly levelBoundCurve?: CurvePoint[];
  /** Its cold starts at target tracking's cost ÷ target tracking's. */
  readonly levelBoundColdStartRatioAtTrackingCost?: number;
}

export interface CaseEvaluation {
  readonly trace: string;
  readonly scale: number;
  readonly minutes: number;
  /** Minutes missing from the input, simulated as idle. */
  readonly filledMinutes: number;
  readonly development: PeriodComparison;
  readonly validation: PeriodComparison;
}

export interface PrewarmEvaluation {
  readonly settings: EvaluationSettings;
  readonly cases: CaseEvaluation[];
}

function minutePeaks(concurrency: Float64Array): Float64Array {
  const peaks = new Float64Array(concurrency.length / 60);
  for (let second = 0; second < concurrency.length; second++) {
    const minute = Math.floor(second / 60);
    peaks[minute] = Math.max(peaks[minute]!, Math.ceil(concurrency[second]! - 1e-9));
  }
  return peaks;
}

function periodsOf(minutes: number, settings: EvaluationSettings, trace: string): [Period, Period] {
  const warmup = Math.round(settings.warmupDays * 1440);
  const validation = Math.round(settings.validationDays * 1440);
  if (minutes - validation - warmup < 1440) {
    throw new PrewarmError(
      `${trace} has ${minutes} minutes: not enough for a ${settings.warmupDays}-day warm-up, a development day and a ${settings.validationDays}-day validation`,
    );
  }
  return [
    { fromMinute: warmup, toMinute: minutes - validation },
    { fromMinute: minutes - validation, toMinute: minutes },
  ];
}

function compare(
  period: Period,
  runs: {
    none: SimulationResult;
    tracking: SimulationResult;
    ours: SimulationResult;
    oracle: SimulationResult;
    floor: SimulationResult;
    curve: CurvePoint[];
    live?: { ours: SimulationResult; curve: CurvePoint[] };
    hybrid?: { ours: SimulationResult; curve: CurvePoint[] };
    bound?: CurvePoint[];
  },
): PeriodComparison {
  const { none, tracking, ours, oracle, floor, curve, live, hybrid, bound } = runs;
  return {
    ...period,
    none,
    targetTracking: tracking,
    oracle,
    floorWithTracking: floor,
    ...against(tracking, ours, curve),
    oracleCostRatio: ratio(oracle.totalCost, tracking.totalCost),
    ...(live && { live: against(tracking, live.ours, live.curve) }),
    ...(hybrid && { liveFloorWithTracking: against(tracking, hybrid.ours, hybrid.curve) }),
    ...(bound && {
      levelBoundCurve: bound,
      levelBoundColdStartRatioAtTrackingCost: ratio(
        coldStartsAtCost(bound, tracking.totalCost),
        tracking.coldStarts,
      ),
    }),
  };
}

/**
 * Plans for every cost at one lead on the trace's own rows (gaps and all, as `prewarm plan` does), laid on the
 * simulation's dense clock and simulated: the row at the stated cost and the whole curve.
 */
function plannedRuns(
  { rows, clock }: { rows: readonly DemandMinute[]; clock: readonly DemandMinute[] },
  events: readonly number[],
  settings: EvaluationSettings,
  leadMinutes: number,
  costs: readonly number[],
  run: (policy: CapacityPolicy) => SimulationResult[],
  apply: (plan: Int32Array, cost: number) => CapacityPolicy = (plan, cost) =>
    scheduledPolicy(`ours (${cost})`, plan),
) {
  const plans = planForColdStartCosts(
    rows,
    {
      durationMs: settings.durationMs,
      leadMinutes,
      keepAliveMinutes: settings.keepAliveMinutes,
      events: [...events],
    },
    costs,
  );
  return curveRuns(
    plans.map((plan) =>
      rows.length === clock.length ? plan.capacity : holdOnClock(plan.times, plan.capacity, clock),
    ),
    settings,
    costs,
    run,
    apply,
  );
}

/** Each cost's plan applied by `apply` and simulated: the row at the stated cost and the whole curve. */
function curveRuns(
  plans: readonly Int32Array[],
  settings: EvaluationSettings,
  costs: readonly number[],
  run: (policy: CapacityPolicy) => SimulationResult[],
  apply: (plan: Int32Array, cost: number) => CapacityPolicy,
) {
  const results = plans.map((plan, i) => run(apply(plan, costs[i]!)));
  const stated = costs.indexOf(settings.coldStartCost);
  const curve = (p: number): CurvePoint[] =>
    results.map((r, i) => ({
      coldStartCost: costs[i]!,
      coldStarts: r[p]!.coldStarts,
      totalCost: r[p]!.totalCost,
    }));
  return { plans, plan: plans[stated]!, ours: results[stated]!, curve };
}

/** Every strategy on one trace at one size, counted over the development and the validation period. */
function evaluateCase(testCase: EvaluationCase, settings: EvaluationSettings): CaseEvaluation {
  const rows = scaleAudiences(testCase.minutes, testCase.scale);
  const { minutes, filled } = fillMissingMinutes(rows);
  const trace = { rows, clock: minutes };
  const periods = periodsOf(minutes.length, settings, testCase.trace);
  const arrivals = secondArrivals(minutes, settings.seed);
  const concurrency = concurrencyPerSecond(arrivals, settings.durationMs);
  const config = {
    durationMs: settings.durationMs,
    memoryMb: settings.memoryMb,
    keepAliveMinutes: settings.keepAliveMinutes,
  };
  const run = (policy: CapacityPolicy) => simulatePeriods(concurrency, arrivals, policy, config, periods);
  const costs = [...new Set([settings.coldStartCost, ...settings.sweepCosts])].sort((a, b) => a - b);
  const events = testCase.events ?? [];
  const scheduled = plannedRuns(trace, events, settings, settings.leadMinutes, costs, run);
  const live =
    settings.liveLeadMinutes > 0
      ? plannedRuns(trace, events, settings, settings.liveLeadMinutes, costs, run)
      : null;
  const tracking = { allocationMinutes: Math.min(3, settings.leadMinutes) };
  const hybrid = live
    ? curveRuns(live.plans, settings, costs, run, (plan) => scheduledFloorWithTargetTracking(plan, tracking))
    : null;
  const none = run(constantPolicy('no provisioned concurrency', 0));
  const targetTracking = run(targetTrackingPolicy(tracking));
  const oracle = run(scheduledPolicy('oracle', minutePeaks(concurrency)));
  const floor = run(scheduledFloorWithTargetTracking(scheduled.plan, tracking));
  const bound =
    settings.levelBoundMinutes === undefined
      ? null
      : levelKnowingPlans(minutes, settings.durationMs, settings.levelBoundMinutes).map((capacity) =>
          run(scheduledPolicy('level-knowing reference', capacity)),
        );
  const [development, validation] = periods.map((period, p) =>
    compare(period, {
      none: none[p]!,
      tracking: targetTracking[p]!,
      ours: scheduled.ours[p]!,
      oracle: oracle[p]!,
      floor: floor[p]!,
      curve: scheduled.curve(p),
      ...(live && { live: { ours: live.ours[p]!, curve: live.curve(p) } }),
      ...(hybrid && { hybrid: { ours: hybrid.ours[p]!, curve: hybrid.curve(p) } }),
      ...(bound && {
        bound: bound.map((results, i) => ({
          coldStartCost: BOUND_QUANTILES[i]!,
          coldStarts: results[p]!.coldStarts,
          totalCost: results[p]!.totalCost,
        })),
      }),
    }),
  );
  return {
    trace: testCase.trace,
    scale: testCase.scale,
    minutes: minutes.length,
    filledMinutes: filled,
    development: development!,
    validation: validation!,
  };
}

/**
 * Compares our plan with target tracking, no provisioning and the oracle on every trace and size, in the
 * execution-environment simulator. Every strategy but the oracle decides from the past only; the last
 * `validationDays` of each trace are reported apart from the development days before them.
 */
export function evaluatePrewarming(
  cases: readonly EvaluationCase[],
  options: EvaluationOptions = {},
  onCase?: (evaluation: CaseEvaluation) => void,
): PrewarmEvaluation {
  const parsed = evaluationOptionsSchema.safeParse(options);
  if (!parsed.success) throw new PrewarmError(`bad evaluation options: ${parsed.error.message}`);
  const settings = parsed.data;
  const evaluations = cases.map((testCase) => {
    const evaluation = evaluateCase(testCase, settings);
    onCase?.(evaluation);
    return evaluation;
  });
  return { settings, cases: evaluations };
}
