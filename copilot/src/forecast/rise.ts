/** Minutes averaged for the level a rise is measured on: one busiest second is too noisy to grow from. */
const LEVEL_MINUTES = 5;
/** A rise is the level's growth over this many minutes. */
const GROWTH_MINUTES = 10;
/** Growth above which a rise is under way: the level 50 % above where it was ten minutes before. */
const RISE_THRESHOLD = Math.log(1.5);
/** Forecasts made in rises and since observed, before the rise's own forecast takes any weight. */
const MIN_SCORED = 30;
/** Half-life, in scored forecasts made in rises, of what the model has learned from them. */
const LEARNING_HALF_LIFE = 500;

/** Where a rise stood when a forecast was made in it: what is scored once the forecast row is observed. */
export interface RiseState {
  /** Log of the mean of the newest `LEVEL_MINUTES` observed values. */
  readonly level: number;
  /** How much that level grew over `GROWTH_MINUTES`, in log. */
  readonly growth: number;
  /** The rise's own forecast, in the forecaster's transformed space. */
  readonly center: number;
}

/**
 * A model of a rise under way (a release, a share): from the newest minutes' growth, how far the level will
 * have moved by the forecast row. It learns, online and from this series' own earlier rises only, how much of
 * a rise's growth over the last minutes carries on over the lead (a multiplier of the growth: above 0 where
 * rises keep growing, below where they spike and fall back), and how well that forecast did against the
 * seasonal one in the same minutes; the two are combined by those errors, so a series whose rises are noise
 * keeps its seasonal forecast. Outside a rise nothing changes.
 */
export class RiseModel {
  private readonly recent = new Float64Array(LEVEL_MINUTES + GROWTH_MINUTES);
  private seen = 0;
  private readonly decay = 2 ** (-1 / LEARNING_HALF_LIFE);
  /** Decayed sums of growth × carried-on growth and growth², for the multiplier. */
  private crossSum = 0;
  private growthSum = 0;
  /** Decayed squared errors, in rises, of the rise's forecast and of the seasonal one. */
  private riseError = 0;
  private plainError = 0;
  private scored = 0;
  /** The level before the rise under way began; NaN outside a rise. */
  private startLevel = Number.NaN;

  /** `forward`: the forecaster's transform, from the series' units to the space its forecasts live in. */
  constructor(private readonly forward: (x: number) => number) {}

  /** Feeds the next observed value, in the series' own units. */
  observe(value: number): void {
    this.recent[this.seen % this.recent.length] = Math.max(0, value);
    this.seen++;
  }

  /**
   * The rise under way at the newest observed minute, with its forecast; null outside a rise. A rise starts
   * when the level grows past the threshold and lasts while the level stays above where it started and the
   * seasonal forecast `plain` is still below the rise's own: ending it as soon as the growth slows would drop
   * capacity back to a forecast that has not caught up yet.
   */
  state(plain: number): RiseState | null {
    if (this.seen < this.recent.length) return null;
    const level = this.levelEnding(0);
    const growth = level - this.levelEnding(GROWTH_MINUTES);
    if (Number.isFinite(growth) && growth > RISE_THRESHOLD && Number.isNaN(this.startLevel))
      this.startLevel = level - growth;
    if (Number.isNaN(this.startLevel)) return null;
    const multiplier = this.growthSum > 0 ? this.crossSum / this.growthSum : 0;
    const center = this.forward(Math.exp(level + multiplier * growth));
    if (!(Number.isFinite(center) && level > this.startLevel && plain < center)) {
      this.startLevel = Number.NaN;
      return null;
    }
    return { level, growth, center };
  }

  /**
   * The forecast to use in a rise: the seasonal forecast `plain` and the rise's own, weighted inversely to
   * their squared errors in earlier rises; `plain` alone until enough rises have been scored.
   */
  combine(plain: number, rise: RiseState | null): number {
    if (!rise || this.scored < MIN_SCORED) return plain;
    const risePart = 1 / Math.max(this.riseError, 1e-12);
    const plainPart = 1 / Math.max(this.plainError, 1e-12);
    return (risePart * rise.center + plainPart * plain) / (risePart + plainPart);
  }

  /**
   * Scores a forecast made in a rise once its row is observed: `value` in the series' units, `actual` and
   * `plain` (the seasonal forecast) in the transformed space.
   */
  learn(rise: RiseState, plain: number, value: number, actual: number): void {
    // A missing value scores nothing: one NaN in the decayed sums would end every later rise forecast.
    if (!Number.isFinite(actual)) return;
    // Logs and ratios only, so a series a hundred times larger learns the same multiplier and weights.
    if (value > 0) {
      const carried = Math.log(value) - rise.level;
      this.crossSum = this.decay * this.crossSum + rise.growth * carried;
      this.growthSum = this.decay * this.growthSum + rise.growth * rise.growth;
    }
    this.riseError = this.decay * this.riseError + (actual - rise.center) ** 2;
    this.plainError = this.decay * this.plainError + (actual - plain) ** 2;
    this.scored++;
  }

  private levelEnding(minutesBack: number): number {
    let sum = 0;
    for (let k = 0; k < LEVEL_MINUTES; k++) {
      const index = this.seen - 1 - minutesBack - k;
      sum += this.recent[index % this.recent.length]!;
    }
    return Math.log(sum / LEVEL_MINUTES);
  }
}
