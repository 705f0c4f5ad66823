/**
 * Geo spikes: one country's audience far above what its own baseline and the other countries say. The
 * audience is the distinct readers of two minutes (an account for a tokened request, the client address
 * otherwise), never raw requests: a reader paging fast is one reader, a surge is many new ones. It is judged
 * on a variance-stabilised scale against the country's own level and spread, so a small market can spike and a
 * big one's noise does not.
 *
 * The baseline is the country's last hour of minutes (or the same hour on earlier days when that is higher),
 * scaled by how much the other countries are up on theirs (the upper quartile of their lifts), so a release that
 * lifts every country stays quiet and only a country rising alone is a spike. A young baseline (the first hour
 * watched) is judged with its own minutes so far, its uncertainty widened by how few they are, and a spread
 * borrowed from the other countries (pooled, weighing less as the country's own minutes accrue). Before
 * `geoMinHistoryMinutes` minutes nothing is raised. The finding says which baseline judged it.
 *
 * A rise on the title a release is lifting in the other countries at the same time is that release's, not the
 * country's (geo-titles.ts): the others' lifts miss a release that lifts the countries awake and not the big
 * markets asleep.
 *
 * A grant found shared and read in one country alone carries it (geo-carrier.ts): its many readers are no
 * audience member, so once enough of the country's networks read through it, the country is also judged over a
 * longer window, against the minutes before that window, at a lower bar.
 */
import { isHostingNetwork } from './automation.ts';
import type { DetectorConfig } from './config.ts';
import { audienceKey, CountryAudience, medianOf, RECENT_MINUTES, stabilised } from './geo-audience.ts';
import { CARRIED_WINDOW_MINUTES, CarriedNetworks, readInOneCountry } from './geo-carrier.ts';
import { TitleReaders } from './geo-titles.ts';
import type { Place } from './token-places.ts';
import { type AccessEvent, type Detection, isoTime } from './types.ts';

const MINUTE = 60_000;
const QUIET_TO_REARM_MS = 30 * MINUTE;
/** Countries expecting at least this many readers a minute say how much everyone is up. */
const LIFT_MIN_EXPECTED = 3;
/** A reader rarely makes more than this many requests a minute; a single scraper is not a geo spike. */
const PER_CLIENT_PER_MINUTE = 8;
/** Minutes of a country's own history worth as much as the spread pooled across the other countries. */
const PRIOR_MINUTES = 20;
/** Which quantile of the other countries' lifts sets how much everyone is up. */
const OTHERS_QUANTILE = 0.75;
/** Minutes judged together: the current one and the one before. */
const WINDOW_MINUTES = 2;
/** Minutes of baseline before the long window that a carried spike needs: half an hour. */
const CARRIED_MIN_BASELINE = 30;

/** A count less half its Poisson spread: how many readers a country has, its chance wander discounted. */
function chanceDiscounted(count: number): number {
  return Math.max(0, count - 0.5 * Math.sqrt(count));
}

/** What a lift is read over: the two judged minutes, the long window's readers, or its arrivals. */
type Window = 'two' | 'long' | 'arrivals';

interface Verdict {
  expected: number;
  scale: number;
  countries: number;
  z: number;
  spread: number;
}

/** Set apart the keys of IPv6 sites from those of IPv4 addresses (audienceKey's). */
const IPV6_SITE = 0x2f6b1e3d;

export class GeoSpikeDetector {
  private readonly countries = new Map<string, CountryAudience>();
  /** The countries in the map's order, for the loops over all of them. */
  private readonly countryList: CountryAudience[] = [];
  private minute = -1;
  private startMinute = -1;
  /** The median spread of the countries with an audience: the prior of a young baseline's spread. */
  private pooledSpread = 1;
  private readonly spreads: number[] = [];
  private readonly lifts = new Float64Array(256);
  /** The last ASN asked about, and whether it is a hosting network (most requests repeat the last one's). */
  private hostingAsn = -1;
  private hosting = false;
  /** Readers of each title a minute across countries: what a release lifts (geo-titles.ts). */
  private readonly titleReaders = new TitleReaders();

  constructor(private readonly config: DetectorConfig) {}

  /**
   * `ipRequestsThisMinute`: the client's own count, so one busy client cannot make a country spike; and
   * servers (hosting networks) are no country's audience: their traffic is the scraping detectors' concern.
   * `title`: the key of the title the request's grant opens (titles.ts), 0 without one.
   */
  observe(e: AccessEvent, ipRequestsThisMinute: number, title: number, out: Detection[]): void {
    if (e.country.length === 0 || ipRequestsThisMinute > PER_CLIENT_PER_MINUTE) return;
    if (this.fromHosting(e.asn)) return;
    const t = e.timestampMs;
    this.roll(t);
    let s = this.countries.get(e.country);
    if (s === undefined) {
      s = new CountryAudience(this.minute - this.startMinute);
      this.countries.set(e.country, s);
      this.countryList.push(s);
    }
    // Only a reader new this minute can raise the audience: the judgement runs on those alone.
    if (!s.add(audienceKey(e.accountId, e.ip), this.placeKey(e), this.minute)) return;
    if (title !== 0) {
      s.titles.add(title);
      this.titleReaders.add(title, this.minute);
    }
    const x = s.window;
    // An audience under the floor is no spike either: a small market quiet between surges re-arms.
    const verdict = x < this.config.geoMinReaders ? undefined : this.judge(s, x);
    if (verdict === undefined) {
      // A country carried by a grant is judged over the long window; one judged no spike either way re-arms.
      if (s.carrier !== undefined && this.judgeCarried(s, e.country, t, out)) return;
      if (s.fired && t - s.lastSpikeMs > QUIET_TO_REARM_MS) s.fired = false;
      return;
    }
    if (!this.newSurge(s, t)) return;
    out.push(
      this.spike(s, e.country, t, verdict.z, this.config.geoZ, {
        readersLastTwoMinutes: x,
        expectedReaders: Math.round(verdict.expected * 10) / 10,
        requestsThisMinute: s.requests,
        othersScale: Math.round(verdict.scale * 100) / 100,
        liftedCountries: verdict.countries,
        z: Math.round(verdict.z * 10) / 10,
        spread: Math.round(verdict.spread * 100) / 100,
        baseline: this.baselineOf(s),
      }),
    );
  }

  /**
   * The place a request reads from, for counting a crowd behind one place as one: an IPv4 address (a home's, an
   * office's or a campus's NAT; written as IPv6 too, `::ffff:203.0.113.9`), or an IPv6 address's /48 network (the
   * engine's network hash): the prefix a site is given, so a campus or an office that hands each device a /64 of its
   * own is one place, as it would be behind one NAT. Readers of a country's own surge read from homes and phones
   * across its operators, a place or two each.
   */
  private placeKey(e: AccessEvent): number {
    const ipv4 = e.ip.indexOf(':') < 0 || e.ip.indexOf('.') > 0;
    return ipv4 ? audienceKey('', e.ip) : e.networkHash ^ IPV6_SITE;
  }

  /** Whether this network is a hosting one; the last answer is kept, since requests come in runs of one network. */
  private fromHosting(asn: number): boolean {
    if (this.hostingAsn !== asn) {
      this.hostingAsn = asn;
      this.hosting = isHostingNetwork(asn);
    }
    return this.hosting;
  }

  /**
   * A request of a grant already found shared (token sharing's finding): not one reader, so no audience member,
   * but when every place it is read from lies in this country, its networks carry the country's audience.
   */
  observeShared(e: AccessEvent, places: readonly Place[], out: Detection[]): void {
    if (e.country.length === 0 || !readInOneCountry(places, e.country)) return;
    if (this.fromHosting(e.asn)) return;
    const t = e.timestampMs;
    this.roll(t);
    const s = this.countries.get(e.country);
    // A country nobody else reads in has no audience to carry.
    if (s === undefined) return;
    s.carrier ??= new CarriedNetworks();
    if (s.carrier.add(e.networkHash, this.minute)) this.judgeCarried(s, e.country, t, out);
  }

  /**
   * A spike carried by grants read from many networks of the country: over the long window, the carried
   * networks reach `geoCarrierNetworks` while the audience is `geoCarriedRatio` times its baseline before the
   * window and `geoCarriedZ` spreads above it. Slower and smaller than a surge of new readers, so it is judged
   * over ten minutes and only with the grant's networks beside it. True when it is a spike.
   */
  private judgeCarried(s: CountryAudience, country: string, t: number, out: Detection[]): boolean {
    const config = this.config;
    const carried = s.carrier!.count(this.minute);
    if (carried < config.geoCarrierNetworks || s.beforeLongSamples < CARRIED_MIN_BASELINE) return false;
    const own = s.beforeLongSamples;
    const spread = Math.max(
      1,
      (own * s.beforeLongSpread + PRIOR_MINUTES * this.pooledSpread) / (own + PRIOR_MINUTES),
    );
    // Readers a minute summed over the window; failing that, the readers who arrived in it (see CountryAudience).
    const lift = this.othersLift(s, 'long');
    const readers = this.carriedVerdict(s.longWindow, s.beforeLong, spread, own, lift);
    const verdict =
      readers ??
      (s.crowded
        ? undefined
        : this.carriedVerdict(
            s.arrivalsLong,
            s.beforeArrivals,
            Math.max(1, s.beforeArrivalsSpread),
            own,
            this.arrivalsLift(s, lift),
          ));
    if (verdict === undefined) return false;
    if (!this.newSurge(s, t)) return true;
    const counted = readers === undefined ? 'Arrivals' : 'Readers';
    out.push(
      this.spike(s, country, t, verdict.z, config.geoCarriedZ, {
        [`${counted.toLowerCase()}LastTenMinutes`]: Math.round(verdict.x * 10) / 10,
        [`expected${counted}`]: Math.round(verdict.expected * 10) / 10,
        carriedNetworks: carried,
        othersScale: Math.round(verdict.scale * 100) / 100,
        liftedCountries: verdict.countries,
        z: Math.round(verdict.z * 10) / 10,
        spread: Math.round(verdict.spread * 100) / 100,
        baseline: `last_${own}_minutes_before_the_window_against_other_countries`,
      }),
    );
    return true;
  }

  /**
   * A carried country's long window (`x`, summed over its minutes) against `perMinute` before it, scaled by the
   * other countries' lift: a spike at `geoCarriedRatio` times the expectation and `geoCarriedZ` spreads.
   */
  private carriedVerdict(
    x: number,
    perMinute: number,
    spread: number,
    own: number,
    lift: { scale: number; countries: number },
  ): (Verdict & { x: number }) | undefined {
    const expected = CARRIED_WINDOW_MINUTES * perMinute * lift.scale;
    if (x < this.config.geoCarriedRatio * expected) return undefined;
    const z = (stabilised(x) - stabilised(expected)) / (spread * Math.sqrt(1 + CARRIED_WINDOW_MINUTES / own));
    if (z < this.config.geoCarriedZ) return undefined;
    return { x, expected, scale: lift.scale, countries: lift.countries, z, spread };
  }

  /** A spike judged now keeps its surge alive; true when the surge is new, to be reported (once per surge). */
  private newSurge(s: CountryAudience, t: number): boolean {
    if (!s.fired && s.lastSpikeMs < t - QUIET_TO_REARM_MS) s.firstSpikeMs = t;
    s.lastSpikeMs = t;
    if (s.fired) return false;
    s.fired = true;
    return true;
  }

  /** The finding of a new surge judged at z against the bar it passed. */
  private spike(
    s: CountryAudience,
    country: string,
    t: number,
    z: number,
    bar: number,
    evidence: Record<string, unknown>,
  ): Detection {
    const score = Math.min(0.99, 0.6 + 0.4 * (1 - bar / z));
    return {
      kind: 'geo_spike',
      subject: { country },
      firstSeen: isoTime(s.firstSpikeMs),
      detectedAt: isoTime(t),
      score: Math.round(score * 1000) / 1000,
      evidence: { behaviours: ['geo_spike'], ...evidence },
      mitigation: 'observe',
    };
  }

  /** Which baseline judged the country: the same hour on earlier days, its last hour, or its first minutes. */
  private baselineOf(s: CountryAudience): string {
    if (s.seasonalDays > 0) return `hour_of_day(${s.seasonalDays} days)`;
    const minutes = `last_${s.samples}_minutes_against_other_countries`;
    return s.samples < RECENT_MINUTES ? `first_hour(${minutes}, spread pooled across countries)` : minutes;
  }

  private judge(s: CountryAudience, x: number): Verdict | undefined {
    if (s.samples < this.config.geoMinHistoryMinutes) return undefined;
    // The country's own spread, drawn towards the other countries' while its own minutes are few.
    const own = s.samples;
    const spread = Math.max(1, (own * s.spread + PRIOR_MINUTES * this.pooledSpread) / (own + PRIOR_MINUTES));
    // The others only ever raise the bar (a scale ≥ 1 raises the expectation, so z falls): a count that is no
    // spike against the country's own baseline is none at any scale, and the loop over them is skipped.
    if (this.zAt(s, x, 1, spread) === undefined) return undefined;
    const { scale, countries } = this.othersLift(s);
    const z = this.zAt(s, x, scale, spread);
    if (z === undefined) return undefined;
    const expected = WINDOW_MINUTES * s.expected * scale;
    if (this.releaseRise(s, x, scale, spread)) return undefined;
    return { expected, scale, countries, z, spread };
  }

  /**
   * Whether a country's spike (`x` readers, judged at `scale` and `spread`) is a release's rise: without its readers
   * of the title most of them opened it would be no spike, and that title's readers in the other countries are a
   * spike themselves over the same two minutes (geoMinReaders at least, geoRatio times their rate a minute over the
   * hour before, geoZ spreads above it on the stabilised scale). A release that lifts this country most (its hour
   * is their morning, the big markets' night) is the release's; a country's own spike reads titles of its own, a
   * spike of its own beside a release is still one, and a public page names no title.
   */
  private releaseRise(s: CountryAudience, x: number, scale: number, spread: number): boolean {
    const { title, readers } = s.titles.top();
    if (title === 0 || this.zAt(s, x - readers, scale, spread) !== undefined) return false;
    const now = this.titleReaders.count(title, this.minute) + this.titleReaders.count(title, this.minute - 1);
    const elsewhere = now - readers;
    const config = this.config;
    if (elsewhere < config.geoMinReaders) return false;
    const before = WINDOW_MINUTES * this.titleReaders.meanBefore(title, this.minute - 1, RECENT_MINUTES);
    return elsewhere >= config.geoRatio * before && stabilised(elsewhere) - stabilised(before) >= config.geoZ;
  }

  /**
   * z of the window's readers against the baseline scaled by `scale`, or undefined when it is no spike. The
   * baseline's own uncertainty (a mean of `samples` minutes) widens the spread.
   */
  private zAt(s: CountryAudience, x: number, scale: number, spread: number): number | undefined {
    const expected = WINDOW_MINUTES * s.expected * scale;
    if (x < this.config.geoRatio * expected) return undefined;
    const z = (stabilised(x) - stabilised(expected)) / (spread * Math.sqrt(1 + WINDOW_MINUTES / s.samples));
    return z >= this.config.geoZ ? z : undefined;
  }

  /**
   * How much the other countries are up in arrivals over the long window, never less than they are up in readers
   * (`readers`): a release brings new readers everywhere. With fewer than three countries whose arrivals are
   * measured (big markets are crowded), their readers' lift alone.
   */
  private arrivalsLift(
    s: CountryAudience,
    readers: { scale: number; countries: number },
  ): { scale: number; countries: number } {
    const arrivals = this.othersLift(s, 'arrivals');
    if (arrivals.countries < 3) return readers;
    return arrivals.scale >= readers.scale ? arrivals : readers;
  }

  /**
   * How much the other countries are up on their own baselines right now: the upper quartile of their lifts,
   * so one big country does not set it and an uneven release still raises the bar; never below 1 (a lone
   * country's surge never lowers the bar). Each lift counts its readers less half a Poisson spread: the
   * upper quartile of a dozen countries' two-minute counts sits above their baselines by chance alone (1.1 to
   * 1.4× for countries of 3 to 5 readers a minute), which a release's lift is not; a whole spread would let a
   * small market lifted more than the others by a release through. With fewer than three countries to
   * compare (those expecting LIFT_MIN_EXPECTED readers a minute or more), the other countries' summed audience
   * stands in. `over`: the two judged minutes, or the long window's readers or arrivals against each country's
   * baseline before the window.
   */
  private othersLift(s: CountryAudience, over: Window = 'two'): { scale: number; countries: number } {
    const lifts = this.lifts;
    let n = 0;
    let othersNow = 0;
    let othersBefore = 0;
    const countries = this.countryList;
    const minutes = over === 'two' ? WINDOW_MINUTES : CARRIED_WINDOW_MINUTES;
    // Arrivals are fewer than readers: a country counts once it expects LIFT_MIN_EXPECTED over the window.
    const least = over === 'arrivals' ? LIFT_MIN_EXPECTED / minutes : LIFT_MIN_EXPECTED;
    for (let i = 0; i < countries.length; i++) {
      const other = countries[i]!;
      if (other === s || (over === 'arrivals' && other.crowded)) continue;
      const now = over === 'two' ? other.window : over === 'long' ? other.longWindow : other.arrivalsLong;
      const expected =
        over === 'two' ? other.expected : over === 'long' ? other.beforeLong : other.beforeArrivals;
      othersNow += now;
      othersBefore += expected;
      if (expected < least || n === lifts.length) continue;
      lifts[n++] = chanceDiscounted(now) / (minutes * expected);
    }
    if (n < 3) {
      const othersExpected = minutes * othersBefore;
      return {
        scale: othersExpected > 0 ? Math.max(1, chanceDiscounted(othersNow) / othersExpected) : 1,
        countries: n,
      };
    }
    lifts.subarray(0, n).sort();
    // The upper quartile (type 7): a release lifts countries unevenly, and a few comparisons are a thin sample.
    const at = (n - 1) * OTHERS_QUANTILE;
    const lower = Math.floor(at);
    const upper = Math.min(n - 1, lower + 1);
    const lift = lifts[lower]! + (at - lower) * (lifts[upper]! - lifts[lower]!);
    return { scale: Math.max(1, lift), countries: n };
  }

  /** Closes minutes and hours as event time passes them, refreshing each country's baseline. */
  private roll(t: number): void {
    const minute = Math.floor(t / MINUTE);
    if (this.minute < 0) {
      this.minute = minute;
      this.startMinute = minute;
    }
    if (minute <= this.minute) return;
    this.titleReaders.roll(minute);
    const elapsed = minute - this.minute;
    const hour = Math.floor(minute / 60);
    const previousHour = Math.floor(this.minute / 60);
    const hourClosed = hour !== previousHour ? previousHour % 24 : -1;
    const spreads = this.spreads;
    spreads.length = 0;
    for (let i = 0; i < this.countryList.length; i++) {
      const s = this.countryList[i]!;
      s.roll(elapsed, hourClosed, minute);
      s.refresh(hour % 24);
      if (s.samples >= this.config.geoMinHistoryMinutes && s.expected >= 1) spreads.push(s.spread);
    }
    this.pooledSpread = spreads.length > 0 ? medianOf(spreads) : 1;
    this.minute = minute;
  }
}
