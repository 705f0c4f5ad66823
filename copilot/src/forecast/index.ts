// Traffic forecasting: causal quantile forecasts from a seasonal profile and sliding residual quantiles.
export { type CausalForecastOptions, forecastAhead, type QuantileForecast } from './causal.ts';
export { ForecastError } from './errors.ts';
export { SlidingQuantiles } from './residuals.ts';
export { SeasonalForecaster, type SeasonalOptions } from './seasonal.ts';
