/**
 * One reader (an account on one device) as the scraping detector keeps it: bounded, in-place counters for
 * each family of evidence. Counts of titles, misses and probes cover a day in two half-day buckets; pace is a
 * leaky bucket of human time; churn is measured in ten-minute windows; tirelessness as the longest run of
 * active quarter hours.
 */
import type { TokenSession } from './consumption.ts';
import type { HostingExits } from './hosting-exits.ts';
import type { ReaderTitles } from './reader-titles.ts';
import type { Detection } from './types.ts';

export interface ReaderState {
  firstSeenMs: number;
  lastSeenMs: number;
  accountId: string;
  requests: number;
  /** The token (episode serial) of the last request, and how many distinct tokens in a row the reader used. */
  lastSerial: number;
  /** The token of the last request (its session ends when the reader moves to another). */
  lastToken: TokenSession | undefined;
  tokens: number;
  /** The reader's recent titles (each counted once, whatever grants open it), the one now open last. */
  titles: ReaderTitles;
  /** Human seconds taken beyond what a person gets through (see PACE), and when it was last updated. */
  debt: number;
  debtSecond: number;
  /** Since when the debt has been above the sustain floor (-1: it is not), and when it last grew. */
  debtSince: number;
  lastGrowth: number;
  sustainedPeak: number;
  /** Titles taken, and taken far deeper than their cohort takes them: this half day and the one before. */
  taken: number;
  deep: number;
  takenBefore: number;
  deepBefore: number;
  /**
   * Hours (since the epoch) of the last deep take, and how many distinct hours had one: this half day and the
   * one before. A catalog share growing hour after hour, where a download takes its shelf within one.
   */
  deepHour: number;
  deepHours: number;
  deepHoursBefore: number;
  bucketStart: number;
  /**
   * Cross-title enumeration: the last scope, the current run of "next title" steps and the longest, and of
   * steps to a title whose id sorts above the last one's.
   */
  lastScope: string;
  steps: number;
  stepsMax: number;
  ascending: number;
  ascendingMax: number;
  /** Requests in titles that do not exist (404), refused as outside the token's scope, cache busters. */
  misses: number;
  outOfScope: number;
  busters: number;
  /**
   * -1 until one of the reader's grants carries an HTTP tool's (or a crawler's) agent; from then the titles
   * taken (as `taken` counts them) through such grants, which no reading app makes.
   */
  toolTakes: number;
  /** Its requests from hosting networks and their addresses, once it came through one (and whether it is now). */
  exits: HostingExits | undefined;
  /** Moves between assets: an exponential average of their gaps and squared gaps (seconds). */
  gaps: number;
  gapMean: number;
  gapSquares: number;
  /**
   * Moves in a row whose recent gaps stayed as regular as a timer's (see observeClockwork), and the longest
   * such run: a person keeps no clock's time for hundreds of moves.
   */
  clockRun: number;
  clockPeak: number;
  /** Network churn: ASN and country changes in the current ten-minute window, and the most in any one. */
  lastAsn: number;
  /** The last few networks the reader was on: coming back to one of them is not churn. */
  recentAsns: number[];
  lastCountry: string;
  churnStart: number;
  asnChanges: number;
  countryChanges: number;
  churnPeak: number;
  countryPeak: number;
  /** Quarter hours: the last active one, the current run of active ones (one quiet quarter tolerated). */
  lastSlot: number;
  run: number;
  runMax: number;
  /**
   * The last few distinct tokens, each as its serial then when it was last switched to (negative when it was a
   * return within a minute), in one array (one array's header per reader, not two): titles open side by side.
   */
  recentTokens: number[];
  parallelPeak: number;
  /** The reader's first address (and its slot and episode in the address table), and whether it used others. */
  firstIp: string;
  firstIpSlot: number;
  firstIpSerial: number;
  oneAddress: boolean;
  /** Whether the reader was glimpsed: one family established before two agree (observed only, reader-scraping.ts). */
  glimpsed: boolean;
  /** Once reported (fired): the finding, the addresses named in findings so far, and the last address seen. */
  report: Detection | undefined;
  addresses: Set<string> | undefined;
  lastReportedIp: string;
}

export function newReaderState(t: number): ReaderState {
  return {
    firstSeenMs: t,
    lastSeenMs: t,
    accountId: '',
    requests: 0,
    lastSerial: 0,
    lastToken: undefined,
    tokens: 0,
    titles: [],
    debt: 0,
    debtSecond: 0,
    debtSince: -1,
    lastGrowth: 0,
    sustainedPeak: 0,
    taken: 0,
    deep: 0,
    takenBefore: 0,
    deepBefore: 0,
    deepHour: -1,
    deepHours: 0,
    deepHoursBefore: 0,
    bucketStart: -1,
    lastScope: '',
    steps: 0,
    stepsMax: 0,
    ascending: 0,
    ascendingMax: 0,
    misses: 0,
    outOfScope: 0,
    busters: 0,
    toolTakes: -1,
    exits: undefined,
    gaps: 0,
    gapMean: 0,
    gapSquares: 0,
    clockRun: 0,
    clockPeak: 0,
    lastAsn: -1,
    recentAsns: [],
    lastCountry: '',
    churnStart: 0,
    asnChanges: 0,
    countryChanges: 0,
    churnPeak: 0,
    countryPeak: 0,
    lastSlot: -10,
    run: 0,
    runMax: 0,
    recentTokens: [],
    parallelPeak: 0,
    firstIp: '',
    firstIpSlot: -1,
    firstIpSerial: 0,
    oneAddress: true,
    glimpsed: false,
    report: undefined,
    addresses: undefined,
    lastReportedIp: '',
  };
}

/** A person gets through at most this many times the cohort's typical pace, for as long as they like. */
export const PACE_CAPACITY = 3;
/** Debt above this (human seconds) is watched for how long it keeps growing. */
const SUSTAIN_FLOOR = 3600;
const HALF_DAY = 12 * 3600;
const CHURN_WINDOW = 600;
const QUARTER = 900;
const GAP_WEIGHT = 1 / 16;

/**
 * Titles a reader may have progressing side by side, each with a person's pace of its own: a speech app reading
 * a few books aloud at once, chapter after chapter on each book's clock. Beyond this many, titles side by side
 * add up on one reader's pace.
 */
const SIDE_BY_SIDE = 4;

/**
 * A move on the reader's clock, with the human seconds it takes (0 for a move that takes nothing, below 0 for a
 * player's buffer given back: reader-scraping.ts): the bucket drains at PACE_CAPACITY per second of event time.
 * `titleGap` is the time since the move's title (its token) last moved (0 for its first move). A reader taking
 * titles one after another moved its title last, so its bucket drains as one person's. A title that waited while
 * the reader moved others is progressing side by side on its own clock, and its own time since its last move
 * drains at a person's pace too (the part of it the reader's own time has not already drained, up to
 * SIDE_BY_SIDE - 1 times that): pace is a person's per title, for a few titles at once. A scraper taking one
 * title after another, however human its gaps, owes as before.
 */
export function addHumanTime(s: ReaderState, human: number, second: number, titleGap: number): void {
  const readerGap = Math.max(0, second - s.debtSecond);
  const ownTime =
    titleGap > 0 ? Math.max(0, Math.min(titleGap - readerGap, (SIDE_BY_SIDE - 1) * readerGap)) : 0;
  const drained = Math.max(0, s.debt - PACE_CAPACITY * (readerGap + ownTime));
  s.debtSecond = second;
  const debt = Math.max(0, drained + human);
  if (debt >= SUSTAIN_FLOOR) {
    if (s.debtSince < 0 || drained < SUSTAIN_FLOOR) s.debtSince = second;
    if (debt > drained) s.lastGrowth = second;
    if (s.lastGrowth - s.debtSince > s.sustainedPeak) s.sustainedPeak = s.lastGrowth - s.debtSince;
  } else {
    s.debtSince = -1;
  }
  s.debt = debt;
}

/** Rolls the half-day buckets of title and probe counts. */
export function rollBuckets(s: ReaderState, second: number): void {
  if (s.bucketStart < 0) s.bucketStart = second;
  if (second - s.bucketStart < HALF_DAY) return;
  const stale = second - s.bucketStart >= 2 * HALF_DAY;
  s.takenBefore = stale ? 0 : s.taken;
  s.deepBefore = stale ? 0 : s.deep;
  s.deepHoursBefore = stale ? 0 : s.deepHours;
  s.taken = 0;
  s.deep = 0;
  s.deepHours = 0;
  s.misses = 0;
  s.outOfScope = 0;
  s.busters = 0;
  s.bucketStart = second;
}

/** A title taken deep at `second`: counts its hour once. */
export function observeDeepTake(s: ReaderState, second: number): void {
  s.deep++;
  const hour = Math.floor(second / 3600);
  if (hour === s.deepHour) return;
  s.deepHour = hour;
  s.deepHours++;
}

/** Networks a reader may move among without churning: home, phone, work, a campus's several upstreams. */
const RECENT_NETWORKS = 4;

/**
 * The request came from another network (ASN) than the reader's last one; a phone's carrier NAT changes the
 * address, not the network, so address changes alone are not counted. Nor is a move back to one of the
 * reader's last few networks: a phone between Wi-Fi and mobile data, or a campus behind several upstream
 * networks, alternates among a handful, while one identity behind a proxy network is somewhere new each time.
 */
export function networkChanged(s: ReaderState, asn: number, country: string, second: number): void {
  if (second - s.churnStart >= CHURN_WINDOW) {
    s.churnStart = second;
    s.asnChanges = 0;
    s.countryChanges = 0;
  }
  const recent = s.recentAsns;
  const returning = recent.includes(asn);
  if (!returning) {
    // Exact size (concat, not push): a first push reserves 17 slots, and readers are many. The first from a
    // literal, whose allocation site V8 can pretenure (concat's result is made in the young generation).
    s.recentAsns =
      recent.length === 0 ? [asn] : (recent.length >= RECENT_NETWORKS ? recent.slice(1) : recent).concat(asn);
  }
  if (s.lastAsn >= 0 && !returning) {
    s.asnChanges++;
    if (s.asnChanges > s.churnPeak) s.churnPeak = s.asnChanges;
    if (country !== s.lastCountry) {
      s.countryChanges++;
      if (s.countryChanges > s.countryPeak) s.countryPeak = s.countryChanges;
    }
  }
  s.lastAsn = asn;
  s.lastCountry = country;
}

/** The quarter hour of `second` marks the reader active; a run tolerates one quiet quarter. */
export function observeSlot(s: ReaderState, second: number): void {
  const slot = Math.floor(second / QUARTER);
  if (slot === s.lastSlot) return;
  s.run = slot - s.lastSlot <= 2 ? s.run + (slot - s.lastSlot) : 1;
  if (s.run > s.runMax) s.runMax = s.run;
  s.lastSlot = slot;
}

export function observeGap(s: ReaderState, gapSeconds: number): void {
  if (gapSeconds > 1800) return;
  if (s.gaps === 0) {
    s.gapMean = gapSeconds;
    s.gapSquares = gapSeconds * gapSeconds;
  } else {
    s.gapMean += GAP_WEIGHT * (gapSeconds - s.gapMean);
    s.gapSquares += GAP_WEIGHT * (gapSeconds * gapSeconds - s.gapSquares);
  }
  s.gaps++;
}

/** Whether one of the reader's grants carried an HTTP tool's or a crawler's agent (`toolTakes` counts from 0 then). */
export function usesTool(s: ReaderState): boolean {
  return s.toolTakes >= 0;
}

/**
 * Moves in a row from which gaps between one and two seconds count as a timer's: a reading app taking a shelf
 * title after title, a part every second or two, keeps to them for a few dozen moves between a part fetched at
 * once and one that took longer; a script keeps its period for hundreds.
 */
const SHORT_PERIOD_RUN = 100;

/** Whether the run of regular moves now on counts as a timer's: any run from two seconds, a script's length below. */
export function timerRunOn(s: ReaderState): boolean {
  return s.clockRun > 0 && (s.gapMean >= 2 || s.clockRun >= SHORT_PERIOD_RUN);
}

/**
 * Slack over the least spread whole-second gaps can have (see `twoWholeSeconds`): what one gap a second off
 * leaves in the averages, about a weight's worth, fading within a few dozen moves.
 */
const ROUNDING_SLACK = GAP_WEIGHT;

/**
 * Whether gaps averaging between one and two seconds keep to the two whole seconds around their mean. Gaps
 * logged in whole seconds with mean m spread at least f(1 - f) (f the fraction of m), and exactly that only when
 * every gap is one of the two whole seconds around m: a fixed period of 1.75 s reads 1, 2, 2, 2, 1, ... and
 * nothing else. A download's gaps follow its parts' sizes and the network, and spread over 0, 1, 2, 3 s.
 */
function twoWholeSeconds(s: ReaderState, mean: number, variance: number): boolean {
  // Titles fetched side by side interleave, and each title's gaps then keep to a second or two as a
  // download's do: only a reader taking one title at a time is judged here.
  if (mean < 1 || mean >= 2 || s.parallelPeak > 0) return false;
  const f = mean - 1;
  return variance <= f * (1 - f) + ROUNDING_SLACK;
}

/**
 * After a gap: whether the recent gaps (the exponential averages above) are as regular as a fixed period seen at
 * the logs' one-second resolution, and for how many moves in a row they have been. From two seconds on, a
 * coefficient of variation at most `maxCv`; between one and two, rounding to whole seconds alone spreads a
 * timer's gaps as wide as that, so there only gaps keeping to the two whole seconds around their mean, of a
 * reader taking one title at a time, are a timer's (twoWholeSeconds). Below a second, gaps of 0 s are parts
 * fetched together: never judged.
 */
export function observeClockwork(s: ReaderState, minGaps: number, maxCv: number): void {
  const mean = s.gapMean;
  const variance = s.gapSquares - mean * mean;
  const regular =
    s.gaps >= minGaps &&
    (mean >= 2 ? variance <= maxCv * maxCv * mean * mean : twoWholeSeconds(s, mean, variance));
  if (!regular) {
    s.clockRun = 0;
    return;
  }
  s.clockRun++;
  if (s.clockRun > s.clockPeak && timerRunOn(s)) s.clockPeak = s.clockRun;
}

/** Coefficient of variation of the recent gaps between moves, or Infinity before there are enough. */
export function gapCv(s: ReaderState, minGaps: number): number {
  if (s.gaps < minGaps || s.gapMean <= 0) return Number.POSITIVE_INFINITY;
  const variance = Math.max(0, s.gapSquares - s.gapMean * s.gapMean);
  return Math.sqrt(variance) / s.gapMean;
}

const PARALLEL_WINDOW = 60;
const RECENT_TOKENS = 12;

/**
 * The reader switched to token `serial`. Titles are open side by side when the reader comes back to a token
 * it left less than a minute ago; a shelf downloaded title after title never does. Counts the tokens
 * returned to within the last minute.
 */
export function observeParallel(s: ReaderState, serial: number, second: number): void {
  const recent = s.recentTokens;
  let at = recentToken(s, serial);
  if (at >= 0) {
    // Returned to: marked by a negative time, kept as the sign of the time.
    recent[at + 1] = second - recent[at + 1]! <= PARALLEL_WINDOW ? -second : second;
  } else if (recent.length >= 2 * RECENT_TOKENS) {
    at = 0;
    for (let i = 2; i < recent.length; i += 2)
      if (Math.abs(recent[i + 1]!) < Math.abs(recent[at + 1]!)) at = i;
    recent[at] = serial;
    recent[at + 1] = second;
  } else {
    // Exact size (concat, not push): a first push reserves 17 slots, and readers are many. The first from a
    // literal, whose allocation site V8 can pretenure (concat's result is made in the young generation).
    s.recentTokens = recent.length === 0 ? [serial, second] : recent.concat(serial, second);
  }
  const times = s.recentTokens;
  let n = 0;
  for (let i = 1; i < times.length; i += 2) if (times[i]! < 0 && second + times[i]! <= PARALLEL_WINDOW) n++;
  if (n > s.parallelPeak) s.parallelPeak = n;
}

/** Where token `serial` is among the reader's recent tokens (its index in recentTokens), or -1. */
export function recentToken(s: ReaderState, serial: number): number {
  const recent = s.recentTokens;
  for (let i = 0; i < recent.length; i += 2) if (recent[i] === serial) return i;
  return -1;
}
