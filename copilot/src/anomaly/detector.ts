import { DAY_MS } from '@boundless/common/time';
import { AnomalyError } from './errors.ts';
import { DEFAULT_DETECTOR_OPTIONS, type DetectorOptions, validate } from './options.ts';
import { AlarmPolicy, reportedScore } from './alarm.ts';
import { FlatLine } from './flatline.ts';
import { RecentMean } from './recent.ts';
import { SeasonalPrediction } from './seasonal.ts';
import { RecordRange, RobustScale, RollingMean, RollingMedian } from './streams.ts';
import { type AnomalyPoint, type AnomalyView, RANGED_VIEWS, VIEWS } from './views.ts';

/** The most points the mean windows hold however often a series is sampled (bounded memory and time). */
const MEAN_MAX_POINTS = 720;

/**
 * A causal, streaming anomaly detector for metric series of any kind (spiky, seasonal, level-shifting,
 * drifting, flat, counts or rates, regular or irregular sampling). Row i is scored from rows ≤ i only, in
 * O(1) amortised time and bounded memory.
 *
 * The question it asks of each point is the one people ask when they label anomalies: has this series ever
 * (within `memoryDays`) looked like this? Seven views of the series are each compared with the range they
 * have covered, hour by hour, over the memory:
 * - **value**: the point itself (spikes, dips, level shifts);
 * - **mean**: the mean of the last `meanPoints` points and of every point of the last `meanBlocks` (sustained
 *   shifts and bursts of spikes that no single point shows, a drift that leaves the range);
 * - **daily profile**: the mean of the last `residualPoints` departures from the median of the same time of
 *   day on previous days (a missing daily peak, a flat day, a pattern out of phase). Used only while the
 *   series is seasonal: the profile must explain the series clearly better than its overall level does;
 * - **volatility**: the median absolute step over the last `volatilityPoints` points (oscillation, noise
 *   bursts, a flat-lined sensor; a lone spike moves a median of steps by nothing);
 * - **median**: the median of the last `meanPoints` points (a shift of level on a spiky series, whose mean
 *   view's range earlier lone spikes have widened), after `medianWarmupHours` of history;
 * - **log value**: the logarithm of the point, while every point so far has been positive (a rate, a price,
 *   a latency): a fall to a hundredth of the usual level is far outside the range on a multiplicative scale,
 *   however small it is beside the series' earlier highs;
 * - **flat line**: points in a row with exactly the same value, against `flatUnits` × the longest such run
 *   that ended before it within the memory, and at least `flatMinPoints` (a stuck sensor or pipeline, which
 *   the volatility view misses once a burst widened its range), on a series that mostly moves (flatline.ts).
 *
 * The daily profile becomes the same time a week earlier while that predicts better (`weeklyProfile`), and a
 * value record must also be a record departure from the recent level (`jumpGate`: a trend is no anomaly).
 *
 * A view's novelty is how far it lies outside its range, in units of `noveltyUnits` × the range's width. For
 * the value, mean and median views a point must also be surprising: at least `surpriseUnits` robust error
 * scales away from both the recent level and the daily profile, so a seasonal peak that merely tops last
 * month's is not an anomaly; for the log-value view, as many scales in log units from the recent log level
 * (a log scale no smaller than the additive error over the recent level).
 * The evidence `e` is the largest novelty; `score = e / (1 + e)` (0 inside every range, 0.5 at the alarm
 * threshold).
 *
 * Alarm policy: `isAnomaly` when the score reaches 0.5 after `warmupMs` of history, at least `refractoryMs`
 * after the previous alarm, and once the evidence has stayed below the threshold for `rearmMs` since that
 * alarm's episode: one alarm per incident, a new one for the next incident (alarm.ts).
 */
export class AnomalyDetector {
  readonly options: DetectorOptions;
  /** One range per ranged view, in the order of VIEWS (the flat-line view keeps its own, of runs). */
  private readonly ranges: RecordRange[];
  /** The range of departures from the recent level (value − previous mean): how far the series has jumped. */
  private readonly jumps: RecordRange;
  /** Every range, closed together at the end of each block. */
  private readonly allRanges: RecordRange[];
  private readonly mean: RecentMean;
  private readonly residualMean: RollingMean;
  private readonly volatility: RollingMedian;
  private readonly median: RollingMedian;
  private readonly logMean: RecentMean;
  private readonly seasonal: SeasonalPrediction;
  private readonly alarms: AlarmPolicy;
  private readonly levelError: RobustScale;
  private readonly logLevelError: RobustScale;
  private readonly features = new Float64Array(RANGED_VIEWS);
  private readonly evidence = new Float64Array(VIEWS.length);
  private readonly units = new Float64Array(RANGED_VIEWS);
  private block = Number.NaN;
  private first = Number.NaN;
  private last = Number.NaN;
  private lastValue = Number.NaN;
  private readonly flat: FlatLine;
  private previousMean = Number.NaN;
  private previousLogMean = Number.NaN;
  /** Points seen so far. */
  private points = 0;
  /** Every value so far has been positive: the log-value view applies. */
  private positive = true;

  constructor(options: Partial<DetectorOptions> = {}) {
    const o = { ...DEFAULT_DETECTOR_OPTIONS, ...options };
    validate(o);
    this.options = o;
    const memoryBlocks = Math.ceil((o.memoryDays * DAY_MS) / o.blockMs);
    this.ranges = Array.from({ length: RANGED_VIEWS }, () => new RecordRange(memoryBlocks));
    this.jumps = new RecordRange(memoryBlocks);
    this.mean = new RecentMean(Math.round(o.meanPoints), o.meanBlocks * o.blockMs, MEAN_MAX_POINTS);
    this.residualMean = new RollingMean(Math.round(o.residualPoints));
    this.volatility = new RollingMedian(Math.round(o.volatilityPoints));
    this.median = new RollingMedian(Math.round(o.meanPoints));
    this.logMean = new RecentMean(Math.round(o.meanPoints), o.meanBlocks * o.blockMs, MEAN_MAX_POINTS);
    this.seasonal = new SeasonalPrediction(o, memoryBlocks);
    this.alarms = new AlarmPolicy(o.refractoryMs, o.rearmMs);
    this.levelError = new RobustScale(o.scaleMs, o.huber);
    this.logLevelError = new RobustScale(o.scaleMs, o.huber);
    this.flat = new FlatLine(memoryBlocks);
    this.allRanges = [...this.ranges, this.jumps, this.seasonal.weekResiduals];
  }

  /** Scores one point. Timestamps are epoch ms and should not go backwards (a point that does is still scored). */
  update(timestamp: number, value: number): AnomalyPoint {
    const o = this.options;
    if (!Number.isFinite(timestamp) || !Number.isFinite(value))
      throw new AnomalyError(`timestamp and value must be finite numbers, got ${timestamp}, ${value}`);
    if (Number.isNaN(this.first)) {
      this.first = timestamp;
      this.last = timestamp;
    }
    const dt = Math.max(0, timestamp - this.last);
    const history = timestamp - this.first;
    const block = Math.floor(timestamp / o.blockMs);
    if (block > this.block || Number.isNaN(this.block)) {
      for (const range of this.allRanges) range.close(block);
      this.flat.close(block);
      this.block = block;
    }

    // Predictions: the recent level and the seasonal one.
    const seasonal = this.seasonal;
    seasonal.predict(timestamp, value, history);
    const dailyResidual = value - seasonal.daily;
    const residualReady = this.ranges[2]!.blocks >= o.residualWarmupHours;

    // Surprise: distance to the nearest prediction, in robust error scales.
    let surprise = Number.POSITIVE_INFINITY;
    const levelGap = value - this.previousMean;
    if (!Number.isNaN(levelGap) && this.levelError.value > 0)
      surprise = Math.abs(levelGap) / this.levelError.value;
    surprise = Math.min(surprise, seasonal.surprise(value));
    const additiveError = this.levelError.value;
    const formed = history >= o.warmupMs;
    if (!Number.isNaN(levelGap)) this.levelError.update(levelGap, dt, formed);
    const seasonalSeries = seasonal.learn(value, dt, history, formed, residualReady);
    // The same surprise on a multiplicative scale, for the log-value view.
    if (value <= 0) this.positive = false;
    const logValue = this.positive ? Math.log(value) : Number.NaN;
    let logSurprise = Number.POSITIVE_INFINITY;
    const logGap = logValue - this.previousLogMean;
    if (!Number.isNaN(logGap)) {
      // Additive noise near a low level is large in log units: a point the recent level's own additive error
      // explains is no surprise on a multiplicative scale either (the error in log units is at least the
      // additive error over the recent level).
      const atLevel = this.previousMean > 0 ? additiveError / this.previousMean : 0;
      const logError = Math.max(this.logLevelError.value, Number.isNaN(atLevel) ? 0 : atLevel);
      if (logError > 0) logSurprise = Math.abs(logGap) / logError;
      this.logLevelError.update(logGap, dt, formed);
    }

    // The seven views and their novelty.
    const f = this.features;
    f[0] = value;
    f[1] = this.mean.push(timestamp, value);
    f[2] = Number.isNaN(dailyResidual) ? Number.NaN : this.residualMean.push(dailyResidual);
    f[3] = Number.isNaN(this.lastValue) ? Number.NaN : this.volatility.push(Math.abs(value - this.lastValue));
    f[4] = o.medianUnits > 0 ? this.median.push(value) : Number.NaN;
    f[5] = logValue;
    // The flat-line view keeps its own range, of completed runs (flatline.ts).
    this.flat.push(value);
    this.previousMean = f[1];
    if (this.positive) this.previousLogMean = this.logMean.push(timestamp, logValue);
    const floor = 1e-9 + 1e-6 * Math.abs(value);
    const e = this.evidence;
    const r = this.ranges;
    // A record over a short history is cheap: the margin widens by (1 + youngHours / hours of history).
    const u = this.units;
    for (let i = 0; i < RANGED_VIEWS; i++)
      u[i] = o.noveltyUnits * (1 + o.youngHours / Math.max(1, r[i]!.blocks));
    // The value view's range, of single noisy points, is the one a young series' noise keeps widening: its
    // margin also takes the growth that range would still have before `youngDays` of history (youthMargin).
    // The smoothed views' ranges grow less; widening them too cost early catches on the shipped series.
    this.points++;
    u[0] = u[0]! + youthMargin(this.points, history, o.youngDays * DAY_MS);
    const surprising = o.surpriseUnits > 0 ? surprise / o.surpriseUnits : Number.POSITIVE_INFINITY;
    e[0] = Math.min(r[0]!.novelty(f[0], u[0]!, floor), surprising);
    // A record is new only if the point also jumps further from the recent level than the series has jumped
    // before: on a trend every noisy point tops the range, and that is not an anomaly.
    if (o.jumpGate > 0 && e[0] > 0) e[0] = Math.min(e[0], this.jumps.novelty(levelGap, u[0]!, floor));
    if (!Number.isNaN(levelGap)) this.jumps.add(levelGap);
    e[1] = Math.min(r[1]!.novelty(f[1], u[1]!, floor), surprising);
    // A weekly prediction is judged against its own residuals' range (the daily profile's is wider).
    e[2] = !seasonalSeries
      ? 0
      : seasonal.weekly
        ? seasonal.weekResiduals.novelty(seasonal.weekResidual, u[2]! * o.profileUnits, floor)
        : r[2]!.novelty(f[2], u[2]! * o.profileUnits, floor);
    seasonal.weekResiduals.add(seasonal.weekResidual);
    // Steps of plain noise vary little, so their range is narrow: volatility must move relative to its own
    // level, not only to that narrow range.
    const volatilityFloor = Math.max(floor, r[3]!.high);
    e[3] =
      r[3]!.blocks >= o.volatilityWarmupHours
        ? r[3]!.novelty(f[3], u[3]! * o.volatilityUnits, volatilityFloor)
        : 0;
    // A series that sits at its floor half the time (idle counts, a zero-inflated load) has no level for a
    // median to follow: its median only says how often it leaves the floor, which the mean view sees.
    const hasLevel = r[4]!.low > r[0]!.low;
    e[4] =
      o.medianUnits > 0 && hasLevel && r[4]!.blocks >= o.medianWarmupHours
        ? Math.min(r[4]!.novelty(f[4], u[4]! * o.medianUnits, floor), surprising)
        : 0;
    const logSurprising = o.surpriseUnits > 0 ? logSurprise / o.surpriseUnits : Number.POSITIVE_INFINITY;
    e[5] =
      o.logUnits > 0 && this.positive
        ? Math.min(r[5]!.novelty(f[5], u[5]! * o.logUnits, floor), logSurprising)
        : 0;
    // A value repeated exactly for longer than twice the longest run that ended before it (and than
    // `flatMinPoints`): a sensor or a pipeline that flat-lines, which the volatility view misses once a burst
    // has widened its range. A series that often repeats itself (counts, quantised values) has long runs already.
    e[6] = this.flat.evidence(o.flatUnits, o.flatMinPoints);
    // The view reported is the first, in the order of VIEWS, that reaches the
    // threshold (the simplest explanation: a spike is reported as a spike), else the strongest.
    let best = 0;
    let view: AnomalyView | undefined;
    let strongest = 0;
    for (let i = 0; i < VIEWS.length; i++) {
      if (e[i]! > best) best = e[i]!;
      if (e[i]! > strongest && (strongest < 1 || view === undefined)) {
        strongest = e[i]!;
        view = VIEWS[i];
      }
    }
    for (let i = 0; i < RANGED_VIEWS; i++) r[i]!.add(f[i]!);
    const score = best / (1 + best);
    const isAnomaly = this.alarms.decide(timestamp, score, formed);

    const expected = seasonalSeries && !Number.isNaN(seasonal.value) ? seasonal.value : this.previousMean;
    const range = r[0]!;
    const margin = u[0]! * Math.max(range.high - range.low, floor);
    this.lastValue = value;
    this.last = Math.max(this.last, timestamp);
    return {
      timestamp,
      value,
      score: reportedScore(score, isAnomaly),
      evidence: best,
      isAnomaly,
      view,
      expected: Number.isNaN(expected) ? value : expected,
      lower: range.ready ? range.low - margin : Number.NEGATIVE_INFINITY,
      upper: range.ready ? range.high + margin : Number.POSITIVE_INFINITY,
    };
  }
}

/**
 * The extra margin, as a fraction of a range's width, of a series `points` points and `historyMs` old judged as
 * if it were `referenceMs` old: the range of n points of noise grows as √(2 ln n), so a series observed at the
 * same rate until then would still widen its range by √(ln N / ln n) − 1 (N the points by then), half of it on
 * each side. Records a short history sets that the reference history would have contained are not news.
 */
export function youthMargin(points: number, historyMs: number, referenceMs: number): number {
  if (referenceMs <= 0 || historyMs >= referenceMs || points < 3 || historyMs <= 0) return 0;
  const reference = (points * referenceMs) / historyMs;
  return (Math.sqrt(Math.log(reference) / Math.log(points)) - 1) / 2;
}

export { DEFAULT_DETECTOR_OPTIONS, type DetectorOptions } from './options.ts';
export type { AnomalyPoint } from './views.ts';

export interface ScoredSeries {
  scores: number[];
  alarms: boolean[];
}

/** Scores a whole series with a fresh detector (row i from rows ≤ i only). */
export function scoreSeries(
  timestamps: readonly number[],
  values: readonly number[],
  options: Partial<DetectorOptions> = {},
): ScoredSeries {
  if (timestamps.length !== values.length) throw new AnomalyError('timestamps and values differ in length');
  const detector = new AnomalyDetector(options);
  const scores = new Array<number>(values.length);
  const alarms = new Array<boolean>(values.length);
  for (let i = 0; i < values.length; i++) {
    const point = detector.update(timestamps[i]!, values[i]!);
    scores[i] = point.score;
    alarms[i] = point.isAnomaly;
  }
  return { scores, alarms };
}
