import { DAY_MS, HOUR_MS, MINUTE_MS } from '@boundless/common/time';
import { z } from 'zod';
import { parseOptions } from './errors.ts';
import { COUNTRIES } from './sim/networks.ts';
import { activity } from './sim/rhythm.ts';
import { Rng } from './sim/rng.ts';
import type { TrafficMinute } from './traffic.ts';

/**
 * Per-minute request traces of the simulated reader population (`timestamp,requests,peak_rps`), for
 * forecasting and pre-warming: the same daily and weekly rhythms as the log simulator (`sim/rhythm.ts`,
 * home and campus readers in the simulator's markets), reading sessions of pages whose assets arrive
 * together, occasional whole-title downloads, and release days whose session starts jump about tenfold and
 * decay over hours. Every knob is drawn per seed from a range, so seeds differ in size, markets, habits
 * and burst shapes; `ranges` narrows or moves them (a validation family uses ranges never tuned on).
 */

/** A knob's range, drawn per seed: shared by every simulated trace family. */
export const range = z
  .tuple([z.number(), z.number()])
  .refine(([low, high]) => low <= high, 'low must not exceed high');

export const minuteTrafficRangesSchema = z.object({
  /** Reader accounts (drawn log-uniformly). */
  readers: range.default([5_000, 500_000]),
  /** Reading sessions a reader starts per day. */
  sessionsPerDay: range.default([0.6, 2]),
  /** Mean pages read in a session (geometric). */
  pagesPerSession: range.default([6, 25]),
  /** Mean requests a page makes (chapter, images, fonts), arriving within a second or two. */
  requestsPerPage: range.default([2, 7]),
  /** Median pause between pages, seconds (log-normal). */
  pageGapSeconds: range.default([15, 90]),
  /** Share of sessions that download a whole title for offline reading. */
  downloadShare: range.default([0, 0.03]),
  /** Share of readers on campus rhythms (weekday office hours). */
  campusShare: range.default([0, 0.4]),
  /** Markets (time zones) the readers live in. */
  markets: range.default([1, 3]),
  /** Releases per week; at least one lands in every week. */
  releasesPerWeek: range.default([1, 2.5]),
  /** Multiplier of session starts when a title is released, decaying exponentially. */
  releaseBoost: range.default([6, 14]),
  releaseDecayMinutes: range.default([40, 180]),
  /** Notification pushes per week: shorter, smaller bursts. */
  pushesPerWeek: range.default([0, 3]),
  pushBoost: range.default([1.5, 4]),
  pushDecayMinutes: range.default([5, 25]),
});

export type MinuteTrafficRanges = z.input<typeof minuteTrafficRangesSchema>;

/** What every simulated trace family takes besides its ranges: a seed, a length and a first minute. */
export const traceOptionFields = {
  seed: z.number().int().min(0).max(0xffffffff),
  days: z.number().int().min(1).max(62).default(28),
  start: z
    .date()
    .refine((d) => !Number.isNaN(d.getTime()), 'start must be a valid date')
    .default(new Date('2026-11-02T00:00:00Z')),
};

export const minuteTrafficOptionsSchema = z.object({
  ...traceOptionFields,
  ranges: minuteTrafficRangesSchema.default(minuteTrafficRangesSchema.parse({})),
});

export type MinuteTrafficOptions = z.input<typeof minuteTrafficOptionsSchema>;

interface Burst {
  readonly at: string;
  readonly boost: number;
  readonly decayMinutes: number;
}

/** What a seed drew: enough to tell two traces apart and to explain a burst in the output. */
export interface MinuteTrafficParameters {
  readonly seed: number;
  readonly readers: number;
  readonly sessionsPerDay: number;
  readonly pagesPerSession: number;
  readonly requestsPerPage: number;
  readonly pageGapSeconds: number;
  readonly downloadShare: number;
  readonly campusShare: number;
  readonly markets: { readonly country: string; readonly utcOffset: number; readonly weight: number }[];
  readonly releases: Burst[];
  readonly pushes: Burst[];
}

export interface MinuteTraffic {
  readonly minutes: TrafficMinute[];
  readonly parameters: MinuteTrafficParameters;
}

function draw(rng: Rng, [low, high]: readonly [number, number]): number {
  return rng.between(low, high);
}

function drawLog(rng: Rng, [low, high]: readonly [number, number]): number {
  return Math.exp(rng.between(Math.log(Math.max(low, 1e-9)), Math.log(Math.max(high, 1e-9))));
}

/** Knuth's product method for small means, Hörmann's transformed rejection (PTRS) above 10. */
export function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean < 10) {
    const limit = Math.exp(-mean);
    let count = 0;
    let product = rng.next();
    while (product > limit) {
      count++;
      product *= rng.next();
    }
    return count;
  }
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <=
      -mean + k * loglam - logFactorial(k)
    ) {
      return k;
    }
  }
}

function logFactorial(k: number): number {
  if (k < 2) return 0;
  // Stirling's series; exact enough for k ≥ 2 in a rejection test.
  return (k + 0.5) * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * k) - 1 / (360 * k ** 3);
}

/** Burst start times, one or more per week, in the markets' waking hours (releases are announced). */
function drawBursts(
  rng: Rng,
  start: number,
  days: number,
  perWeek: readonly [number, number],
  boost: readonly [number, number],
  decay: readonly [number, number],
  atLeastOnePerWeek: boolean,
  localOffset: number,
): Burst[] {
  const bursts: Burst[] = [];
  for (let week = 0; week * 7 < days; week++) {
    const weekDays = Math.min(7, days - week * 7);
    const expected = draw(rng, perWeek) * (weekDays / 7);
    const count = Math.max(atLeastOnePerWeek ? 1 : 0, poisson(rng, expected));
    for (let i = 0; i < count; i++) {
      const day = week * 7 + rng.int(0, weekDays);
      const localHour = rng.between(8, 21);
      const at = start + day * DAY_MS + (localHour - localOffset) * HOUR_MS;
      const clamped = Math.min(start + days * DAY_MS - MINUTE_MS, Math.max(start, at));
      bursts.push({
        at: new Date(Math.floor(clamped / MINUTE_MS) * MINUTE_MS).toISOString(),
        boost: draw(rng, boost),
        decayMinutes: draw(rng, decay),
      });
    }
  }
  return bursts.sort((a, b) => a.at.localeCompare(b.at));
}

function drawParameters(
  seed: number,
  start: number,
  days: number,
  ranges: z.infer<typeof minuteTrafficRangesSchema>,
) {
  const rng = new Rng(seed, 'minute-traffic');
  const marketCount = Math.max(1, Math.round(draw(rng, ranges.markets)));
  const countries = rng.shuffled(COUNTRIES.filter((c) => c.share > 0)).slice(0, marketCount);
  const weights = countries.map((c) => c.share * rng.between(0.5, 1.5));
  const total = weights.reduce((a, b) => a + b, 0);
  const markets = countries.map((c, i) => ({
    country: c.code,
    utcOffset: c.utcOffset,
    weight: weights[i]! / total,
  }));
  const mainOffset = markets.reduce((best, m) => (m.weight > best.weight ? m : best)).utcOffset;
  const parameters: MinuteTrafficParameters = {
    seed,
    readers: Math.round(drawLog(rng, ranges.readers)),
    sessionsPerDay: draw(rng, ranges.sessionsPerDay),
    pagesPerSession: draw(rng, ranges.pagesPerSession),
    requestsPerPage: draw(rng, ranges.requestsPerPage),
    pageGapSeconds: draw(rng, ranges.pageGapSeconds),
    downloadShare: draw(rng, ranges.downloadShare),
    campusShare: draw(rng, ranges.campusShare),
    markets,
    releases: drawBursts(
      rng,
      start,
      days,
      ranges.releasesPerWeek,
      ranges.releaseBoost,
      ranges.releaseDecayMinutes,
      true,
      mainOffset,
    ),
    pushes: drawBursts(
      rng,
      start,
      days,
      ranges.pushesPerWeek,
      ranges.pushBoost,
      ranges.pushDecayMinutes,
      false,
      mainOffset,
    ),
  };
  return parameters;
}

/** Session starts per minute relative to a reader's daily mean: markets' rhythms times every burst's boost. */
function rateMultiplier(
  parameters: MinuteTrafficParameters,
  bursts: { at: number; boost: number; decay: number }[],
  time: number,
): number {
  let rhythm = 0;
  for (const market of parameters.markets) {
    const home = activity('home', market.utcOffset, time);
    const campus = activity('campus', market.utcOffset, time);
    rhythm += market.weight * ((1 - parameters.campusShare) * home + parameters.campusShare * campus);
  }
  let boost = 1;
  for (const burst of bursts) {
    if (time >= burst.at)
      boost += (burst.boost - 1) * Math.exp(-(time - burst.at) / (burst.decay * MINUTE_MS));
  }
  return rhythm * boost;
}

/** Gamma(shape, 1) by Marsaglia and Tsang; shape ≥ 1 here. */
export function gamma(rng: Rng, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Requests of `pages` page loads whose request counts are geometric with mean `perPage` (≥ 1 each). */
function pageRequests(rng: Rng, pages: number, perPage: number): number {
  if (pages === 0) return 0;
  // A sum of geometric counts is negative binomial: a Poisson draw around a gamma-distributed mean.
  const extra = perPage - 1;
  if (extra <= 0) return pages;
  return pages + poisson(rng, gamma(rng, pages) * extra);
}

/** A whole title downloaded for offline reading: a few hundred files as fast as the app fetches them. */
function addDownload(rng: Rng, second: number, counts: Int32Array): void {
  const files = rng.between(50, 400);
  const span = Math.round(rng.between(10, 90));
  const first = Math.floor(second);
  for (let at = first; at < Math.min(counts.length, first + span); at++)
    counts[at]! += poisson(rng, files / span);
}

/**
 * A seeded month (by default) of per-minute traffic; the same options give the same trace. Sessions start
 * as a Poisson process following the rhythms and bursts; each reads pages at log-normal pauses, so page
 * loads follow the session starts through a kernel as long as a session lasts. Summed over many readers,
 * page loads per second are Poisson around that intensity, and each page's requests arrive together.
 */
export function simulateMinuteTraffic(options: MinuteTrafficOptions): MinuteTraffic {
  const {
    seed,
    days,
    ranges,
    start: first,
  } = parseOptions(minuteTrafficOptionsSchema, 'minute-traffic', options);
  const start = Math.floor(first.getTime() / MINUTE_MS) * MINUTE_MS;
  const parameters = drawParameters(seed, start, days, ranges);
  const bursts = [...parameters.releases, ...parameters.pushes].map((b) => ({
    at: Date.parse(b.at),
    boost: b.boost,
    decay: b.decayMinutes,
  }));
  const rng = new Rng(seed, 'minute-traffic-sessions');
  const totalMinutes = days * 1440;
  const counts = new Int32Array(totalMinutes * 60);
  const startsPerSecond = (parameters.readers * parameters.sessionsPerDay) / 86_400;
  // Mean session length: pages × mean pause (log-normal, σ = 1, mean = median × e^½).
  const sessionSeconds = Math.max(1, parameters.pagesPerSession * parameters.pageGapSeconds * Math.exp(0.5));
  const keep = Math.exp(-1 / sessionSeconds);
  let intensity = 0;
  for (let minute = 0; minute < totalMinutes; minute++) {
    const starts = startsPerSecond * rateMultiplier(parameters, bursts, start + minute * MINUTE_MS);
    const downloads = poisson(rng, starts * 60 * parameters.downloadShare);
    for (let i = 0; i < downloads; i++) addDownload(rng, minute * 60 + rng.next() * 60, counts);
    for (let second = minute * 60; second < minute * 60 + 60; second++) {
      intensity = intensity * keep + starts * parameters.pagesPerSession * (1 - keep);
      counts[second]! += pageRequests(rng, poisson(rng, intensity), parameters.requestsPerPage);
    }
  }
  const minutes: TrafficMinute[] = [];
  for (let minute = 0; minute < totalMinutes; minute++) {
    let requests = 0;
    let peakRps = 0;
    for (let second = minute * 60; second < minute * 60 + 60; second++) {
      requests += counts[second]!;
      peakRps = Math.max(peakRps, counts[second]!);
    }
    const time = start + minute * MINUTE_MS;
    minutes.push({ time, timestamp: new Date(time).toISOString(), requests, peakRps });
  }
  return { minutes, parameters };
}

/** The trace as CSV, the format `prewarm plan` and `eval prewarm` read. */
export function minuteTrafficCsv(minutes: readonly TrafficMinute[]): string {
  const lines = ['timestamp,requests,peak_rps'];
  for (const m of minutes) lines.push(`${m.timestamp},${m.requests},${m.peakRps}`);
  return `${lines.join('\n')}\n`;
}
