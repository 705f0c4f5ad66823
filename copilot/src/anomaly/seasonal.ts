import { DAY_MS } from '@boundless/common/time';
import type { DetectorOptions } from './options.ts';
import { DailyProfile, RecordRange, RobustScale, RollingMean } from './streams.ts';

const WEEK_DAYS = 7;

/**
 * The seasonal prediction of a series: the median of the same time of day on previous days (the daily
 * profile), or, on a weekly series (weekends unlike weekdays), the same time a week earlier while that
 * predicts better; and whether the prediction explains the series clearly better than its overall level
 * does (only then may it excuse or raise a point).
 *
 * Per point: `predict`, then `surprise` (against the errors so far), then `learn` (the errors take the point).
 */
export class SeasonalPrediction {
  private readonly profile: DailyProfile;
  private readonly dailyError: RobustScale;
  /** Error of the same time a week earlier, the alternative prediction of a weekly series. */
  private readonly weekError: RobustScale;
  /** Error around the profile's overall level: what the prediction must clearly beat. */
  private readonly spreadError: RobustScale;
  /** The week-earlier prediction's own residual view: its mean and range (the daily one's range is wider). */
  private readonly weekResidualMean: RollingMean;
  readonly weekResiduals: RecordRange;
  private readonly weeklyOn: boolean;
  private readonly dailyFrom: number;
  private readonly dailyClipFrom: number;
  private readonly weekClipFrom: number;
  private day = Number.NaN;
  private level = Number.NaN;

  // The current point's predictions, set by `predict`.
  /** The daily profile's prediction (NaN before `profileMinDays` of history). */
  daily = Number.NaN;
  /** The same time a week earlier (NaN when off or not stored). */
  private weekAgo = Number.NaN;
  /** The mean of the recent departures from the week-earlier prediction. */
  weekResidual = Number.NaN;
  /** The week-earlier prediction replaces the daily one. */
  weekly = false;
  /** The prediction in use. */
  value = Number.NaN;
  /** The prediction explained the series at the last `learn`. */
  seasonal = false;

  constructor(
    private readonly o: DetectorOptions,
    memoryBlocks: number,
  ) {
    this.profile = new DailyProfile(o.phaseMs, Math.round(o.profileDays));
    this.dailyError = new RobustScale(o.scaleMs, o.huber);
    this.weekError = new RobustScale(o.scaleMs, o.huber);
    this.spreadError = new RobustScale(o.scaleMs, o.huber);
    this.weekResidualMean = new RollingMean(Math.round(o.residualPoints));
    this.weekResiduals = new RecordRange(memoryBlocks);
    this.weeklyOn = o.weeklyProfile > 0 && o.profileDays >= WEEK_DAYS;
    this.dailyFrom = o.profileMinDays * DAY_MS;
    this.dailyClipFrom = (o.profileMinDays + 1) * DAY_MS;
    this.weekClipFrom = (WEEK_DAYS + 1) * DAY_MS;
  }

  /** The predictions of the point at `timestamp`, `history` ms after the series' first point. */
  predict(timestamp: number, value: number, history: number): void {
    const day = Math.floor(timestamp / DAY_MS);
    if (day !== this.day) {
      this.level = this.profile.level();
      this.day = day;
    }
    const bucket = this.profile.bucketOf(timestamp);
    this.profile.add(bucket, day, value);
    this.daily = history >= this.dailyFrom ? this.profile.expected(bucket) : Number.NaN;
    // The week-earlier prediction replaces the daily median while its error is the smaller, after
    // `residualWarmupHours` of its own residuals.
    const weekAgo = this.weeklyOn ? this.profile.lagged(bucket, day, WEEK_DAYS) : Number.NaN;
    this.weekAgo = weekAgo;
    this.weekResidual = Number.isNaN(weekAgo) ? Number.NaN : this.weekResidualMean.push(value - weekAgo);
    this.weekly =
      this.weekResiduals.blocks >= this.o.residualWarmupHours &&
      !Number.isNaN(weekAgo) &&
      this.weekError.value < this.dailyError.value;
    this.value = this.weekly ? weekAgo : this.daily;
  }

  private get error(): RobustScale {
    return this.weekly ? this.weekError : this.dailyError;
  }

  /**
   * How many robust error scales `value` lies from the prediction: +∞ unless the prediction has been
   * explaining the series (a profile that does not fit must not excuse a point).
   */
  surprise(value: number): number {
    const residual = value - this.value;
    const error = this.error.value;
    return !Number.isNaN(residual) && this.seasonal && error > 0
      ? Math.abs(residual) / error
      : Number.POSITIVE_INFINITY;
  }

  /**
   * The errors take the point; then whether the series is seasonal: the prediction's error is below
   * (1 − `seasonalStrength`) × the error around the overall level, once `residualReady`.
   */
  learn(value: number, dt: number, history: number, formed: boolean, residualReady: boolean): boolean {
    if (!Number.isNaN(this.daily))
      this.dailyError.update(value - this.daily, dt, history >= this.dailyClipFrom);
    if (!Number.isNaN(this.weekAgo))
      this.weekError.update(value - this.weekAgo, dt, history >= this.weekClipFrom);
    if (!Number.isNaN(this.level)) this.spreadError.update(value - this.level, dt, formed);
    this.seasonal =
      residualReady && this.error.value < (1 - this.o.seasonalStrength) * this.spreadError.value;
    return this.seasonal;
  }
}
