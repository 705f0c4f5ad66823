import { probit } from 'simple-statistics';
import { z } from 'zod';
import { ForecastError } from './errors.ts';
import { SlidingQuantiles } from './residuals.ts';
import { SeasonalForecaster, seasonalOptionsSchema } from './seasonal.ts';

const MINUTE_MS = 60_000;

const causalForecastOptionsSchema = z.object({
  /** Row t may use only rows whose time is at most t − lead. */
  leadMinutes: z.number().int().min(0),
  quantiles: z.array(z.number().gt(0).lt(1)).min(1),
  /** Residuals older than this are forgotten, so the spread follows the current regime. */
  residualWindowMinutes: z
    .number()
    .int()
    .positive()
    .default(7 * 1440),
  /** Residual quantiles are re-read this often; in between they barely move. */
  refreshMinutes: z.number().int().positive().default(10),
  /** Until this many residuals exist, a fixed log-normal spread stands in for them. */
  minResiduals: z.number().int().positive().default(120),
  fallbackLogSpread: z.number().positive().default(0.5),
  /**
   * Space the model and its error bands live in. `log`: effects multiply and bands grow with the level.
   * `sqrt`: the variance-stabilising transform of counts, for demand summed over many independent users,
   * whose spread grows like the square root of the level; a log band is then too wide when busy and too
   * narrow when quiet.
   */
  transform: z.enum(['log', 'sqrt']).default('log'),

  seasonal: seasonalOptionsSchema.partial().default({}),
});

export type CausalForecastOptions = z.input<typeof causalForecastOptionsSchema>;

const TRANSFORMS = {
  log: { forward: Math.log1p, inverse: (x: number) => Math.max(0, Math.expm1(x)) },
  sqrt: { forward: Math.sqrt, inverse: (x: number) => Math.max(0, x) ** 2 },
} as const;

export interface QuantileForecast {
  /** Median forecast per row; NaN where no row was old enough to forecast from. */
  readonly median: Float64Array;
  /** One array per requested quantile, in the order asked. */
  readonly quantiles: Float64Array[];
  /** Rows that had no history at least `lead` old. */
  readonly blind: number;
}

/**
 * Walks a non-negative series once and forecasts every row `lead` minutes ahead with quantile bands. Demand is
 * modelled in log space (log1p, seasonal effects multiply) or in square-root space (`transform`). The band
 * is the empirical distribution of this same forecaster's past errors at this lead, so it is honest about
 * how wrong the model has recently been. Row t never sees a row later than t − lead: planning a prefix gives
 * the same rows as planning the whole series.
 */
export function forecastAhead(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  options: CausalForecastOptions,
): QuantileForecast {
  const parsed = causalForecastOptionsSchema.safeParse(options);
  if (!parsed.success) throw new ForecastError(`bad forecast options: ${parsed.error.message}`);
  const config = parsed.data;
  if (times.length !== values.length) {
    throw new ForecastError(`times (${times.length}) and values (${values.length}) differ in length`);
  }
  const n = times.length;
  const model = new SeasonalForecaster(config.seasonal);
  const residuals = new SlidingQuantiles(config.residualWindowMinutes);
  const median = new Float64Array(n);
  const bands = config.quantiles.map(() => new Float64Array(n));
  const { forward, inverse } = TRANSFORMS[config.transform];
  // Before residuals exist: the log spread, or about ±√(overdispersion ≈ 4)/2 in square-root units.
  const fallback = config.transform === 'log' ? config.fallbackLogSpread : 1;
  const spread = config.quantiles.map((q) => fallback * probit(q));
  const leadMs = config.leadMinutes * MINUTE_MS;
  let observed = 0;
  let learned = 0;
  let blind = 0;
  let refreshedAt = -1;
  for (let row = 0; row < n; row++) {
    const target = times[row]!;
    while (observed < row && times[observed]! <= target - leadMs) {
      const actual = forward(Math.max(0, values[observed]!));
      if (!Number.isNaN(median[observed]!)) {
        residuals.add(actual - median[observed]!);
        learned++;
      }
      model.observe(times[observed]!, actual);
      observed++;
    }
    if (observed === 0) {
      median[row] = Number.NaN;
      for (const band of bands) band[row] = Number.NaN;
      blind++;
      continue;
    }
    const epoch = Math.floor(learned / config.refreshMinutes);
    if (learned >= config.minResiduals && epoch !== refreshedAt) {
      refreshedAt = epoch;
      config.quantiles.forEach((q, i) => {
        spread[i] = residuals.quantile(q);
      });
    }
    const center = model.forecast(target, times[observed - 1]!);
    median[row] = center;
    bands.forEach((band, i) => {
      band[row] = inverse(center + spread[i]!);
    });
  }
  const linear = median.map((value) => (Number.isNaN(value) ? value : inverse(value)));
  return { median: linear, quantiles: bands, blind };
}
