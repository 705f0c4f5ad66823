/**
 * Geo spikes: one country's requests per minute far above what its own baseline and the other countries
 * say. The baseline is the same hour of day on previous days once the detector has seen that hour; before
 * that, the country's last hour, judged against the other countries: its expectation is scaled by how much
 * the other countries are up on theirs (the median lift across them), so a release or any burst that lifts
 * every country stays quiet and only a country that rises alone is a spike. For the first hour no baseline
 * exists yet and nothing is raised; the finding says which baseline judged it.
 */
import { DistinctCounter } from './asset-path.ts';
import { isHostingNetwork } from './automation.ts';
import type { DetectorConfig } from './config.ts';
import { type AccessEvent, type Detection, isoTime } from './types.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const RECENT_MINUTES = 60;
const SEASONAL_DAYS = 8;
const QUIET_TO_REARM_MS = 30 * MINUTE;
/** Countries with at least this expected rate say how much everyone is up. */
const LIFT_MIN_EXPECTED = 5;
/** A reader rarely makes more than this many requests a minute; a single scraper is not a geo spike. */
const PER_CLIENT_PER_MINUTE = 8;

/** Scratch for baselines (at most RECENT_MINUTES values), so refreshing one allocates nothing. */
const scratch = new Float64Array(RECENT_MINUTES);

/** Sorts values[0, n) ascending in place: insertion sort, for a few values, with no view or copy to allocate. */
function sortPrefix(values: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = values[i]!;
    let j = i - 1;
    while (j >= 0 && values[j]! > v) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
  }
}

/** Median of scratch[0, n) as simple-statistics computes it (type-7 quantile at 0.5); sorts the scratch. */
function scratchMedian(n: number): number {
  const sorted = scratch;
  sortPrefix(sorted, n);
  const idx = (n - 1) * 0.5;
  if (idx % 1 === 0) return sorted[idx]!;
  const lower = Math.floor(idx);
  const upper = Math.ceil(idx);
  return sorted[lower]! + (idx - lower) * (sorted[upper]! - sorted[lower]!);
}

/** Median and median absolute deviation of values, exactly as `median` and `medianAbsoluteDeviation`. */
let lastMad = 0;
function medianAndMad(values: readonly number[]): number {
  const n = values.length;
  for (let i = 0; i < n; i++) scratch[i] = values[i]!;
  const m = scratchMedian(n);
  for (let i = 0; i < n; i++) scratch[i] = Math.abs(values[i]! - m);
  lastMad = scratchMedian(n);
  return m;
}

/** Requests per second over the last 60 seconds, advanced lazily when the country is next seen. */
class SlidingMinute {
  private readonly slots = new Uint32Array(60);
  private second = -1;
  sum = 0;

  add(timestampMs: number): void {
    this.advance(Math.floor(timestampMs / 1000));
    this.slots[this.second % 60]!++;
    this.sum++;
  }

  advance(second: number): void {
    if (this.second < 0) this.second = second;
    if (second <= this.second) return;
    const steps = Math.min(60, second - this.second);
    for (let i = 1; i <= steps; i++) {
      const slot = (this.second + i) % 60;
      this.sum -= this.slots[slot]!;
      this.slots[slot] = 0;
    }
    this.second = second;
  }
}

interface CountryState {
  window: SlidingMinute;
  /** Distinct client networks this minute: a spike is many clients, not one busy subnet. */
  networks: DistinctCounter;
  minuteCount: number;
  recent: number[];
  hourCount: number;
  /** Per-minute mean of each past hour, by hour of day. */
  seasonal: number[][];
  expected: number;
  spread: number;
  source: string;
  sourceSamples: number;
  firstSpikeMs: number;
  lastSpikeMs: number;
  fired: boolean;
}

export class GeoSpikeDetector {
  private readonly countries = new Map<string, CountryState>();
  private readonly everyone = new SlidingMinute();
  private minute = -1;
  private hour = -1;
  private startMs = -1;
  private everyoneExpected = 0;
  /** The current second (event time), for advancing other countries' sliding minutes. */
  private second = 0;
  private readonly lifts = new Float64Array(256);
  /** The countries in the map's order, for the loop every eighth request of a country runs over the others. */
  private readonly countryList: CountryState[] = [];
  /** The last ASN asked about, and whether it is a hosting network (most requests repeat the last one's). */
  private hostingAsn = -1;
  private hosting = false;

  constructor(private readonly config: DetectorConfig) {}

  /**
   * `ipRequestsThisMinute`: the client's own count, so one busy client cannot make a country spike; and
   * servers (hosting networks) are no country's audience: their traffic is the scraping detectors' concern.
   */
  observe(e: AccessEvent, ipRequestsThisMinute: number, out: Detection[]): void {
    if (e.country.length === 0 || ipRequestsThisMinute > PER_CLIENT_PER_MINUTE) return;
    if (this.hostingAsn !== e.asn) {
      this.hostingAsn = e.asn;
      this.hosting = isHostingNetwork(e.asn);
    }
    if (this.hosting) return;
    const t = e.timestampMs;
    if (this.startMs < 0) this.startMs = t;
    this.second = Math.floor(t / 1000);
    this.roll(t);
    let s = this.countries.get(e.country);
    if (s === undefined) {
      // A country first seen now had no requests in the minutes already watched: its history is zeros.
      s = this.newCountry(Math.min(RECENT_MINUTES, Math.max(0, Math.floor((t - this.startMs) / MINUTE))));
      this.countries.set(e.country, s);
      this.countryList.push(s);
    }
    s.window.add(t);
    this.everyone.add(t);
    s.minuteCount++;
    s.networks.add(e.networkHash);
    s.hourCount++;
    const x = s.window.sum;
    if (x < this.config.geoMinPerMinute || (x & 7) !== 0) return;
    const verdict = this.judge(s, x);
    if (verdict === undefined) {
      if (s.fired && t - s.lastSpikeMs > QUIET_TO_REARM_MS) s.fired = false;
      return;
    }
    if (!s.fired && s.lastSpikeMs < t - QUIET_TO_REARM_MS) s.firstSpikeMs = t;
    s.lastSpikeMs = t;
    if (s.fired || t - this.startMs < this.config.geoWarmupMinutes * MINUTE) return;
    if (s.networks.estimate() < this.config.geoMinNetworks) return;
    s.fired = true;
    const score = Math.min(0.99, 0.6 + 0.4 * (1 - this.config.geoRobustZ / verdict.z));
    out.push({
      kind: 'geo_spike',
      subject: { country: e.country },
      firstSeen: isoTime(s.firstSpikeMs),
      detectedAt: isoTime(t),
      score: Math.round(score * 1000) / 1000,
      evidence: {
        behaviours: ['geo_spike'],
        requestsLastMinute: x,
        expectedPerMinute: Math.round(verdict.expected * 10) / 10,
        othersScale: Math.round(verdict.scale * 100) / 100,
        liftedCountries: verdict.countries,
        robustZ: Math.round(verdict.z * 10) / 10,
        baseline: s.source,
        networksThisMinute: s.networks.estimate(),
      },
      mitigation: 'observe',
    });
  }

  private judge(
    s: CountryState,
    x: number,
  ): { expected: number; scale: number; z: number; countries: number } | undefined {
    // Every judgement advances the other countries' sliding minutes, so later requests count the same
    // whichever way it ends. The others only ever raise the bar (scale ≥ 1 raises the expectation and the
    // spread, so z falls): a rate that is no spike against the country's own baseline is none at any scale,
    // and the median of their lifts (a sort over every country) is skipped.
    const lifted = this.liftOthers(s);
    if (!this.spikeAtScale(s, x, 1)) return undefined;
    const { scale, countries } = this.othersLift(s, lifted);
    const expected = s.expected * scale;
    const sigma = Math.max(s.spread * scale, Math.sqrt(expected), 1);
    const z = (x - expected) / sigma;
    if (x < this.config.geoRatio * expected || z < this.config.geoRobustZ) return undefined;
    return { expected, scale, z, countries };
  }

  /** Whether x is a spike when the country's baseline is scaled by `scale` (the test `judge` makes). */
  private spikeAtScale(s: CountryState, x: number, scale: number): boolean {
    const expected = s.expected * scale;
    const sigma = Math.max(s.spread * scale, Math.sqrt(expected), 1);
    return x >= this.config.geoRatio * expected && (x - expected) / sigma >= this.config.geoRobustZ;
  }

  /**
   * Advances the other countries with a baseline worth comparing to now, and writes each one's lift (its
   * rate over its expectation) into `lifts`; returns how many.
   */
  private liftOthers(s: CountryState): number {
    const lifts = this.lifts;
    let n = 0;
    const countries = this.countryList;
    for (let i = 0; i < countries.length; i++) {
      const other = countries[i]!;
      if (other === s || other.expected < LIFT_MIN_EXPECTED) continue;
      other.window.advance(this.second);
      lifts[n++] = other.window.sum / other.expected;
      if (n === lifts.length) break;
    }
    return n;
  }

  /**
   * How much the other countries are up on their own baselines right now: the median of the `n` lifts
   * `liftOthers` wrote, so one big country does not set it. Everyone else's lift (a release) raises the bar;
   * a lone country's surge never lowers it. With fewer than three countries to compare, their summed rate
   * stands in.
   */
  private othersLift(s: CountryState, n: number): { scale: number; countries: number } {
    if (n < 3) {
      const othersNow = this.everyone.sum - s.window.sum;
      const othersExpected = this.everyoneExpected - s.expected;
      return { scale: othersExpected > 0 ? Math.max(1, othersNow / othersExpected) : 1, countries: n };
    }
    // Sorted in place: a subarray per call was garbage on a hot path.
    const sorted = this.lifts;
    sortPrefix(sorted, n);
    const median = n % 2 === 1 ? sorted[(n - 1) >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
    return { scale: Math.max(1, median), countries: n };
  }

  private newCountry(quietMinutes: number): CountryState {
    return {
      window: new SlidingMinute(),
      networks: new DistinctCounter(),
      minuteCount: 0,
      recent: new Array<number>(quietMinutes).fill(0),
      hourCount: 0,
      seasonal: Array.from({ length: 24 }, () => []),
      expected: 0,
      spread: 0,
      source: 'no_history_against_other_countries',
      sourceSamples: 0,
      firstSpikeMs: 0,
      lastSpikeMs: Number.NEGATIVE_INFINITY,
      fired: false,
    };
  }

  /** Closes minutes and hours as event time passes them, refreshing each country's baseline. */
  private roll(t: number): void {
    const minute = Math.floor(t / MINUTE);
    if (this.minute < 0) {
      this.minute = minute;
      this.hour = Math.floor(t / HOUR);
    }
    if (minute === this.minute) return;
    const elapsed = Math.min(minute - this.minute, RECENT_MINUTES);
    const hour = Math.floor(t / HOUR);
    let total = 0;
    for (const s of this.countries.values()) {
      for (let i = 0; i < elapsed; i++) s.recent.push(i === 0 ? s.minuteCount : 0);
      if (s.recent.length > RECENT_MINUTES) s.recent.splice(0, s.recent.length - RECENT_MINUTES);
      s.minuteCount = 0;
      s.networks.clear();
      if (hour !== this.hour) this.closeHour(s);
      this.refreshBaseline(s, hour);
      total += s.expected;
    }
    this.everyoneExpected = total;
    this.minute = minute;
    this.hour = hour;
  }

  private closeHour(s: CountryState): void {
    const samples = s.seasonal[((this.hour % 24) + 24) % 24]!;
    samples.push(s.hourCount / 60);
    if (samples.length > SEASONAL_DAYS) samples.shift();
    s.hourCount = 0;
  }

  private refreshBaseline(s: CountryState, hour: number): void {
    const sameHour = s.seasonal[hour % 24]!;
    // One earlier day at this hour is a baseline that has seen the time of day; its spread is Poisson's.
    if (sameHour.length >= 1) {
      s.expected = medianAndMad(sameHour);
      s.spread = 1.4826 * lastMad;
      this.nameSource(s, -sameHour.length);
    } else if (s.recent.length > 0) {
      s.expected = medianAndMad(s.recent);
      s.spread = 1.4826 * lastMad;
      this.nameSource(s, s.recent.length);
    }
  }

  /** The baseline's name for the evidence, made only when it changes: days (negative) or minutes. */
  private nameSource(s: CountryState, samples: number): void {
    if (samples === s.sourceSamples) return;
    s.sourceSamples = samples;
    s.source =
      samples < 0
        ? `hour_of_day(${-samples} days)`
        : samples === 0
          ? 'no_history_against_other_countries'
          : `last_${samples}_minutes_against_other_countries`;
  }
}
