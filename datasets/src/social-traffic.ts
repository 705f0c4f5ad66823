import { DAY_MS, HOUR_MS, MINUTE_MS } from '@boundless/common/time';
import { z } from 'zod';
import { parseOptions } from './errors.ts';
import { gamma, poisson, range, traceOptionFields } from './minute-traffic.ts';
import { Rng } from './sim/rng.ts';
import type { TrafficMinute } from './traffic.ts';

/**
 * Per-minute request traces of a social-media-like service (`timestamp,requests,peak_rps`), a family unlike the
 * reading traces: a strong evening peak and a deep night trough, a weekly cycle, slow growth, and flash crowds
 * when something is shared: shares arrive more often when more people are online, their sizes are
 * heavy-tailed (Pareto), they rise within a minute or three, decay within minutes, and some are shared on
 * again (a cascade). Within a minute, seconds are over-dispersed (a gamma-mixed Poisson), and minutes swing
 * together (an autocorrelated factor). Every knob is drawn per seed from a range.
 */

export const socialTrafficRangesSchema = z.object({
  /** Mean requests per second over a day at the trace's start (drawn log-uniformly). */
  meanRps: range.default([20, 1500]),
  /** Hours from UTC of the audience (whole hours). */
  utcOffsetHours: range.default([-8, 9]),
  /** Local hour of the daily peak. */
  peakHour: range.default([19, 23]),
  /** The night trough as a share of the evening peak. */
  troughShare: range.default([0.06, 0.3]),
  /** Sharpness of the evening peak (the daily cosine raised to this power). */
  peakSharpness: range.default([1.2, 3]),
  /** Weekend days relative to weekdays. */
  weekendFactor: range.default([0.8, 1.35]),
  /** Growth per week (exponential). */
  growthPerWeek: range.default([0.005, 0.04]),
  /** Shares that start a flash crowd, per day, at the day's mean activity. */
  sharesPerDay: range.default([3, 20]),
  /** Pareto tail index of a share's size: smaller is heavier. */
  shareTail: range.default([1.1, 1.8]),
  /** Smallest share: its added rate as a share of the baseline at that moment. */
  shareMinimum: range.default([0.05, 0.3]),
  /** Seconds a share takes to reach its height. */
  shareRiseSeconds: range.default([20, 180]),
  /** Median half-life of a share's decay, minutes (each share log-normal around it). */
  shareHalfLifeMinutes: range.default([2, 20]),
  /** Chance that a share is shared on again, later and smaller. */
  cascadeChance: range.default([0.1, 0.4]),
  /** Gamma shape of the per-second rate noise: smaller is burstier within a minute. */
  secondShape: range.default([4, 40]),
  /** Spread of the minute-to-minute log factor, and its correlation from one minute to the next. */
  minuteSpread: range.default([0.02, 0.08]),
  minuteCorrelation: range.default([0.8, 0.95]),
});

export type SocialTrafficRanges = z.input<typeof socialTrafficRangesSchema>;

export const socialTrafficOptionsSchema = z.object({
  ...traceOptionFields,
  ranges: socialTrafficRangesSchema.default(socialTrafficRangesSchema.parse({})),
});

export type SocialTrafficOptions = z.input<typeof socialTrafficOptionsSchema>;

/** What a seed drew: one value per range, and the shares that happened. */
export interface SocialTrafficParameters {
  readonly seed: number;
  readonly values: { readonly [K in keyof z.output<typeof socialTrafficRangesSchema>]: number };
  readonly shares: readonly {
    readonly at: string;
    readonly height: number;
    readonly halfLifeMinutes: number;
  }[];
}

export interface SocialTraffic {
  readonly minutes: TrafficMinute[];
  readonly parameters: SocialTrafficParameters;
}

type Values = SocialTrafficParameters['values'];

function drawValues(rng: Rng, ranges: z.output<typeof socialTrafficRangesSchema>): Values {
  const draw = ([low, high]: readonly [number, number]) => rng.between(low, high);
  const values = Object.fromEntries(
    Object.entries(ranges).map(([name, bounds]) => [name, draw(bounds)]),
  ) as Record<keyof Values, number>;
  values.meanRps = Math.exp(rng.between(Math.log(ranges.meanRps[0]), Math.log(ranges.meanRps[1])));
  values.utcOffsetHours = Math.round(values.utcOffsetHours);
  return values;
}

/** The day's shape at a local hour: a deep night trough and a sharp evening peak (1 at the peak). */
function dayShape(values: Values, hour: number): number {
  const cosine = (1 + Math.cos((2 * Math.PI * (hour - values.peakHour)) / 24)) / 2;
  return values.troughShare + (1 - values.troughShare) * cosine ** values.peakSharpness;
}

/** The rhythm at `time`: the day's shape, the weekend's factor and the growth since the start. */
function rhythm(values: Values, time: number, start: number): number {
  const local = time + values.utcOffsetHours * HOUR_MS;
  const shape = dayShape(values, (((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
  const weekday = new Date(local).getUTCDay();
  const week = weekday === 0 || weekday === 6 ? values.weekendFactor : 1;
  const growth = (1 + values.growthPerWeek) ** ((time - start) / (7 * DAY_MS));
  return shape * week * growth;
}

/** The day's shape averaged over a day, so that `meanRps` is a weekday's mean at the start. */
function dailyMeanOfShape(values: Values): number {
  let sum = 0;
  for (let minute = 0; minute < 1440; minute++) sum += dayShape(values, minute / 60);
  return sum / 1440;
}

interface Share {
  readonly at: number;
  /** Added requests per second at the share's height. */
  readonly height: number;
  readonly riseSeconds: number;
  readonly decayPerSecond: number;
}

/**
 * A seeded month (by default) of per-minute social-media-like traffic; the same options give the same trace.
 * Simulated second by second: the rhythm's rate plus every active share's, times a per-second gamma factor
 * and a per-minute autocorrelated factor, then a Poisson count.
 */
export function simulateSocialTraffic(options: SocialTrafficOptions): SocialTraffic {
  const {
    seed,
    days,
    ranges,
    start: first,
  } = parseOptions(socialTrafficOptionsSchema, 'social-traffic', options);
  const start = Math.floor(first.getTime() / MINUTE_MS) * MINUTE_MS;
  const values = drawValues(new Rng(seed, 'social-traffic-values'), ranges);
  const rng = new Rng(seed, 'social-traffic-seconds');
  const shareRng = new Rng(seed, 'social-traffic-shares');
  const base = values.meanRps / dailyMeanOfShape(values);
  const sharesPerSecond = values.sharesPerDay / 86_400;
  const active: Share[] = [];
  /** When re-shares of earlier shares are due. */
  const pending: number[] = [];
  const drawn: SocialTrafficParameters['shares'][number][] = [];
  const newShare = (at: number, baseline: number, scale: number): Share => {
    // Pareto: the minimum times U^(−1/α), capped so one share never exceeds fifty baselines.
    const size = Math.min(50, values.shareMinimum * shareRng.next() ** (-1 / values.shareTail)) * scale;
    const halfLife = shareRng.logNormal(values.shareHalfLifeMinutes, 0.6);
    const share = {
      at,
      height: size * baseline,
      riseSeconds: shareRng.logNormal(values.shareRiseSeconds, 0.4),
      decayPerSecond: Math.LN2 / (halfLife * 60),
    };
    drawn.push({ at: new Date(at).toISOString(), height: size, halfLifeMinutes: halfLife });
    if (shareRng.chance(values.cascadeChance)) pending.push(at + shareRng.exp(30) * MINUTE_MS);
    return share;
  };
  const minutes: TrafficMinute[] = [];
  let minuteFactor = 0;
  const innovation = values.minuteSpread * Math.sqrt(1 - values.minuteCorrelation ** 2);
  for (let minute = 0; minute < days * 1440; minute++) {
    const time = start + minute * MINUTE_MS;
    const baseline = base * rhythm(values, time, start);
    minuteFactor = values.minuteCorrelation * minuteFactor + rng.normal(0, innovation);
    const scale = Math.exp(minuteFactor);
    // Shares arrive with activity; a cascade's re-share lands when it is due, at a fraction of a new size.
    const arrivals = poisson(shareRng, sharesPerSecond * 60 * (baseline / base));
    for (let i = 0; i < arrivals; i++) active.push(newShare(time + shareRng.next() * MINUTE_MS, baseline, 1));
    for (let i = pending.length - 1; i >= 0; i--) {
      if (pending[i]! < time + MINUTE_MS) {
        active.push(newShare(pending[i]!, baseline, shareRng.between(0.2, 0.6)));
        pending.splice(i, 1);
      }
    }
    let requests = 0;
    let peakRps = 0;
    for (let second = 0; second < 60; second++) {
      const now = time + second * 1000;
      let rate = baseline;
      for (const share of active) {
        const since = (now - share.at) / 1000;
        if (since < 0) continue;
        rate +=
          since < share.riseSeconds
            ? share.height * (since / share.riseSeconds)
            : share.height * Math.exp(-share.decayPerSecond * (since - share.riseSeconds));
      }
      const count = poisson(rng, rate * scale * (gamma(rng, values.secondShape) / values.secondShape));
      requests += count;
      peakRps = Math.max(peakRps, count);
    }
    // A share whose rate has fallen below a thousandth of a request a second is over.
    for (let i = active.length - 1; i >= 0; i--) {
      const share = active[i]!;
      const since = (time + MINUTE_MS - share.at) / 1000 - share.riseSeconds;
      if (since > 0 && share.height * Math.exp(-share.decayPerSecond * since) < 1e-3) active.splice(i, 1);
    }
    minutes.push({ time, timestamp: new Date(time).toISOString(), requests, peakRps });
  }
  drawn.sort((a, b) => a.at.localeCompare(b.at));
  return { minutes, parameters: { seed, values, shares: drawn } };
}
