import { AnomalyError } from './errors.ts';

/**
 * A causal, streaming anomaly detector for CloudWatch-style metric series (latency, errors, throttles,
 * concurrency, cache hit ratio, cost). Each point is scored from the points before it and itself only, in
 * O(1) amortised time and bounded memory.
 *
 * Two kinds of evidence must agree before a point scores above zero:
 * - **Local surprise**: the point is far from every available prediction — a Huber-robust EWMA level, and,
 *   once enough history exists, the median of the same phase on previous days (daily seasonality) and on
 *   previous weeks (weekly seasonality) — measured in units of that predictor's own robust error scale.
 *   The level re-baselines after a persistent shift, so a new normal stops alarming.
 * - **Novelty**: the point lies outside the envelope of recent history (the k-th highest hourly maximum and
 *   k-th lowest hourly minimum of the last `historyMs`), so a single outlier in the history does not widen
 *   the envelope, and a routine spike that recurs does not alarm again.
 *
 * The evidence `e = min(surprise / surpriseUnits, novelty / noveltyUnits)` maps to `score = e / (1 + e)`,
 * 0.5 at the default threshold. The alarm policy then raises `isAnomaly` only when the score reaches the
 * threshold, the warm-up is over, and no alarm was raised in the preceding `refractoryMs`, so one incident
 * yields one alarm.
 */
export interface DetectorOptions {
  /** Width of a seasonal phase bucket. */
  phaseMs: number;
  /** Previous days kept per daily phase bucket. */
  seasonDays: number;
  /** Previous weeks kept per weekly phase bucket. */
  seasonWeeks: number;
  /** Days of history before the daily predictor is used; weeks before the weekly one. */
  minDays: number;
  minWeeks: number;
  /** Time constant of the level and of every predictor's error scale. */
  levelMs: number;
  scaleMs: number;
  /** Huber clipping, in error scales. */
  huber: number;
  /** Consecutive same-side points beyond `huber` scales that re-baseline the level. */
  shiftPoints: number;
  /** Envelope: block width, history length, and which highest/lowest block extreme bounds it. */
  blockMs: number;
  historyMs: number;
  robustRank: number;
  /**
   * 1: scale the rank with the history available (k = robustRank × filled blocks / all blocks, at least 1),
   * so a short history is bounded by its extremes; 0: always the robustRank-th.
   */
  scaleRank: number;
  /** Evidence units: error scales of surprise and envelope widths of novelty that make e = 1. */
  surpriseUnits: number;
  noveltyUnits: number;
  /** Alarm policy. */
  threshold: number;
  refractoryMs: number;
  warmupMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/**
 * Global defaults. `surpriseUnits`, `noveltyUnits` and `refractoryMs` were chosen on the NAB
 * realAWSCloudwatch benchmark (see copilot/ANOMALIES.md for the sweep and its leave-one-file-out check);
 * the rest are conventional choices for 1- to 5-minute CloudWatch metrics.
 */
export const DEFAULT_DETECTOR_OPTIONS: DetectorOptions = {
  phaseMs: 5 * MINUTE,
  seasonDays: 7,
  seasonWeeks: 4,
  minDays: 2,
  minWeeks: 2,
  levelMs: 2 * HOUR,
  scaleMs: 12 * HOUR,
  huber: 3,
  shiftPoints: 6,
  blockMs: HOUR,
  historyMs: WEEK,
  robustRank: 2,
  scaleRank: 1,
  surpriseUnits: 3,
  noveltyUnits: 0.15,
  threshold: 0.5,
  refractoryMs: DAY,
  warmupMs: DAY,
};

export interface AnomalyPoint {
  timestamp: number;
  value: number;
  /** 0..1; 0.5 is the default alarm threshold. */
  score: number;
  isAnomaly: boolean;
  /** The prediction that explained the point best, and the band outside which the point would score ≥ 0.5. */
  expected: number;
  lower: number;
  upper: number;
}

/** Median of the first `n` entries of `values`, sorting them in `scratch`; NaN entries are skipped. */
function medianOf(values: Float64Array, n: number, scratch: Float64Array): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    let j = m++;
    while (j > 0 && scratch[j - 1]! > v) {
      scratch[j] = scratch[j - 1]!;
      j--;
    }
    scratch[j] = v;
  }
  if (m === 0) return Number.NaN;
  return m % 2 === 1 ? scratch[m >> 1]! : 0.5 * (scratch[(m >> 1) - 1]! + scratch[m >> 1]!);
}

/** Seasonal same-phase history: per bucket, a ring of the last `depth` values. */
class PhaseRings {
  private readonly rings: Float64Array;
  private readonly next: Uint8Array;
  private readonly scratch: Float64Array;
  readonly buckets: number;

  constructor(
    readonly periodMs: number,
    readonly phaseMs: number,
    readonly depth: number,
  ) {
    this.buckets = Math.max(1, Math.round(periodMs / phaseMs));
    this.rings = new Float64Array(this.buckets * depth).fill(Number.NaN);
    this.next = new Uint8Array(this.buckets);
    this.scratch = new Float64Array(depth);
  }

  bucketOf(timestamp: number): number {
    const phase = ((timestamp % this.periodMs) + this.periodMs) % this.periodMs;
    return Math.min(this.buckets - 1, Math.floor(phase / this.phaseMs));
  }

  median(bucket: number): number {
    return medianOf(
      this.rings.subarray(bucket * this.depth, (bucket + 1) * this.depth),
      this.depth,
      this.scratch,
    );
  }

  push(bucket: number, value: number): void {
    const slot = this.next[bucket]!;
    this.rings[bucket * this.depth + slot] = value;
    this.next[bucket] = (slot + 1) % this.depth;
  }
}

/** A predictor's robust error scale: a Huber-clipped EWMA of absolute errors. */
interface Predictor {
  scale: number;
  seen: boolean;
}

export class AnomalyDetector {
  readonly options: DetectorOptions;
  private readonly daily: PhaseRings;
  private readonly weekly: PhaseRings;
  private readonly blockMax: Float64Array;
  private readonly blockMin: Float64Array;
  private readonly topScratch: Float64Array;
  private blocksFilled = 0;
  private blockNext = 0;
  private blockIndex = Number.NaN;
  private currentMax = Number.NEGATIVE_INFINITY;
  private currentMin = Number.POSITIVE_INFINITY;
  private envUpper = Number.NaN;
  private envLower = Number.NaN;

  private firstTimestamp = Number.NaN;
  private lastTimestamp = Number.NaN;
  private level = Number.NaN;
  private shiftRun = 0;
  private readonly levelP: Predictor = { scale: 0, seen: false };
  private readonly dailyP: Predictor = { scale: 0, seen: false };
  private readonly weeklyP: Predictor = { scale: 0, seen: false };
  private lastAlarm = Number.NEGATIVE_INFINITY;
  private points = 0;

  constructor(options: Partial<DetectorOptions> = {}) {
    const o = { ...DEFAULT_DETECTOR_OPTIONS, ...options };
    for (const [key, value] of Object.entries(o)) {
      if (!Number.isFinite(value) || value < 0)
        throw new AnomalyError(`detector option ${key} must be ≥ 0, got ${value}`);
    }
    if (o.phaseMs <= 0 || o.blockMs <= 0 || o.levelMs <= 0 || o.scaleMs <= 0)
      throw new AnomalyError('phaseMs, blockMs, levelMs and scaleMs must be positive');
    if (o.seasonDays < 1 || o.seasonDays > 255 || o.seasonWeeks < 1 || o.seasonWeeks > 255)
      throw new AnomalyError('seasonDays and seasonWeeks must be between 1 and 255');
    if (o.robustRank < 1) throw new AnomalyError('robustRank must be at least 1');
    if (o.surpriseUnits <= 0 || o.noveltyUnits <= 0)
      throw new AnomalyError('evidence units must be positive');
    this.options = o;
    this.daily = new PhaseRings(DAY, o.phaseMs, Math.round(o.seasonDays));
    this.weekly = new PhaseRings(WEEK, Math.max(o.phaseMs, 15 * MINUTE), Math.round(o.seasonWeeks));
    const blocks = Math.max(1, Math.ceil(o.historyMs / o.blockMs));
    this.blockMax = new Float64Array(blocks);
    this.blockMin = new Float64Array(blocks);
    this.topScratch = new Float64Array(Math.round(o.robustRank));
  }

  /** k-th largest of `values[0..n)` (k clipped to n), with `sign` = -1 for the k-th smallest. */
  private kth(values: Float64Array, n: number, sign: number): number {
    const k = this.options.scaleRank
      ? Math.max(
          1,
          Math.min(this.topScratch.length, Math.round((this.topScratch.length * n) / this.blockMax.length)),
        )
      : Math.min(this.topScratch.length, n);
    const top = this.topScratch;
    let filled = 0;
    for (let i = 0; i < n; i++) {
      const v = sign * values[i]!;
      if (filled < k) {
        let j = filled++;
        while (j > 0 && top[j - 1]! < v) {
          top[j] = top[j - 1]!;
          j--;
        }
        top[j] = v;
      } else if (v > top[k - 1]!) {
        let j = k - 1;
        while (j > 0 && top[j - 1]! < v) {
          top[j] = top[j - 1]!;
          j--;
        }
        top[j] = v;
      }
    }
    return sign * top[k - 1]!;
  }

  private admit(max: number, min: number): void {
    this.blockMax[this.blockNext] = max;
    this.blockMin[this.blockNext] = min;
    this.blockNext = (this.blockNext + 1) % this.blockMax.length;
    this.blocksFilled = Math.min(this.blocksFilled + 1, this.blockMax.length);
  }

  private closeBlock(): void {
    if (this.currentMax === Number.NEGATIVE_INFINITY) return;
    this.admit(this.currentMax, this.currentMin);
    if (this.blocksFilled > 0) {
      this.envUpper = this.kth(this.blockMax, this.blocksFilled, 1);
      this.envLower = this.kth(this.blockMin, this.blocksFilled, -1);
    }
    this.currentMax = Number.NEGATIVE_INFINITY;
    this.currentMin = Number.POSITIVE_INFINITY;
  }

  /** Scores one point. Timestamps are epoch ms and should not go backwards (a point that does is still scored). */
  update(timestamp: number, value: number): AnomalyPoint {
    const o = this.options;
    if (!Number.isFinite(timestamp) || !Number.isFinite(value))
      throw new AnomalyError(`timestamp and value must be finite numbers, got ${timestamp}, ${value}`);
    if (this.points === 0) {
      this.firstTimestamp = timestamp;
      this.lastTimestamp = timestamp;
      this.level = value;
    }
    const dt = Math.max(0, timestamp - this.lastTimestamp);
    const history = timestamp - this.firstTimestamp;

    // Envelope of completed blocks strictly before this point's block.
    const block = Math.floor(timestamp / o.blockMs);
    if (block !== this.blockIndex) {
      this.closeBlock();
      this.blockIndex = block;
    }

    const spreadRaw = this.envUpper - this.envLower;
    const floor = Math.max(
      1e-9,
      1e-6 * Math.abs(this.level),
      0.01 * (!Number.isNaN(spreadRaw) ? spreadRaw : 0),
    );

    // Predictions and their surprise.
    let expected = this.level;
    let expectedScale = Math.max(this.levelP.scale, floor);
    let surprise = this.levelP.seen ? Math.abs(value - this.level) / expectedScale : 0;
    const dailyBucket = this.daily.bucketOf(timestamp);
    const weeklyBucket = this.weekly.bucketOf(timestamp);
    let dailyPred = Number.NaN;
    let weeklyPred = Number.NaN;
    if (history >= o.minDays * DAY) dailyPred = this.daily.median(dailyBucket);
    if (history >= o.minWeeks * WEEK) weeklyPred = this.weekly.median(weeklyBucket);
    if (!Number.isNaN(dailyPred) && this.dailyP.seen) {
      const scale = Math.max(this.dailyP.scale, floor);
      const z = Math.abs(value - dailyPred) / scale;
      if (z < surprise) {
        surprise = z;
        expected = dailyPred;
        expectedScale = scale;
      }
    }
    if (!Number.isNaN(weeklyPred) && this.weeklyP.seen) {
      const scale = Math.max(this.weeklyP.scale, floor);
      const z = Math.abs(value - weeklyPred) / scale;
      if (z < surprise) {
        surprise = z;
        expected = weeklyPred;
        expectedScale = scale;
      }
    }

    // Novelty against the robust envelope of recent history.
    let novelty = 0;
    let spread = 0;
    if (this.blocksFilled > 0) {
      spread = Math.max(spreadRaw, floor);
      if (value > this.envUpper) novelty = (value - this.envUpper) / spread;
      else if (value < this.envLower) novelty = (this.envLower - value) / spread;
    }

    const evidence = Math.min(surprise / o.surpriseUnits, novelty / o.noveltyUnits);
    const score = evidence > 0 ? evidence / (1 + evidence) : 0;
    const warm = history >= o.warmupMs;
    const isAnomaly = warm && score >= o.threshold && timestamp - this.lastAlarm >= o.refractoryMs;
    if (isAnomaly) this.lastAlarm = timestamp;

    // Band: outside it, both kinds of evidence reach one unit (score ≥ 0.5).
    let lower = expected - o.surpriseUnits * expectedScale;
    let upper = expected + o.surpriseUnits * expectedScale;
    if (this.blocksFilled > 0) {
      lower = Math.min(lower, this.envLower - o.noveltyUnits * spread);
      upper = Math.max(upper, this.envUpper + o.noveltyUnits * spread);
    }

    // Learn from this point.
    const aLevel = 1 - Math.exp(-Math.max(dt, 1) / o.levelMs);
    const aScale = 1 - Math.exp(-Math.max(dt, 1) / o.scaleMs);
    this.learn(this.levelP, value - this.level, aScale);
    const residual = value - this.level;
    const limit = o.huber * Math.max(this.levelP.scale, floor);
    if (this.points > 0 && Math.abs(residual) > limit) {
      this.shiftRun =
        Math.sign(residual) === Math.sign(this.shiftRun)
          ? this.shiftRun + Math.sign(residual)
          : Math.sign(residual);
    } else {
      this.shiftRun = 0;
    }
    if (Math.abs(this.shiftRun) >= o.shiftPoints) {
      this.level = value; // persistent shift: re-baseline
      this.shiftRun = 0;
    } else {
      this.level += aLevel * Math.max(-limit, Math.min(limit, residual));
    }
    if (!Number.isNaN(dailyPred)) this.learn(this.dailyP, value - dailyPred, aScale);
    if (!Number.isNaN(weeklyPred)) this.learn(this.weeklyP, value - weeklyPred, aScale);
    this.daily.push(dailyBucket, value);
    this.weekly.push(weeklyBucket, value);
    if (value > this.currentMax) this.currentMax = value;
    if (value < this.currentMin) this.currentMin = value;

    this.lastTimestamp = Math.max(this.lastTimestamp, timestamp);
    this.points++;
    return { timestamp, value, score, isAnomaly, expected, lower, upper };
  }

  private learn(p: Predictor, error: number, alpha: number): void {
    const abs = Math.abs(error);
    if (!p.seen) {
      if (this.points > 0) {
        p.scale = abs;
        p.seen = true;
      }
      return;
    }
    const clipped = p.scale > 0 ? Math.min(abs, this.options.huber * p.scale) : abs;
    p.scale += alpha * (clipped - p.scale);
  }
}

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
