import { SeasonalForecaster, type SeasonalOptions } from './seasonal.ts';

/**
 * Seasonal models that differ only in how fast their recent level follows the data, combined row by row
 * with weights inversely proportional to each one's recent squared error at the lead (Bates and Granger's
 * combination). A slow level ignores minute-to-minute noise; a fast one catches a release that lifted
 * demand tenfold an hour after the slow one would. Which is better changes within a trace, so neither is
 * chosen once: the errors choose, minute by minute.
 */
export class LevelEnsemble {
  private readonly models: SeasonalForecaster[];
  /** Each model's forecast of the rows not yet observed, by row: bounded by the lead, however long the walk. */
  private readonly predictions = new Map<number, Float64Array>();
  private readonly squaredError: number[];
  private readonly errorWeight: number;

  constructor(
    seasonal: Partial<SeasonalOptions>,
    halfLivesMinutes: readonly number[],
    errorHalfLifeMinutes: number,
  ) {
    this.models = halfLivesMinutes.map(
      (levelHalfLifeMinutes) => new SeasonalForecaster({ ...seasonal, levelHalfLifeMinutes }),
    );
    this.squaredError = halfLivesMinutes.map(() => Number.NaN);
    this.errorWeight = 1 - 2 ** (-1 / errorHalfLifeMinutes);
  }

  /** Feeds row `row`'s actual value: first scores each model's forecast of it, then updates the models. */
  observe(row: number, time: number, actual: number): void {
    const predicted = this.predictions.get(row);
    this.predictions.delete(row);
    this.models.forEach((model, i) => {
      if (predicted && !Number.isNaN(predicted[i]!)) {
        const error = (actual - predicted[i]!) ** 2;
        const previous = this.squaredError[i]!;
        this.squaredError[i] = Number.isNaN(previous)
          ? error
          : previous + this.errorWeight * (error - previous);
      }
      model.observe(time, actual);
    });
  }

  /** The combined forecast of row `row` at `target`, made from what was observed up to `now`. */
  forecast(row: number, target: number, now: number): number {
    let weighted = 0;
    let total = 0;
    const scored = this.squaredError.every((e) => !Number.isNaN(e));
    const predicted = new Float64Array(this.models.length);
    this.predictions.set(row, predicted);
    this.models.forEach((model, i) => {
      const value = model.forecast(target, now);
      predicted[i] = value;
      const weight = scored ? 1 / Math.max(this.squaredError[i]!, 1e-12) : 1;
      weighted += weight * value;
      total += weight;
    });
    return weighted / total;
  }
}
