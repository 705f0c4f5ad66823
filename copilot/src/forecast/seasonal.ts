import { z } from 'zod';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export const seasonalOptionsSchema = z.object({
  /** Resolution of the time-of-day profile; finer bins need more days to settle. */
  binMinutes: z.number().int().min(1).max(240).default(30),
  /** Weight of the newest day in the time-of-day profile. */
  dayWeight: z.number().gt(0).max(1).default(0.3),
  /** Weight of the newest week in each day-of-week offset. */
  weekdayWeight: z.number().gt(0).max(1).default(0.5),
  /** How fast the recent level (today's deviation from the profile) follows new data. */
  levelHalfLifeMinutes: z.number().positive().default(5),
  /** How fast that deviation fades with the horizon: far ahead, the profile knows better than the last hour. */
  offsetHalfLifeMinutes: z.number().positive().default(360),
});

export type SeasonalOptions = z.infer<typeof seasonalOptionsSchema>;

function halfLifeWeight(halfLife: number): number {
  return 1 - 2 ** (-1 / halfLife);
}

/**
 * Demand model with daily and weekly seasonality: a time-of-day profile, a day-of-week offset and the recent
 * deviation from both. Values are whatever scale the caller chooses (the causal runner feeds log demand, so
 * components add up to multiplicative effects). Updating and forecasting are O(1), so a month of minutes is
 * a few milliseconds.
 */
export class SeasonalForecaster {
  private readonly options: SeasonalOptions;
  private readonly bins: number;
  private readonly profile: Float64Array;
  private readonly profileSeen: Uint8Array;
  private readonly weekday = new Float64Array(7);
  private readonly weekdaySeen = new Uint8Array(7);
  private readonly binWeight: number;
  private readonly levelWeight: number;
  private offset = 0;
  private level = Number.NaN;
  private day = Number.NaN;
  private daySum = 0;
  private dayCount = 0;

  constructor(options: Partial<SeasonalOptions> = {}) {
    this.options = seasonalOptionsSchema.parse(options);
    this.bins = Math.ceil(1440 / this.options.binMinutes);
    this.profile = new Float64Array(this.bins);
    this.profileSeen = new Uint8Array(this.bins);
    // Each bin sees binMinutes observations a day; together they should weigh dayWeight.
    this.binWeight = 1 - (1 - this.options.dayWeight) ** (1 / this.options.binMinutes);
    this.levelWeight = halfLifeWeight(this.options.levelHalfLifeMinutes);
  }

  /** Seasonal expectation at `time`, NaN until the profile has seen that time of day. */
  baseline(time: number): number {
    const daily = this.profileAt(time);
    return daily + this.weekdayOffset(time);
  }

  observe(time: number, value: number): void {
    this.level = Number.isNaN(this.level) ? value : this.level + this.levelWeight * (value - this.level);
    const expected = this.baseline(time);
    if (!Number.isNaN(expected)) {
      this.offset += this.levelWeight * (value - expected - this.offset);
      this.accumulateDay(time, value - this.profileAt(time));
    }
    this.updateProfile(time, value - this.weekdayOffset(time));
  }

  /** Median expectation at `target`, made from what was observed up to `now`. */
  forecast(target: number, now: number): number {
    const expected = this.baseline(target);
    if (Number.isNaN(expected)) return this.level;
    const horizon = Math.max(0, (target - now) / MINUTE_MS);
    return expected + this.offset * 2 ** (-horizon / this.options.offsetHalfLifeMinutes);
  }

  private binPosition(time: number): number {
    const minuteOfDay = (((time % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS;
    return minuteOfDay / this.options.binMinutes - 0.5;
  }

  private profileAt(time: number): number {
    const position = this.binPosition(time);
    const lower = (Math.floor(position) + this.bins) % this.bins;
    const upper = (lower + 1) % this.bins;
    const fraction = position - Math.floor(position);
    const lowerSeen = this.profileSeen[lower] === 1;
    const upperSeen = this.profileSeen[upper] === 1;
    if (lowerSeen && upperSeen) {
      return this.profile[lower]! * (1 - fraction) + this.profile[upper]! * fraction;
    }
    if (lowerSeen) return this.profile[lower]!;
    if (upperSeen) return this.profile[upper]!;
    return Number.NaN;
  }

  private updateProfile(time: number, value: number): void {
    const bin = Math.min(this.bins - 1, Math.floor(this.binPosition(time) + 0.5));
    if (this.profileSeen[bin] === 1) {
      this.profile[bin]! += this.binWeight * (value - this.profile[bin]!);
    } else {
      this.profile[bin] = value;
      this.profileSeen[bin] = 1;
    }
  }

  private weekdayOffset(time: number): number {
    const weekday = new Date(time).getUTCDay();
    return this.weekdaySeen[weekday] === 1 ? this.weekday[weekday]! : 0;
  }

  /** Day-of-week offsets are the mean deviation of a whole day from the profile, folded in when it ends. */
  private accumulateDay(time: number, deviation: number): void {
    const day = Math.floor(time / DAY_MS);
    if (day !== this.day) {
      this.foldDay();
      this.day = day;
    }
    this.daySum += deviation;
    this.dayCount++;
  }

  private foldDay(): void {
    if (this.dayCount === 0) return;
    const weekday = new Date(this.day * DAY_MS).getUTCDay();
    const mean = this.daySum / this.dayCount;
    if (this.weekdaySeen[weekday] === 1) {
      this.weekday[weekday]! += this.options.weekdayWeight * (mean - this.weekday[weekday]!);
    } else {
      this.weekday[weekday] = mean;
      this.weekdaySeen[weekday] = 1;
    }
    this.daySum = 0;
    this.dayCount = 0;
  }
}
