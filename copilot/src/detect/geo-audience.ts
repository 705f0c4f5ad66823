/**
 * A country's audience: how many distinct readers (an account when the request carries a token, the client
 * address otherwise) it has each minute, and what its own history says to expect. Counts are judged on a
 * variance-stabilised scale (Anscombe: 2·√(x + 3/8) has a spread of about 1 at any level for Poisson counts),
 * so a small market and a big one are held to the same tail, and each country's own spread on that scale
 * says how much more than Poisson it moves.
 */
import { DistinctCounter, hashPath } from './asset-path.ts';
import { CARRIED_WINDOW_MINUTES, type CarriedNetworks } from './geo-carrier.ts';
import { WindowTitles } from './geo-titles.ts';

/** Minutes of a country's own history its baseline is made of. */
export const RECENT_MINUTES = 60;
const SEASONAL_DAYS = 8;

/**
 * Readers remembered for an hour, each by a slot of its key's hash holding the minute it was last seen: a reader
 * whose slot is older than RECENT_MINUTES arrives. A slot already taken by another reader hides an arrival, so each
 * minute's arrivals are counted at 1 / (the share of free slots); a country whose hour of readers takes more than
 * CROWDED of the slots (a big market) has no arrivals measured at all.
 */
const ARRIVAL_BITS = 10;
const ARRIVAL_SLOTS = 1 << ARRIVAL_BITS;
const CROWDED = 0.5;
const NEVER = -(2 ** 30);
/** A ring of minutes a little longer than RECENT_MINUTES: how many slots were last seen in each. */
const SEEN_RING = 64;

/** Variance-stabilised count: Poisson counts have a spread of about 1 on this scale at any level. */
export function stabilised(count: number): number {
  return 2 * Math.sqrt(count + 0.375);
}

/** The sample spread of `n` values on the stabilised scale, from their sum and sum of squares; 0 under two. */
function spreadOf(sumS: number, sumS2: number, n: number): number {
  if (n < 2) return 0;
  const meanS = sumS / n;
  return Math.sqrt(Math.max(0, (sumS2 - n * meanS * meanS) / (n - 1)));
}

/**
 * A ring of per-minute counts (`samples` of them, the newest just before `next`): its newest `inWindow` summed,
 * and the ones before them as a baseline, their mean and spread on the stabilised scale.
 */
function windowAndBaseline(
  ring: Float64Array,
  next: number,
  samples: number,
  inWindow: number,
): { window: number; mean: number; spread: number } {
  let window = 0;
  let sum = 0;
  let sumS = 0;
  let sumS2 = 0;
  for (let k = 0; k < samples; k++) {
    const x = ring[(next - 1 - k + ring.length) % ring.length]!;
    if (k < inWindow) {
      window += x;
      continue;
    }
    const s = stabilised(x);
    sum += x;
    sumS += s;
    sumS2 += s * s;
  }
  const n = samples - inWindow;
  return { window, mean: n > 0 ? sum / n : 0, spread: spreadOf(sumS, sumS2, n) };
}

/** An audience member's key: the account of a tokened request, the address of any other. */
export function audienceKey(accountId: string, ip: string): number {
  return accountId.length > 0 ? hashPath(accountId) : hashPath(ip) ^ 0x5bd1e995;
}

/** Scratch for the median of a few values (hours of day, spreads of countries). */
const scratch: number[] = [];

/** Median of values; 0 when there are none. */
export function medianOf(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return 0;
  scratch.length = 0;
  for (let i = 0; i < n; i++) scratch.push(values[i]!);
  scratch.sort((a, b) => a - b);
  return n % 2 === 1 ? scratch[(n - 1) >> 1]! : (scratch[n / 2 - 1]! + scratch[n / 2]!) / 2;
}

/**
 * One country's audience and baseline. The minute being judged is always the current one plus the one before
 * it (a spike is judged on two minutes, so one reader's burst of visits or a minute's noise is not enough);
 * the baseline is made of the minutes before those two, so the spike is never its own baseline as it starts.
 */
export class CountryAudience {
  /** Distinct readers this minute. */
  readonly readers = new DistinctCounter();
  /**
   * Distinct places they read from this minute (an IPv4 address, an IPv6 /48): a crowd behind one address or in one
   * site (a class, an office) is one place.
   */
  private readonly places = new DistinctCounter();
  current = 0;
  /** Readers in the last complete minute, once one was watched. */
  previous = 0;
  private hasPrevious = false;
  requests = 0;
  /** Complete minutes before `previous`: a ring of at most RECENT_MINUTES. */
  private readonly recent = new Float64Array(RECENT_MINUTES);
  private recentNext = 0;
  /** How many minutes the baseline is made of (at most RECENT_MINUTES). */
  samples = 0;
  private hourSum = 0;
  /** Mean readers a minute of each past hour, by hour of day, for up to SEASONAL_DAYS days. */
  private readonly seasonal: number[][] = Array.from({ length: 24 }, () => []);
  /** Readers a minute the baseline expects, and the spread of the minutes on the stabilised scale. */
  expected = 0;
  spread = 0;
  /** Days of the same hour that set `expected` (0 when the recent minutes did). */
  seasonalDays = 0;
  /** Readers in the baseline's newest minutes that belong to the long window (see `longWindow`). */
  private recentInLong = 0;
  /**
   * The long window's baseline: the recent minutes before it (so a slow surge is not its own baseline), their
   * mean, spread on the stabilised scale, and how many there are.
   */
  beforeLong = 0;
  beforeLongSpread = 0;
  beforeLongSamples = 0;
  /**
   * Arrivals: readers not seen in the country for an hour (see ARRIVAL_SLOTS), a minute at a time like `recent`,
   * and the long window's baseline of them (mean a minute before the window, spread on the stabilised scale).
   * Steady readers make most of a minute's audience; a link going round a market brings new ones.
   */
  private readonly lastSeen = new Int32Array(ARRIVAL_SLOTS).fill(NEVER);
  private readonly seenIn = new Int32Array(SEEN_RING);
  /** Slots seen within the last RECENT_MINUTES, and what an arrival counts this minute (0 when crowded). */
  private occupied = 0;
  private arrivalWeight = 1;
  /** Minutes until none of the window's and the baseline's minutes was crowded (see `crowded`). */
  private crowdedMinutes = 0;
  private arrivalsCurrent = 0;
  private arrivalsPrevious = 0;
  private readonly recentArrivals = new Float64Array(RECENT_MINUTES);
  private recentArrivalsInLong = 0;
  beforeArrivals = 0;
  beforeArrivalsSpread = 0;
  /** The titles its readers opened over the two judged minutes (geo-titles.ts). */
  readonly titles = new WindowTitles();
  /** Networks read through grants carrying this country, once it has one (geo-carrier.ts). */
  carrier: CarriedNetworks | undefined;
  firstSpikeMs = 0;
  lastSpikeMs = Number.NEGATIVE_INFINITY;
  fired = false;

  /** A country first seen now had nobody in the minutes already watched: its history is zeros. */
  constructor(quietMinutes: number) {
    for (let i = 0; i < Math.min(quietMinutes, RECENT_MINUTES + 1); i++) this.closeMinute(0, 0);
  }

  /**
   * Counts one request; true when it comes from a reader not yet seen this minute. The minute's audience is
   * its readers, but never more than the places they read from: many readers behind one address or in one site (a
   * class opening its title together) are a place's crowd, not new readers across a country.
   */
  add(key: number, place: number, minute: number): boolean {
    this.requests++;
    this.places.add(place);
    if (!this.readers.add(key)) return false;
    this.current = Math.min(this.readers.estimate(), this.places.estimate());
    // The key's top bits after a multiplicative mix: keys of similar addresses differ little in their low bits.
    const slot = Math.imul(key, 0x9e3779b1) >>> (32 - ARRIVAL_BITS);
    const last = this.lastSeen[slot]!;
    if (last <= minute - RECENT_MINUTES) {
      this.arrivalsCurrent += this.arrivalWeight;
      this.occupied++;
    } else this.seenIn[last % SEEN_RING]!--;
    this.seenIn[minute % SEEN_RING]!++;
    this.lastSeen[slot] = minute;
    return true;
  }

  /** Whether any of the baseline's minutes or the window's was crowded: its arrivals say nothing then. */
  get crowded(): boolean {
    return this.crowdedMinutes > 0;
  }

  /** Arrivals summed over the long window: the two judged minutes and the baseline's newest before them. */
  get arrivalsLong(): number {
    return this.arrivalsPrevious + this.arrivalsCurrent + this.recentArrivalsInLong;
  }

  /** Readers in the two minutes judged. */
  get window(): number {
    return this.previous + this.current;
  }

  /** Readers a minute summed over the long window: the two judged minutes and the baseline's newest before them. */
  get longWindow(): number {
    return this.previous + this.current + this.recentInLong;
  }

  /** Closes `elapsed` minutes (the current one, then quiet ones); `hourClosed` is the hour of day that ended, or -1. */
  roll(elapsed: number, hourClosed: number, minute: number): void {
    const steps = Math.min(elapsed, RECENT_MINUTES + 1);
    this.closeMinute(this.current, this.arrivalsCurrent);
    for (let i = 1; i < steps; i++) this.closeMinute(0, 0);
    this.forget(elapsed, minute);
    this.titles.roll(elapsed);
    this.readers.clear();
    this.places.clear();
    this.current = 0;
    this.arrivalsCurrent = 0;
    this.requests = 0;
    if (hourClosed >= 0) {
      const samples = this.seasonal[hourClosed]!;
      samples.push(this.hourSum / 60);
      if (samples.length > SEASONAL_DAYS) samples.shift();
      this.hourSum = 0;
    }
  }

  /** The baseline for the hour of day now: its recent minutes, or the same hour on earlier days if higher. */
  refresh(hourOfDay: number): void {
    const n = this.samples;
    if (n === 0) return;
    let sum = 0;
    let sumS = 0;
    let sumS2 = 0;
    for (let i = 0; i < n; i++) {
      const x = this.recent[i]!;
      const s = stabilised(x);
      sum += x;
      sumS += s;
      sumS2 += s * s;
    }
    this.spread = spreadOf(sumS, sumS2, n);
    this.expected = sum / n;
    this.refreshLong();
    this.seasonalDays = 0;
    // One day's hour is a thin sample, and the hour the watch began is partly unseen: it only ever raises the bar.
    const sameHour = this.seasonal[hourOfDay]!;
    if (sameHour.length > 0) {
      const seasonal = medianOf(sameHour);
      if (seasonal > this.expected) {
        this.expected = seasonal;
        this.seasonalDays = sameHour.length;
      }
      this.beforeLong = Math.max(this.beforeLong, seasonal);
    }
  }

  /** Splits the recent minutes, readers and arrivals, into the long window's newest ones and the baseline before. */
  private refreshLong(): void {
    const inWindow = Math.min(this.samples, CARRIED_WINDOW_MINUTES - 2);
    const readers = windowAndBaseline(this.recent, this.recentNext, this.samples, inWindow);
    this.recentInLong = readers.window;
    this.beforeLongSamples = this.samples - inWindow;
    this.beforeLong = readers.mean;
    this.beforeLongSpread = readers.spread;
    const arrivals = windowAndBaseline(this.recentArrivals, this.recentNext, this.samples, inWindow);
    this.recentArrivalsInLong = arrivals.window;
    this.beforeArrivals = arrivals.mean;
    this.beforeArrivalsSpread = arrivals.spread;
  }

  /**
   * Moves the hour of remembered readers on to `minute`: slots last seen RECENT_MINUTES ago or more are free again,
   * and the new minute's arrivals count at 1 / (the share of free slots), or not at all in a crowded table.
   */
  private forget(elapsed: number, minute: number): void {
    for (let k = Math.min(elapsed, SEEN_RING) - 1; k >= 0; k--) {
      const gone = minute - RECENT_MINUTES - k;
      this.occupied -= this.seenIn[gone % SEEN_RING]!;
      this.seenIn[gone % SEEN_RING] = 0;
    }
    const share = this.occupied / ARRIVAL_SLOTS;
    const crowded = share > CROWDED;
    this.arrivalWeight = crowded ? 0 : 1 / (1 - share);
    // The window and its baseline are the last RECENT_MINUTES + 1 minutes: crowded while any of them was.
    this.crowdedMinutes = crowded ? RECENT_MINUTES + 2 : Math.max(0, this.crowdedMinutes - elapsed);
  }

  private closeMinute(count: number, arrivals: number): void {
    // `previous` moves into the baseline as the minute just closed becomes `previous`.
    if (this.hasPrevious) {
      this.recent[this.recentNext] = this.previous;
      this.recentArrivals[this.recentNext] = this.arrivalsPrevious;
      this.recentNext = (this.recentNext + 1) % RECENT_MINUTES;
      if (this.samples < RECENT_MINUTES) this.samples++;
    }
    this.hourSum += count;
    this.previous = count;
    this.arrivalsPrevious = arrivals;
    this.hasPrevious = true;
  }
}
