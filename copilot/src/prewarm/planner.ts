import { z } from 'zod';
import { ForecastWalker, type Predictive } from '../forecast/predictive.ts';
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

/** The most environments a plan asks for in a minute unless told otherwise (well above Lambda's quotas). */
export const DEFAULT_MAX_CAPACITY = 100_000;

const planOptionsSchema = z.object({
  durationMs: z.number().positive(),
  /** Provisioned concurrency takes minutes to allocate: the plan for t is decided from data ≤ t − lead. */
  leadMinutes: z.number().int().min(0),
  /** Value of one avoided cold start, in idle provisioned environment-minutes (memory-free). */
  coldStartCost: z.number().positive().default(DEFAULT_COLD_START_COST),
  /** How long Lambda keeps an idle on-demand environment warm (about 5 to 15 minutes; 10 is the middle). */
  keepAliveMinutes: z.number().positive().default(10),
  maxCapacity: z.number().int().positive().default(DEFAULT_MAX_CAPACITY),
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
  // Within the cap from the start: a forecast beyond it (counts of any size) is answered with the cap, and
  // the search below stays within integers that halve exactly.
  let high = Math.min(maxCapacity, Math.max(1, Math.ceil(predictive.quantile(0.999))));
  while (!enough(high) && high < maxCapacity) high = Math.min(maxCapacity, high * 2);
  if (!enough(high)) return maxCapacity;
  let low = 0;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (enough(middle)) high = middle;
    else low = middle;
  }
  return high;
}

/** One planned row: its capacity per cold-start cost and the forecast behind it (NaN for a blind row). */
export interface PlannedRow {
  readonly capacity: readonly number[];
  readonly median: number;
  readonly upper: number;
}

/**
 * The plan one row at a time, with its state carried between calls, so the every-minute loop plans only the
 * new minutes and gets exactly the rows a plan of its whole history would (the batch plan is a loop over this
 * class). Row t's forecast and within-minute shape come from rows ≤ t − lead; its warm on-demand
 * environments from those rows' overflow above each plan's own capacity. Memory is bounded by the lead and
 * the keep-alive: older rows are let go.
 */
export class PlanWalker {
  private readonly config: PlanConfig;
  private readonly walker: ForecastWalker;
  private readonly saving: number;
  private readonly leadMs: number;
  private readonly keepAliveMs: number;
  private readonly ratioWeight = 1 - 2 ** (-1 / RATIO_HALF_LIFE_MINUTES);
  /** Rows still needed (warm environments, the mean/peak ratio, the forecast's observations), oldest first. */
  private readonly kept: {
    time: number;
    requests: number;
    peak: number;
    capacity: Int32Array;
    /** The forecast the row had without the calendar: what the calendar learns to correct. */
    plainMedian: number;
  }[] = [];
  /** The release calendar's lift, when the plan has one (see {@link EventUplift}). */
  private readonly uplift: EventUplift | null;
  /** Row number of `kept[0]`. */
  private keptFrom = 0;
  private rows = 0;
  private ratio = Number.NaN;
  private folded = 0;
  private firstWarm = 0;

  /** The cold-start costs planned at once, one capacity each per row. */
  readonly costs: readonly number[];

  /** `costs`: the cold-start costs planned at once. @default the options' `coldStartCost` */
  constructor(options: PlanOptions, costs?: readonly number[]) {
    this.config = parsePlanOptions(options);
    this.costs = costs ?? [this.config.coldStartCost];
    for (const cost of this.costs) {
      if (!(cost > 0)) throw new PrewarmError(`a cold-start cost must be positive, got ${cost}`);
    }
    this.walker = new ForecastWalker({
      leadMinutes: this.config.leadMinutes,
      transform: this.config.transform,
      spreadHalfLifeMinutes: this.config.spreadHalfLifeMinutes,
      levelHalfLivesMinutes: this.config.levelHalfLivesMinutes,
      combinationHalfLifeMinutes: this.config.combinationHalfLifeMinutes,
    });
    this.saving = busySaving(this.config.prices);
    this.uplift =
      this.config.events.length > 0
        ? new EventUplift(this.config.events, this.config.eventWindowMinutes)
        : null;
    this.leadMs = this.config.leadMinutes * MINUTE_MS;
    this.keepAliveMs = this.config.keepAliveMinutes * MINUTE_MS;
  }

  /** Rows that had no input at least `lead` minutes old (planned at 0). */
  get blind(): number {
    return this.walker.blind;
  }

  /** Rows held in memory: bounded by the lead and the keep-alive, however long the walk. */
  get retainedRows(): number {
    return this.kept.length + this.walker.retainedRows;
  }

  /**
   * Plans the next row, at `time` (in order). `minuteOf(row)` gives an earlier row's demand once it is at least
   * `lead` minutes older than a row asked for; the row's own demand is never read.
   */
  next(time: number, minuteOf: (row: number) => DemandMinute): PlannedRow {
    const row = this.rows++;
    const costs = this.costs;
    const entry = {
      time,
      requests: 0,
      peak: 0,
      capacity: new Int32Array(costs.length),
      plainMedian: Number.NaN,
    };
    this.kept.push(entry);
    const plain = this.walker.next(time, (seen) => {
      const minute = minuteOf(seen);
      const observed = this.at(seen);
      observed.requests = minute.requests;
      observed.peak = peakConcurrency(minute.requests, minute.peakRps, this.config.durationMs);
      return observed.peak;
    });
    for (const observedRows = this.walker.observedRows; this.folded < observedRows; this.folded++) {
      const { peak, requests, plainMedian, time: foldedTime } = this.at(this.folded);
      this.uplift?.learn(foldedTime, peak, plainMedian);
      if (peak <= 0) continue;
      const share = meanConcurrency(requests, this.config.durationMs) / peak;
      this.ratio = Number.isNaN(this.ratio) ? share : this.ratio + this.ratioWeight * (share - this.ratio);
    }
    if (!plain) {
      this.forget();
      return { capacity: Array.from(entry.capacity), median: Number.NaN, upper: Number.NaN };
    }
    entry.plainMedian = plain.median;
    const predictive = this.uplift ? this.uplift.raise(time, plain) : plain;
    const forecast: MinuteForecast = {
      predictive,
      ratio: Number.isNaN(this.ratio) ? 0.5 : Math.min(1, this.ratio),
      scenarios: SCENARIO_QUANTILES.map((q) => predictive.quantile(q)),
    };
    while (this.firstWarm < row && this.at(this.firstWarm).time <= time - this.keepAliveMs) this.firstWarm++;
    costs.forEach((cost, i) => {
      // Warm on-demand environments that minutes old enough to be known left behind: their overflow
      // above what this plan provisioned, still within the keep-alive.
      let warm = 0;
      for (let seen = this.firstWarm; seen < row && this.at(seen).time <= time - this.leadMs; seen++) {
        const earlier = this.at(seen);
        warm = Math.max(warm, Math.ceil(earlier.peak - 1e-9) - earlier.capacity[i]!);
      }
      entry.capacity[i] = chooseCapacity(forecast, warm, cost, this.saving, this.config.maxCapacity);
    });
    this.forget();
    return {
      capacity: Array.from(entry.capacity),
      median: predictive.median,
      upper: predictive.quantile(0.9),
    };
  }

  private at(row: number) {
    return this.kept[row - this.keptFrom]!;
  }

  /** Lets go of rows no later row reads: before the warm window, folded into the ratio and observed. */
  private forget(): void {
    const needed = Math.min(this.firstWarm, this.folded, this.walker.observedRows);
    while (this.keptFrom < needed) {
      this.kept.shift();
      this.keptFrom++;
    }
  }
}

/** One causal pass that plans every cost at once: a loop over {@link PlanWalker}. */
function planPass(minutes: readonly DemandMinute[], walker: PlanWalker): ProvisioningPlan[] {
  const { costs } = walker;
  const capacities = costs.map(() => new Int32Array(minutes.length));
  const median = new Float64Array(minutes.length).fill(Number.NaN);
  const upper = new Float64Array(minutes.length).fill(Number.NaN);
  const minuteOf = (row: number) => minutes[row]!;
  minutes.forEach((minute, row) => {
    const planned = walker.next(minute.time, minuteOf);
    planned.capacity.forEach((value, i) => {
      capacities[i]![row] = value;
    });
    median[row] = planned.median;
    upper[row] = planned.upper;
  });
  const times = minutes.map((m) => m.time);
  const timestamps = minutes.map((m) => m.timestamp);
  return costs.map((coldStartCost, i) => ({
    timestamps,
    times,
    capacity: capacities[i]!,
    median,
    upper,
    blind: walker.blind,
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
  return planPass(minutes, new PlanWalker(options))[0]!;
}

/** Plans for several cold-start costs from one forecast pass: a cost/cold-start curve in one walk. */
export function planForColdStartCosts(
  minutes: readonly DemandMinute[],
  options: Omit<PlanOptions, 'coldStartCost'>,
  costs: readonly number[],
): ProvisioningPlan[] {
  return planPass(minutes, new PlanWalker(options, costs));
}
