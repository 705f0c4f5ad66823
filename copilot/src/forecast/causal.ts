import { z } from 'zod';
import { ForecastError } from './errors.ts';
import { walkForecast, walkOptionsSchema } from './predictive.ts';

const causalForecastOptionsSchema = walkOptionsSchema.extend({
  quantiles: z.array(z.number().gt(0).lt(1)).min(1),
});

export type CausalForecastOptions = z.input<typeof causalForecastOptionsSchema>;

export interface QuantileForecast {
  /** Median forecast per row; NaN where no row was old enough to forecast from. */
  readonly median: Float64Array;
  /** One array per requested quantile, in the order asked. */
  readonly quantiles: Float64Array[];
  /** Rows that had no history at least `lead` old. */
  readonly blind: number;
}

/**
 * Forecasts every row of a non-negative series `lead` minutes ahead and reads fixed quantiles off each
 * row's distribution (see {@link walkForecast}). Row t never sees a row later than t − lead: forecasting a
 * prefix gives the same rows as forecasting the whole series.
 */
export function forecastAhead(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  options: CausalForecastOptions,
): QuantileForecast {
  const parsed = causalForecastOptionsSchema.safeParse(options);
  if (!parsed.success) throw new ForecastError(`bad forecast options: ${parsed.error.message}`);
  const { quantiles, ...walk } = parsed.data;
  const median = new Float64Array(times.length).fill(Number.NaN);
  const bands = quantiles.map(() => new Float64Array(times.length).fill(Number.NaN));
  const { blind } = walkForecast(times, values, walk, (row, forecast) => {
    if (!forecast) return;
    median[row] = forecast.median;
    quantiles.forEach((q, i) => {
      bands[i]![row] = forecast.quantile(q);
    });
  });
  return { median, quantiles: bands, blind };
}
