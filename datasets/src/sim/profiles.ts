/**
 * Parameter ranges of every archetype, in two profiles. `development` is what detectors may be tuned on;
 * `validation` draws from other (mostly wider, partly shifted) ranges and another catalog house style, and is
 * never looked at while tuning. Each persona or scenario draws its own values from its archetype's ranges, so
 * one population holds many variants of each behaviour.
 */
import type { Rng } from './rng.ts';

export type Profile = 'development' | 'validation';
export type Span = readonly [number, number];

/** A uniform draw in the span. */
export function draw(rng: Rng, span: Span): number {
  return rng.between(span[0], span[1]);
}

/** A uniform integer draw in the span, both ends included. */
export function drawInt(rng: Rng, span: Span): number {
  return rng.int(Math.round(span[0]), Math.round(span[1]) + 1);
}

/** How readers behave: medians of per-persona habits, each persona drawing its own from the span. */
export interface ReaderRanges {
  /** Reading sessions a day (median of a log-normal per persona). */
  sessionsPerDay: Span;
  sessionMinutes: Span;
  /** Median dwell on a text part (chapter, story part), seconds; sigma of the log-normal around it. */
  textDwellSeconds: Span;
  dwellSigma: Span;
  /** Median dwell on a comic page, seconds. */
  pageDwellSeconds: Span;
  /** Listening speed (1 = real time). */
  listeningSpeed: Span;
  binge: { sessionMinutes: Span; textDwellSeconds: Span; sessionsPerDay: Span };
  shortForm: { titlesPerSession: Span };
  comic: { titlesPerSession: Span };
  shortStory: { titlesPerSession: Span };
  campus: {
    titlesPerSession: Span;
    partsPerTitle: Span;
    dwellSeconds: Span;
    natAddresses: Span;
    orgSize: Span;
  };
  /**
   * An administrator, librarian or auditor checking a collection: titles per check, parts looked at in each
   * (a first chapter, or pages sampled), seconds on each part, checks a day.
   */
  orgAdmin: { titlesPerCheck: Span; partsPerTitle: Span; secondsPerTitle: Span; checksPerDay: Span };
  shelfSync: { titles: Span; assetGapMs: Span; parallelTitles: Span };
  cgnat: { addressMinutes: Span };
  vpn: { sessionShare: Span; toggleShare: Span };
  commuter: { flaps: Span };
  prefetch: { share: Span; partsAhead: Span };
  retries: { rate: Span };
  /** Travel: cruise speed (km/h) and time at airports around the flight (hours). */
  travel: { cruiseKmh: Span; airportHours: Span };
}

interface AbuseRanges {
  bulk: { requestsPerSecond: Span; titles: Span };
  enumeration: { guesses: Span; gapMs: Span; minutes: Span };
  robotic: { periodMs: Span; jitterMs: Span; minutes: Span };
  cacheBusting: { requestsPerSecond: Span; minutes: Span };
  lowAndSlow: { gapSeconds: Span; hours: Span };
  distributed: { addresses: Span; requestsPerSecond: Span; minutes: Span };
  proxy: { requestsPerAddress: Span; requestsPerSecond: Span; minutes: Span };
  humanPaced: { gapSeconds: Span; sigma: Span; hours: Span; breakEveryMinutes: Span; breakMinutes: Span };
  slowEnumeration: { minutesPerTitle: Span; shareOfTitle: Span };
  harvester: { requestsPerSecond: Span; minutes: Span };
  publicToken: { crowd: Span; copyDevice: Span };
  credentialSharing: { sharers: Span };
  ring: { members: Span; sessionsPerMember: Span };
  spoofedDevice: { members: Span };
  replay: { attempts: Span };
  botFarm: { bots: Span; minutes: Span };
  viral: { visitors: Span; decayMinutes: Span };
}

export interface ProfileRanges {
  readonly reader: ReaderRanges;
  readonly abuse: AbuseRanges;
}

export const RANGES: Record<Profile, ProfileRanges> = {
  development: {
    reader: {
      sessionsPerDay: [1, 2.6],
      sessionMinutes: [15, 40],
      textDwellSeconds: [100, 220],
      dwellSigma: [0.6, 0.85],
      pageDwellSeconds: [8, 25],
      listeningSpeed: [1, 1.5],
      binge: { sessionMinutes: [120, 300], textDwellSeconds: [60, 150], sessionsPerDay: [1.5, 3] },
      shortForm: { titlesPerSession: [3, 10] },
      comic: { titlesPerSession: [2, 6] },
      shortStory: { titlesPerSession: [2, 5] },
      campus: {
        titlesPerSession: [5, 20],
        partsPerTitle: [1, 4],
        dwellSeconds: [20, 120],
        natAddresses: [1, 3],
        orgSize: [40, 260],
      },
      orgAdmin: {
        titlesPerCheck: [15, 50],
        partsPerTitle: [1, 1],
        secondsPerTitle: [5, 20],
        checksPerDay: [1, 2],
      },
      shelfSync: { titles: [3, 12], assetGapMs: [150, 900], parallelTitles: [1, 1] },
      cgnat: { addressMinutes: [3, 15] },
      vpn: { sessionShare: [0.3, 0.7], toggleShare: [0, 0.3] },
      commuter: { flaps: [0, 3] },
      prefetch: { share: [0.3, 0.5], partsAhead: [2, 4] },
      retries: { rate: [0.01, 0.04] },
      travel: { cruiseKmh: [780, 880], airportHours: [1.5, 3] },
    },
    abuse: {
      bulk: { requestsPerSecond: [3, 12], titles: [20, 60] },
      enumeration: { guesses: [60, 100], gapMs: [700, 1800], minutes: [30, 90] },
      robotic: { periodMs: [2000, 5000], jitterMs: [0, 4], minutes: [40, 120] },
      cacheBusting: { requestsPerSecond: [0.7, 2.5], minutes: [30, 90] },
      lowAndSlow: { gapSeconds: [20, 45], hours: [3, 5] },
      distributed: { addresses: [5, 10], requestsPerSecond: [0.25, 0.8], minutes: [30, 75] },
      proxy: { requestsPerAddress: [1, 4], requestsPerSecond: [1, 5], minutes: [30, 90] },
      humanPaced: {
        gapSeconds: [15, 45],
        sigma: [0.3, 0.6],
        hours: [6, 14],
        breakEveryMinutes: [60, 180],
        breakMinutes: [3, 15],
      },
      slowEnumeration: { minutesPerTitle: [20, 60], shareOfTitle: [0.5, 1] },
      harvester: { requestsPerSecond: [0.5, 3], minutes: [20, 60] },
      publicToken: { crowd: [15, 60], copyDevice: [0.4, 0.8] },
      credentialSharing: { sharers: [6, 16] },
      ring: { members: [4, 8], sessionsPerMember: [2, 4] },
      spoofedDevice: { members: [3, 6] },
      replay: { attempts: [20, 150] },
      botFarm: { bots: [600, 1600], minutes: [20, 50] },
      viral: { visitors: [1500, 4000], decayMinutes: [15, 35] },
    },
  },
  validation: {
    reader: {
      sessionsPerDay: [0.6, 4.5],
      sessionMinutes: [8, 70],
      textDwellSeconds: [45, 360],
      dwellSigma: [0.4, 1.1],
      pageDwellSeconds: [4, 45],
      listeningSpeed: [1, 2],
      binge: { sessionMinutes: [90, 480], textDwellSeconds: [40, 220], sessionsPerDay: [1, 4] },
      shortForm: { titlesPerSession: [2, 20] },
      comic: { titlesPerSession: [1, 12] },
      shortStory: { titlesPerSession: [1, 10] },
      campus: {
        titlesPerSession: [3, 40],
        partsPerTitle: [1, 6],
        dwellSeconds: [10, 240],
        natAddresses: [1, 6],
        orgSize: [20, 500],
      },
      orgAdmin: {
        titlesPerCheck: [8, 200],
        partsPerTitle: [1, 6],
        secondsPerTitle: [3, 40],
        checksPerDay: [1, 4],
      },
      shelfSync: { titles: [2, 30], assetGapMs: [50, 2000], parallelTitles: [1, 3] },
      cgnat: { addressMinutes: [1, 30] },
      vpn: { sessionShare: [0.1, 0.9], toggleShare: [0, 0.6] },
      commuter: { flaps: [0, 6] },
      prefetch: { share: [0.2, 0.7], partsAhead: [1, 6] },
      retries: { rate: [0, 0.1] },
      travel: { cruiseKmh: [740, 900], airportHours: [1, 4] },
    },
    abuse: {
      bulk: { requestsPerSecond: [1, 20], titles: [10, 120] },
      enumeration: { guesses: [40, 150], gapMs: [400, 3000], minutes: [20, 120] },
      robotic: { periodMs: [1500, 10000], jitterMs: [0, 50], minutes: [30, 180] },
      cacheBusting: { requestsPerSecond: [0.3, 4], minutes: [20, 120] },
      lowAndSlow: { gapSeconds: [12, 75], hours: [2, 8] },
      distributed: { addresses: [3, 20], requestsPerSecond: [0.1, 1.5], minutes: [20, 120] },
      proxy: { requestsPerAddress: [1, 8], requestsPerSecond: [0.5, 8], minutes: [20, 150] },
      humanPaced: {
        gapSeconds: [10, 90],
        sigma: [0.2, 0.9],
        hours: [4, 30],
        breakEveryMinutes: [40, 240],
        breakMinutes: [2, 30],
      },
      slowEnumeration: { minutesPerTitle: [15, 150], shareOfTitle: [0.3, 1] },
      harvester: { requestsPerSecond: [0.2, 6], minutes: [15, 120] },
      publicToken: { crowd: [8, 100], copyDevice: [0.2, 1] },
      credentialSharing: { sharers: [4, 25] },
      ring: { members: [3, 12], sessionsPerMember: [1, 5] },
      spoofedDevice: { members: [2, 10] },
      replay: { attempts: [10, 250] },
      botFarm: { bots: [300, 3000], minutes: [15, 80] },
      viral: { visitors: [800, 6000], decayMinutes: [10, 60] },
    },
  },
};

/** Spans that are shares of something (of sessions, of a title, of requests): never above 1 when widened. */
const SHARE_KEYS = new Set(['share', 'sessionShare', 'toggleShare', 'shareOfTitle', 'rate', 'copyDevice']);
/** Spans that are physics, not habit: widening them would only make travel impossible. */
const KEPT_KEYS = new Set(['cruiseKmh']);

function widenSpan(key: string, span: Span): Span {
  if (KEPT_KEYS.has(key)) return span;
  const high = 2 * span[1];
  return [span[0] / 2, SHARE_KEYS.has(key) ? Math.min(1, high) : high];
}

function widenObject<T>(value: T, key: string): T {
  if (Array.isArray(value)) return widenSpan(key, value as unknown as Span) as unknown as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, widenObject(v, k)])) as unknown as T;
}

/**
 * The development stress ranges: every span [a, b] of a profile widened to [a/2, 2b], shares capped at 1 and
 * flight speeds kept. One rule fixed before any result, to find what a detector fitted to its development
 * ranges gets wrong without looking at validation.
 */
export function widenRanges(ranges: ProfileRanges): ProfileRanges {
  return widenObject(ranges, '');
}
