import { z } from 'zod';
import { forecastAhead, type QuantileForecast } from '../forecast/causal.ts';
import { type DemandMinute, peakConcurrency } from './demand.ts';
import { PrewarmError } from './errors.ts';

const planOptionsSchema = z.object({
  durationMs: z.number().positive(),
  /** Provisioned concurrency takes minutes to allocate: the plan for t is decided from data ≤ t − lead. */
  leadMinutes: z.number().int().min(0),
  /** Forecast quantile of the minute's peak concurrency to provision; higher buys fewer cold starts. */
  quantile: z.number().gt(0).lt(1).default(0.6),
  maxCapacity: z.number().int().positive().default(10_000),
  /**
   * Peak concurrency summed over many independent readers spreads like the square root of its level, so the
   * bands are read in square-root space (see {@link forecastAhead}).
   */
  transform: z.enum(['log', 'sqrt']).default('sqrt'),
  /**
   * How fast the forecast follows the last observed minutes. The busiest second of a minute is mostly noise
   * around the level; a half-hour half-life keeps the level and leaves that noise to the band.
   */
  levelHalfLifeMinutes: z.number().positive().default(30),
});

export type PlanOptions = z.input<typeof planOptionsSchema>;

export interface ProvisioningPlan {
  readonly timestamps: string[];
  readonly times: number[];
  /** Provisioned concurrency to have in effect during each input minute. */
  readonly capacity: Int32Array;
  readonly forecast: QuantileForecast;
}

function parsePlanOptions(options: PlanOptions) {
  const parsed = planOptionsSchema.safeParse(options);
  if (!parsed.success) throw new PrewarmError(`bad plan options: ${parsed.error.message}`);
  return parsed.data;
}

/** Per-minute peak concurrency: the series the planner forecasts. */
function peakConcurrencySeries(minutes: readonly DemandMinute[], durationMs: number): Float64Array {
  return Float64Array.from(minutes, (m) => peakConcurrency(m.requests, m.peakRps, durationMs));
}

/**
 * Plans provisioned concurrency for several quantiles from one forecast pass (a cost/cold-start curve costs
 * one walk over the data). Each row uses only input rows at least `lead` minutes older.
 */
export function planForQuantiles(
  minutes: readonly DemandMinute[],
  options: Omit<PlanOptions, 'quantile'>,
  quantiles: readonly number[],
): ProvisioningPlan[] {
  const config = parsePlanOptions({ ...options, quantile: quantiles[0] ?? 0.5 });
  const times = minutes.map((m) => m.time);
  const demand = peakConcurrencySeries(minutes, config.durationMs);
  const forecast = forecastAhead(times, demand, {
    leadMinutes: config.leadMinutes,
    quantiles: [...quantiles],
    transform: config.transform,
    seasonal: { levelHalfLifeMinutes: config.levelHalfLifeMinutes },
  });
  const timestamps = minutes.map((m) => m.timestamp);
  return forecast.quantiles.map((band) => ({
    timestamps,
    times,
    capacity: Int32Array.from(band, (value) =>
      Number.isNaN(value) ? 0 : Math.min(config.maxCapacity, Math.ceil(value - 1e-9)),
    ),
    forecast,
  }));
}

export function planProvisionedConcurrency(
  minutes: readonly DemandMinute[],
  options: PlanOptions,
): ProvisioningPlan {
  const config = parsePlanOptions(options);
  return planForQuantiles(minutes, config, [config.quantile])[0]!;
}
