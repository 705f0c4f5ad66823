import { MINUTE_MS, HOUR_MS, DAY_MS } from '@boundless/common/time';
import { AnomalyError } from './errors.ts';

/** The anomaly detector's options (see `AnomalyDetector` in detector.ts). */
export interface DetectorOptions {
  memoryDays: number;
  noveltyUnits: number;
  surpriseUnits: number;
  /** Multiplier of `noveltyUnits` for the volatility view (steps are noisier than values). */
  volatilityUnits: number;
  /** Multiplier of `noveltyUnits` for the daily-profile view. */
  profileUnits: number;
  /** The daily-profile view counts when its error is below (1 − strength) × the error around the level. */
  seasonalStrength: number;
  /** Points of the mean, median and log-level windows. */
  meanPoints: number;
  /**
   * The mean and log-level windows also hold every point of the last `meanBlocks` blocks (`blockMs` each; at
   * most `MEAN_MAX_POINTS`, detector.ts): on a series sampled every minute they smooth over an hour, as on one
   * sampled every five, so a burst of a few points moves them less than an hour of surge or slump does; on a
   * series of one point per block, `meanPoints` decides; 0: `meanPoints` only.
   */
  meanBlocks: number;
  /**
   * Multiplier of `noveltyUnits` for the median view (the median of the last `meanPoints` points); 0 turns
   * the view off.
   */
  medianUnits: number;
  /**
   * Multiplier of `noveltyUnits` for the log-value view, which judges a series that has only ever been
   * positive on a multiplicative scale; 0 turns the view off.
   */
  logUnits: number;
  residualPoints: number;
  volatilityPoints: number;
  /** Phase bucket of the daily profile, days it remembers, and days before it predicts. */
  phaseMs: number;
  profileDays: number;
  profileMinDays: number;
  /**
   * Hours of residual history before the daily-profile view may alarm: while the profile matures its
   * residuals shrink, and records over a short history are cheap.
   */
  residualWarmupHours: number;
  /** How much wider the alarm margin is over a short history (see `update`). */
  youngHours: number;
  /**
   * Days of history the value view's range is judged as if it had while the series is younger: its margin
   * widens by how far the range of a series of noise would still grow by then (`youthMargin`); 0: off.
   */
  youngDays: number;
  /** Hours of volatility history before the volatility view may alarm. */
  volatilityWarmupHours: number;
  /**
   * Hours of median history before the median view may alarm: a range of medians built over a few days has
   * not yet seen the slower level changes of an ordinary series, so it needs longer than the point-level views.
   */
  medianWarmupHours: number;
  /**
   * 1: a point beyond the value range must also lie further from the recent level (the mean of the previous
   * `meanPoints` points) than the series has ever departed from it, within the memory; 0: off.
   */
  jumpGate: number;
  /**
   * 1: on a series the same time a week earlier predicts better than the daily profile (weekends unlike
   * weekdays), that prediction replaces it (needs `profileDays` ≥ 7); 0: off.
   */
  weeklyProfile: number;
  /**
   * The flat-line view raises when a value repeats exactly for more than this many times the longest run of
   * repeats that ended before it in the memory (and than `flatMinPoints` points), on a series that mostly
   * moves; 0 turns the view off.
   */
  flatUnits: number;
  /**
   * The shortest run the flat-line view raises on a series whose values never repeat: six exact repeats of
   * a continuous measurement are already beyond chance, and an hourly series stuck for six hours is news.
   */
  flatMinPoints: number;
  /** Time constant and Huber clipping of the robust error scales. */
  scaleMs: number;
  huber: number;
  warmupMs: number;
  refractoryMs: number;
  rearmMs: number;
  /**
   * How long one block of the record ranges lasts: an hour for series sampled every few minutes; a series of
   * one point per period passes its period, so each period closes a block. The `...Hours` options count blocks.
   */
  blockMs: number;
}

/** Global defaults; how they were chosen is in copilot/ANOMALIES.md (leave-one-category-out on NAB). */
export const DEFAULT_DETECTOR_OPTIONS: DetectorOptions = {
  memoryDays: 60,
  noveltyUnits: 0.05,
  surpriseUnits: 3,
  volatilityUnits: 6,
  seasonalStrength: 0.5,
  profileUnits: 3,
  meanPoints: 12,
  meanBlocks: 1,
  medianUnits: 1,
  logUnits: 4,
  residualPoints: 6,
  volatilityPoints: 36,
  phaseMs: 5 * MINUTE_MS,
  profileDays: 7,
  profileMinDays: 2,
  youngHours: 0,
  youngDays: 14,
  residualWarmupHours: 72,
  volatilityWarmupHours: 72,
  medianWarmupHours: 96,
  jumpGate: 1,
  weeklyProfile: 1,
  flatUnits: 2,
  flatMinPoints: 6,
  scaleMs: 2 * DAY_MS,
  huber: 3,
  warmupMs: DAY_MS,
  refractoryMs: HOUR_MS,
  rearmMs: 2 * HOUR_MS,
  blockMs: HOUR_MS,
};

export function validate(options: DetectorOptions): void {
  for (const [key, value] of Object.entries(options)) {
    if (!Number.isFinite(value) || value < 0)
      throw new AnomalyError(`detector option ${key} must be a finite number ≥ 0, got ${value}`);
  }
  const positive: (keyof DetectorOptions)[] = [
    'memoryDays',
    'noveltyUnits',
    'volatilityUnits',
    'profileUnits',
    'meanPoints',
    'residualPoints',
    'volatilityPoints',
    'phaseMs',
    'profileDays',
    'scaleMs',
    'blockMs',
    'flatMinPoints',
  ];
  for (const key of positive)
    if (options[key] <= 0) throw new AnomalyError(`detector option ${key} must be positive`);
  if (options.profileDays > 255) throw new AnomalyError('profileDays must be at most 255');
  if (options.flatUnits > 0 && options.flatUnits <= 1)
    throw new AnomalyError('flatUnits must be 0 (off) or above 1');
  if (options.seasonalStrength > 1) throw new AnomalyError('seasonalStrength must be between 0 and 1');
}
