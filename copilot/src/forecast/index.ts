// Traffic forecasting: causal forecasts from a seasonal profile, with the whole distribution of the
// forecaster's own recent errors at the lead.
export { type CausalForecastOptions, forecastAhead, type QuantileForecast } from './causal.ts';
export { ForecastError } from './errors.ts';
export { type Predictive, type WalkOptions, walkForecast } from './predictive.ts';
export { ResidualDistribution, SlidingQuantiles } from './residuals.ts';
export { SeasonalForecaster, type SeasonalOptions } from './seasonal.ts';
