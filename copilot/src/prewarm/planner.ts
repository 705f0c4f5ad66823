import { z } from 'zod';
import { type Predictive, walkForecast } from '../forecast/predictive.ts';
import { type DemandMinute, meanConcurrency, peakConcurrency } from './demand.ts';
import { busySaving, layerBusyShare } from './economics.ts';
import { EventUplift } from './events.ts';
import { PrewarmError } from './errors.ts';
import { lambdaPricesSchema } from './pricing.ts';

const MINUTE_MS = 60_000;

/**
 * What one cold start is worth, in minutes of one idle provisioned environment. Stated, not fitted: a cold
 * start of a Node.js function costs a reader about a second; valued at about $18 an hour of a reader's
 * waiting, that second is $0.005, which is 20 minutes of an idle 1 GB environment at list price.
 */
export const DEFAULT_COLD_START_COST = 20;

const planOptionsSchema = z.object({
  durationMs: z.number().positive(),
  /** Provisioned concurrency takes minutes to allocate: the plan for t is decided from data ≤ t − lead. */
  leadMinutes: z.number().int().min(0),
  /** Value of one avoided cold start, in idle provisioned environment-minutes (memory-free). */
  coldStartCost: z.number().positive().default(DEFAULT_COLD_START_COST),
  /** How long Lambda keeps an idle on-demand environment warm (about 5 to 15 minutes; 10 is the middle). */
  keepAliveMinutes: z.number().positive().default(10),
  maxCapacity: z.number().int().positive().default(100_000),
  prices: lambdaPricesSchema.default(lambdaPricesSchema.parse({})),
  /**
   * Peak concurrency summed over many independent readers spreads like the square root of its level, so
   * the forecast and its errors live in square-root space.
   */
  transform: z.enum(['log', 'sqrt']).default('sqrt'),
  /**
   * How fast the forecast follows the last observed minutes, combined by their recent errors. The busiest
   * second of a minute is mostly noise around the level, which a half-hour half-life keeps out; a release
   * lifts demand tenfold in minutes, which a five-minute one catches an hour sooner. The development weeks
   * preferred the pair to either alone (PREWARM.md).
   */
  levelHalfLivesMinutes: z.array(z.number().positive()).min(1).default([5, 30]),
  combinationHalfLifeMinutes: z.number().positive().default(60),
  /** How fast the error distribution's width follows recent errors: widens after surprises, then relaxes. */
  spreadHalfLifeMinutes: z.number().positive().default(1440),
  /**
   * Start times (epoch ms) of scheduled events, a release calendar: known ahead because people schedule
   * them. Optional; the minutes after each are raised by what earlier events did (see {@link EventUplift}).
   */
  events: z.array(z.number().finite()).default([]),
  /** Minutes after an event's start whose forecast the calendar may raise. */
  eventWindowMinutes: z.number().int().positive().default(60),
});

export type PlanOptions = z.input<typeof planOptionsSchema>;
type PlanConfig = z.output<typeof planOptionsSchema>;

export interface ProvisioningPlan {
  readonly timestamps: string[];
  readonly times: number[];
  /** Provisioned concurrency to have in effect during each input minute. */
  readonly capacity: Int32Array;
  /** Forecast median of each minute's peak concurrency (NaN for rows with no history old enough). */
  readonly median: Float64Array;
  /** Forecast 90th percentile of each minute's peak concurrency. */
  readonly upper: Float64Array;
  /** Rows that had no input at least `lead` minutes old (planned at 0). */
  readonly blind: number;
  readonly coldStartCost: number;
}

function parsePlanOptions(options: PlanOptions): PlanConfig {
  const parsed = planOptionsSchema.safeParse(options);
  if (!parsed.success) throw new PrewarmError(`bad plan options: ${parsed.error.message}`);
  return parsed.data;
}

/** Per-minute peak concurrency: the series the planner forecasts. */
function peakConcurrencySeries(minutes: readonly DemandMinute[], durationMs: number): Float64Array {
  return Float64Array.from(minutes, (m) => peakConcurrency(m.requests, m.peakRps, durationMs));
}

interface MinuteForecast {
  readonly predictive: Predictive;
  /** The minute's mean over peak concurrency, as recently observed: where the busy layers end. */
  readonly ratio: number;
  /** A few quantiles of the peak, to average a layer's busy share over the forecast's uncertainty. */
  readonly scenarios: number[];
}

const SCENARIO_QUANTILES = [0.1, 0.3, 0.5, 0.7, 0.9];
const NEGLIGIBLE_CONCURRENCY = 1e-3;
const RATIO_HALF_LIFE_MINUTES = 60;

/**
 * Environments to provision for one minute. The k-th environment costs one idle environment-minute less
 * what its busy share saves against on-demand; it is worth the cold-start cost times the chance that the
 * minute needs it beyond the warm on-demand environments already known. Those two meet at one count:
 * below it every environment pays for itself in money or in warm starts, above it none does.
 */
function chooseCapacity(
  forecast: MinuteForecast,
  warm: number,
  coldStartCost: number,
  saving: number,
  maxCapacity: number,
): number {
  const { predictive, ratio, scenarios } = forecast;
  const busyShare = (layer: number) =>
    scenarios.reduce((sum, peak) => sum + layerBusyShare(layer, peak, ratio), 0) / scenarios.length;
  // Provisioning c environments is enough when the (c + 1)-th is worth no more than it costs. Its net
  // cost lies between 1 − saving (always busy) and 1 (never busy): the busy share is computed only between.
  const enough = (c: number) => {
    // Demand below a thousandth of an environment starts none.
    const worth = coldStartCost * (1 - predictive.cdf(c + warm + NEGLIGIBLE_CONCURRENCY));
    if (worth > 1) return false;
    if (worth <= 1 - saving) return true;
    return worth <= 1 - saving * busyShare(c + 1);
  };
  if (enough(0)) return 0;
  let high = Math.max(1, Math.ceil(predictive.quantile(0.999)));
  while (!enough(high) && high < maxCapacity) high = Math.min(maxCapacity, high * 2);
  if (!enough(high)) return maxCapacity;
  let low = 0;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (enough(middle)) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * One causal pass that plans every cost at once. Row t's forecast and within-minute shape come from rows
 * ≤ t − lead; its warm on-demand environments from those rows' overflow above each plan's own capacity.
 */
function planPass(
  minutes: readonly DemandMinute[],
  config: PlanConfig,
  costs: readonly number[],
): ProvisioningPlan[] {
  const times = minutes.map((m) => m.time);
  const peaks = peakConcurrencySeries(minutes, config.durationMs);
  const capacities = costs.map(() => new Int32Array(minutes.length));
  const median = new Float64Array(minutes.length).fill(Number.NaN);
  const upper = new Float64Array(minutes.length).fill(Number.NaN);
  const saving = busySaving(config.prices);
  const leadMs = config.leadMinutes * MINUTE_MS;
  const keepAliveMs = config.keepAliveMinutes * MINUTE_MS;
  const ratioWeight = 1 - 2 ** (-1 / RATIO_HALF_LIFE_MINUTES);
  let ratio = Number.NaN;
  let folded = 0;
  let firstWarm = 0;
  const uplift = config.events.length > 0 ? new EventUplift(config.events, config.eventWindowMinutes) : null;
  // The forecast each row had without the calendar: what the calendar learns to correct.
  const plainMedian = new Float64Array(minutes.length).fill(Number.NaN);
  const { blind } = walkForecast(
    times,
    peaks,
    {
      leadMinutes: config.leadMinutes,
      transform: config.transform,
      spreadHalfLifeMinutes: config.spreadHalfLifeMinutes,
      levelHalfLivesMinutes: config.levelHalfLivesMinutes,
      combinationHalfLifeMinutes: config.combinationHalfLifeMinutes,
    },
    (row, plain, observedRows) => {
      for (; folded < observedRows; folded++) {
        const peak = peaks[folded]!;
        uplift?.learn(times[folded]!, peak, plainMedian[folded]!);
        if (peak <= 0) continue;
        const share = meanConcurrency(minutes[folded]!.requests, config.durationMs) / peak;
        ratio = Number.isNaN(ratio) ? share : ratio + ratioWeight * (share - ratio);
      }
      if (!plain) return;
      plainMedian[row] = plain.median;
      const predictive = uplift ? uplift.raise(times[row]!, plain) : plain;
      median[row] = predictive.median;
      upper[row] = predictive.quantile(0.9);
      const forecast: MinuteForecast = {
        predictive,
        ratio: Number.isNaN(ratio) ? 0.5 : Math.min(1, ratio),
        scenarios: SCENARIO_QUANTILES.map((q) => predictive.quantile(q)),
      };
      while (firstWarm < row && times[firstWarm]! <= times[row]! - keepAliveMs) firstWarm++;
      costs.forEach((cost, i) => {
        const capacity = capacities[i]!;
        // Warm on-demand environments that minutes old enough to be known left behind: their overflow
        // above what this plan provisioned, still within the keep-alive.
        let warm = 0;
        for (let seen = firstWarm; seen < row && times[seen]! <= times[row]! - leadMs; seen++) {
          warm = Math.max(warm, Math.ceil(peaks[seen]! - 1e-9) - capacity[seen]!);
        }
        capacity[row] = chooseCapacity(forecast, warm, cost, saving, config.maxCapacity);
      });
    },
  );
  const timestamps = minutes.map((m) => m.timestamp);
  return costs.map((coldStartCost, i) => ({
    timestamps,
    times,
    capacity: capacities[i]!,
    median,
    upper,
    blind,
    coldStartCost,
  }));
}

/**
 * Plans provisioned concurrency minute by minute from prices and the forecast's uncertainty: for each
 * minute, the count where one more environment would cost more (idle price, less the on-demand work it
 * takes over) than the cold starts it is expected to spare. Row t uses only input rows at least `lead`
 * minutes older, and the plan's own earlier rows.
 */
export function planProvisionedConcurrency(
  minutes: readonly DemandMinute[],
  options: PlanOptions,
): ProvisioningPlan {
  const config = parsePlanOptions(options);
  return planPass(minutes, config, [config.coldStartCost])[0]!;
}

/** Plans for several cold-start costs from one forecast pass: a cost/cold-start curve in one walk. */
export function planForColdStartCosts(
  minutes: readonly DemandMinute[],
  options: Omit<PlanOptions, 'coldStartCost'>,
  costs: readonly number[],
): ProvisioningPlan[] {
  const config = parsePlanOptions(options);
  for (const cost of costs) {
    if (!(cost > 0)) throw new PrewarmError(`a cold-start cost must be positive, got ${cost}`);
  }
  return planPass(minutes, config, costs);
}
