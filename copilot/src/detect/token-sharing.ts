/**
 * Token sharing: one token used by several clients in several places at once, a token crossing continents
 * faster than anyone travels, the edge refusing a copied token on another device (403), an account running
 * more devices than its limit, or one device identity reading in several homes at once. Judged per token and
 * per account, never per IP: many readers behind one campus or carrier NAT address is normal. One client
 * moving (a phone between Wi-Fi and mobile data, a commuter, a VPN switched on) keeps its user agent and
 * leaves its last place; only several clients, several countries at once or impossible travel between homes
 * count, and places in hosting networks (VPN exits) never make a country change.
 */
import type { GeoLookup } from '../geo/ip-geo.ts';
import { hashPath } from './asset-path.ts';
import { isHostingNetwork } from './automation.ts';
import type { DetectorConfig } from './config.ts';
import { ByteSubjectTable } from './byte-subject-table.ts';
import { type Evidence, evidenceSummary } from './evidence.ts';
import { type AccessEvent, type Detection, isoTime, ownString } from './types.ts';

export interface Place {
  network: string;
  asn: number;
  country: string;
  /** A VPN exit or a server: a place there does not move the client to another country. */
  hosting: boolean;
  /** Hash of the user agent of the place's first request: another client, or the same one moved. */
  agent: number;
  firstMs: number;
  lastMs: number;
  requests: number;
  /**
   * Set when this place appeared right after another country, too soon to have travelled; confirmed on its
   * second request when another client is here, or once the token is back at the place it left (two places
   * at once; one device switching a VPN on does not come back).
   */
  travel: Travel | undefined;
  /** The place the token was at when this one appeared, and whether the token went back there since. */
  from: Place | undefined;
  returned: boolean;
}

/** Sharing state of one token; the engine's token record (read-ahead.ts, TokenSubject) holds these fields itself. */
export interface TokenSharingState {
  firstSeenMs: number;
  lastSeenMs: number;
  deviceHash: string;
  requests: number;
  /** The request count at which the account is looked at next (2, 4, 8 ... 256: sessions that overlap show later). */
  nextAccountCheck: number;
  places: Place[];
  /** places.length, beside it: most requests need only this and `current`, not the list. */
  placeCount: number;
  current: Place | undefined;
  alternations: number;
  lastAlternationMs: number;
  forbidden: number;
  forbiddenSinceMs: number;
  fired: boolean;
}

/** A move between countries too quick for the distance (continents: 1 within one, 2 across two). */
interface Travel {
  from: string;
  to: string;
  gapSeconds: number;
  minSeconds: number;
  continents: 1 | 2;
}

interface AccountState {
  firstSeenMs: number;
  lastSeenMs: number;
  /** The account's recent tokens: one per (device, title) reading session. */
  tokens: TokenSharingState[];
  /** Devices seen in the last day (hash, last time, the network it first read from), up to MAX_DAY_DEVICES. */
  dayDevices: string[];
  dayDeviceSeen: number[];
  dayDeviceAsn: number[];
  fired: boolean;
}

const MAX_PLACES = 8;
const MAX_ACCOUNT_TOKENS = 32;
const MAX_DAY_DEVICES = 16;
const DAY_MS = 86_400_000;
const HALF_DAY_MS = DAY_MS / 2;

/** Distinct non-empty device hashes among the tokens active within `window` of t. */
function activeDevices(tokens: readonly TokenSharingState[], t: number, window: number): number {
  let n = 0;
  for (let i = 0; i < tokens.length; i++) {
    const device = tokens[i]!.deviceHash;
    if (device.length === 0 || t - tokens[i]!.lastSeenMs > window) continue;
    let seen = false;
    for (let j = 0; j < i && !seen; j++) {
      seen = tokens[j]!.deviceHash === device && t - tokens[j]!.lastSeenMs <= window;
    }
    if (!seen) n++;
  }
  return n;
}

/** Places of one token in the window: distinct networks, countries outside hosting networks, user agents. */
function spread(places: readonly Place[]): { asns: number; countries: number; agents: number } {
  const asns = new Set<number>();
  const countries = new Set<string>();
  const agents = new Set<number>();
  for (const p of places) {
    asns.add(p.asn);
    if (!p.hosting && p.country.length > 0) countries.add(p.country);
    agents.add(p.agent);
  }
  return { asns: asns.size, countries: countries.size, agents: agents.size };
}

export class TokenSharingDetector {
  /** By the account id's UTF-8 bytes; held by tokens in between, so idle on the state's own last-seen time. */
  private readonly accounts: ByteSubjectTable<AccountState>;
  private accountKey = Buffer.allocUnsafe(256);

  constructor(
    private readonly config: DetectorConfig,
    private readonly geo: Pick<GeoLookup, 'continent'>,
  ) {
    // Accounts are looked at a few times per session, so they must outlive a session's silence and the travel
    // window; a sharing ring reads through the day, so its account is kept half a day.
    const accountIdleMs = Math.max(config.idleMs, config.minTravelOtherContinentMs, HALF_DAY_MS);
    this.accounts = new ByteSubjectTable<AccountState>(
      accountIdleMs,
      (_buf, _start, _end, t) => ({
        firstSeenMs: t,
        lastSeenMs: t,
        tokens: [],
        dayDevices: [],
        dayDeviceSeen: [],
        dayDeviceAsn: [],
        fired: false,
      }),
      (state) => state.lastSeenMs,
    );
  }

  get activeAccounts(): number {
    return this.accounts.size;
  }

  /** One request carrying a token; `s` is that token's state (the engine owns the token table). */
  observe(e: AccessEvent, s: TokenSharingState, out: Detection[]): void {
    const token = this.observeToken(e, s);
    if (token) out.push(token);
    // Devices and countries in use change only when a token appears: the account is looked at then (on the
    // token's second request, so that one stray request proves nothing), not on every request.
    if (s.requests >= s.nextAccountCheck && e.timestampMs > s.firstSeenMs) {
      s.nextAccountCheck = s.nextAccountCheck < 256 ? s.nextAccountCheck * 2 : Number.POSITIVE_INFINITY;
      if (s.deviceHash.length === 0) s.deviceHash = e.ownedStrings ? e.deviceHash : ownString(e.deviceHash);
      const account = this.observeAccount(e, s);
      if (account) out.push(account);
    }
  }

  private observeToken(e: AccessEvent, s: TokenSharingState): Detection | undefined {
    const t = e.timestampMs;
    s.lastSeenMs = t;
    s.requests++;
    const previous = s.current;
    const place = this.placeOf(s, e, previous);
    if (previous !== undefined && previous !== place && place.requests > 0) {
      // Returning to a place left moments ago: two clients interleaving, or one flapping between networks.
      if (t - s.lastAlternationMs > this.config.sharingWindowMs) s.alternations = 0;
      s.alternations++;
      s.lastAlternationMs = t;
      if (previous.from === place) previous.returned = true;
    }
    place.requests++;
    place.lastMs = t;
    s.current = place;
    if (e.refusal === 'device_mismatch') {
      if (t - s.forbiddenSinceMs > this.config.sharingWindowMs) {
        s.forbidden = 0;
        s.forbiddenSinceMs = t;
      }
      s.forbidden++;
    }
    // Nothing is judged within the token's first second: log times are whole seconds, and the first one proves little.
    if (s.fired || Math.floor(t / 1000) <= Math.floor(s.firstSeenMs / 1000)) return undefined;
    // Confirmed by a later request (log times have one-second resolution, one stray request proves little),
    // and by another client there or by the token going back: someone is in both places.
    const travel = this.confirmedTravel(s, t);
    // Most requests come from the token's only place: nothing to judge, nothing to allocate.
    if (travel === undefined && s.placeCount < 2 && s.forbidden < this.config.forbiddenPerToken)
      return undefined;
    const { asns, countries, agents } = spread(s.places);
    const several = countries >= 2 || agents >= 2;
    const evidence: Evidence[] = [];
    if (travel) evidence.push({ family: 'travel', strength: 0.85, signals: ['impossible_travel'] });
    if (asns >= 3 && several) {
      evidence.push({
        family: 'places',
        strength: asns >= 5 ? 0.95 : 0.85,
        signals: ['concurrent_networks'],
      });
    } else if (asns >= 2 && s.alternations >= 3 && several) {
      evidence.push({ family: 'places', strength: 0.75, signals: ['concurrent_networks'] });
    }
    if (s.forbidden >= this.config.forbiddenPerToken) {
      evidence.push({ family: 'refusals', strength: 0.9, signals: ['device_mismatch'] });
    }
    if (evidence.length === 0) return undefined;
    s.fired = true;
    const summary = evidenceSummary(evidence);
    return {
      kind: 'token_sharing',
      subject: { tokenId: e.tokenId, accountId: e.accountId },
      firstSeen: isoTime(s.firstSeenMs),
      detectedAt: isoTime(t),
      score: summary.score,
      evidence: {
        behaviours: ['token_sharing'],
        reasons: evidence.flatMap((x) => x.signals),
        score: summary.score,
        corroboration: summary.corroboration,
        families: summary.families,
        networks: s.places.map((p) => ({
          network: p.network,
          asn: p.asn,
          country: p.country,
          requests: p.requests,
        })),
        clients: agents,
        alternations: s.alternations,
        forbidden: s.forbidden,
        ...(travel ? { travel } : {}),
      },
      mitigation: 'observe',
    };
  }

  private confirmedTravel(s: TokenSharingState, t: number): Travel | undefined {
    for (const p of s.places) {
      if (p.travel === undefined || p.requests < 2 || t <= p.firstMs) continue;
      if (p.travel.continents === 2 || p.returned || p.agent !== p.from?.agent) return p.travel;
    }
    return undefined;
  }

  private placeOf(s: TokenSharingState, e: AccessEvent, previous: Place | undefined): Place {
    const horizon = e.timestampMs - this.config.sharingWindowMs;
    // Most requests: the token's only place, still fresh, again. Nothing to search or compact.
    if (
      s.placeCount === 1 &&
      previous !== undefined &&
      previous.lastMs >= horizon &&
      previous.network === e.network
    ) {
      return previous;
    }
    let place: Place | undefined;
    let stale = false;
    // Plain loops: this runs for every request that carries a token.
    for (const p of s.places) {
      if (p.lastMs < horizon) stale = true;
      if (p.network === e.network) place = p;
    }
    if (stale) {
      // Compacted in place: a token back after a pause keeps its current place, and a fresh array per
      // request would outlive the young generation only to become old garbage.
      const places = s.places;
      let kept = 0;
      let found = false;
      for (let i = 0; i < places.length; i++) {
        const p = places[i]!;
        if (p.lastMs >= horizon || p === s.current) {
          places[kept++] = p;
          if (p === place) found = true;
        }
      }
      places.length = kept;
      s.placeCount = kept;
      if (!found) place = undefined;
    }
    if (place === undefined) {
      const hosting = isHostingNetwork(e.asn);
      const agent = agentHashOf(e);
      place = {
        network: e.network,
        asn: e.asn,
        country: e.country,
        hosting,
        agent,
        firstMs: e.timestampMs,
        lastMs: e.timestampMs,
        requests: 0,
        from: previous,
        returned: false,
        travel:
          previous && !hosting && !previous.hosting
            ? this.impossibleTravel(previous.country, previous.lastMs, e)
            : undefined,
      };
      if (s.places.length >= MAX_PLACES) s.places.shift();
      // Exact size (concat, not push): a first push reserves 17 slots, and most tokens keep one or two places.
      s.places = s.places.concat(place);
      s.placeCount = s.places.length;
    }
    return place;
  }

  /**
   * A move between countries sooner than anyone travels. Within a continent a client may also be a mobile
   * roaming or a home VPN, so there it takes another client (another user agent) as well.
   */
  /** A move from one country to another sooner than anyone travels between them (evidence of it, or undefined). */
  private impossibleTravel(
    fromCountry: string,
    leftMs: number,
    e: Pick<AccessEvent, 'country' | 'timestampMs'>,
  ): Travel | undefined {
    if (fromCountry === '' || e.country === '' || fromCountry === e.country) return undefined;
    const gapMs = e.timestampMs - leftMs;
    const sameContinent = this.geo.continent(fromCountry) === this.geo.continent(e.country);
    const minMs = sameContinent
      ? this.config.minTravelSameContinentMs
      : this.config.minTravelOtherContinentMs;
    if (gapMs >= minMs) return undefined;
    return {
      from: fromCountry,
      to: e.country,
      gapSeconds: Math.round(gapMs / 1000),
      minSeconds: minMs / 1000,
      continents: sameContinent ? 1 : 2,
    };
  }

  private observeAccount(e: AccessEvent, token: TokenSharingState): Detection | undefined {
    if (e.accountId.length === 0) return undefined;
    const s = this.accounts.get(this.accountKey, 0, this.encodeAccount(e.accountId), e.timestampMs);
    const t = e.timestampMs;
    s.lastSeenMs = t;
    const window = this.config.accountWindowMs;
    const keep = Math.max(window, this.config.minTravelOtherContinentMs);
    // Compacted in place: accounts are long-lived, a fresh array per session would only become old garbage.
    let tokens = s.tokens;
    let kept = 0;
    for (let i = 0; i < tokens.length; i++) {
      const other = tokens[i]!;
      if (t - other.lastSeenMs <= keep) tokens[kept++] = other;
    }
    tokens.length = kept;
    if (!tokens.includes(token)) {
      // Exact size (concat, not push): accounts are many and most have a few tokens.
      tokens = tokens.concat(token);
      if (tokens.length > MAX_ACCOUNT_TOKENS) tokens.shift();
      s.tokens = tokens;
    }
    const dayDevices = this.rememberDevice(s, token, t);
    if (s.fired) return undefined;
    // Almost every account has few devices and no travel: decide that without building any set.
    const travel = this.accountTravel(s, token);
    const elsewhere = this.sameDeviceElsewhere(s, token, t);
    if (
      travel === undefined &&
      elsewhere < 2 &&
      dayDevices <= this.config.deviceLimit &&
      activeDevices(tokens, t, window) <= this.config.deviceLimit
    ) {
      return undefined;
    }
    const active = s.tokens.filter((other) => t - other.lastSeenMs <= window);
    const devices = new Set(active.map((other) => other.deviceHash).filter((d) => d.length > 0));
    const places = active.flatMap((other) => other.places);
    const asns = new Set(places.map((p) => p.asn));
    const countries = new Set(
      places
        .filter((p) => !p.hosting)
        .map((p) => p.country)
        .filter((c) => c.length > 0),
    );
    const evidence: Evidence[] = [];
    if (devices.size > this.config.deviceLimit && (asns.size >= 2 || countries.size >= 2)) {
      evidence.push({
        family: 'devices',
        strength: devices.size > this.config.deviceLimit + 1 ? 0.9 : 0.8,
        signals: ['devices_over_limit'],
      });
    } else if (dayDevices > this.config.deviceLimit && new Set(s.dayDeviceAsn).size >= 2) {
      evidence.push({
        family: 'devices',
        strength: dayDevices > this.config.deviceLimit + 1 ? 0.8 : 0.7,
        signals: ['devices_over_limit_in_a_day'],
      });
    }
    if (travel) evidence.push({ family: 'travel', strength: 0.85, signals: ['impossible_travel'] });
    if (elsewhere >= 2)
      evidence.push({ family: 'places', strength: 0.85, signals: ['one_device_in_several_homes'] });
    if (evidence.length === 0) return undefined;
    s.fired = true;
    const summary = evidenceSummary(evidence);
    return {
      kind: 'token_sharing',
      subject: { accountId: e.accountId },
      firstSeen: isoTime(s.firstSeenMs),
      detectedAt: isoTime(t),
      score: summary.score,
      evidence: {
        behaviours: ['token_sharing'],
        reasons: evidence.flatMap((x) => x.signals),
        score: summary.score,
        corroboration: summary.corroboration,
        families: summary.families,
        ...(travel ? { travel } : {}),
        activeDevices: devices.size,
        devicesInADay: dayDevices,
        deviceLimit: this.config.deviceLimit,
        asns: [...asns],
        countries: [...countries],
        windowSeconds: window / 1000,
      },
      mitigation: 'observe',
    };
  }

  /** Remembers the token's device for a day; returns the devices the account used in the last day. */
  private rememberDevice(s: AccountState, token: TokenSharingState, t: number): number {
    const device = token.deviceHash;
    if (device.length === 0) return s.dayDevices.length;
    let n = 0;
    let found = false;
    for (let i = 0; i < s.dayDevices.length; i++) {
      if (s.dayDevices[i] === device) {
        s.dayDeviceSeen[i] = t;
        found = true;
      }
      if (t - s.dayDeviceSeen[i]! <= DAY_MS) n++;
    }
    if (!found) {
      if (s.dayDevices.length >= MAX_DAY_DEVICES) {
        s.dayDevices.shift();
        s.dayDeviceSeen.shift();
        s.dayDeviceAsn.shift();
      }
      // Exact size (concat, not push): most accounts use one or two devices a day.
      s.dayDevices = s.dayDevices.concat(device);
      s.dayDeviceSeen = s.dayDeviceSeen.concat(t);
      s.dayDeviceAsn = s.dayDeviceAsn.concat(token.places[0]?.asn ?? 0);
      n++;
    }
    return n;
  }

  /**
   * Other places where the same device identity (account and device id) reads right now, with another client
   * or from another country: a device is in one home at a time, so spoofed ids show as several.
   */
  private sameDeviceElsewhere(s: AccountState, token: TokenSharingState, t: number): number {
    const here = token.current;
    if (here === undefined || here.hosting || token.deviceHash.length === 0) return 0;
    const seen: string[] = [];
    for (const other of s.tokens) {
      if (other === token || other.deviceHash !== token.deviceHash) continue;
      const there = other.current;
      if (there === undefined || there.hosting || t - other.lastSeenMs > 2 * 60_000) continue;
      if (there.asn === here.asn) continue;
      if (there.agent === here.agent && there.country === here.country) continue;
      if (!seen.includes(there.network)) seen.push(there.network);
    }
    return seen.length;
  }

  /** The account id's UTF-8 bytes into accountKey; returns their length. */
  private encodeAccount(accountId: string): number {
    if (accountId.length * 3 > this.accountKey.length)
      this.accountKey = Buffer.allocUnsafe(accountId.length * 3);
    const key = this.accountKey;
    for (let i = 0; i < accountId.length; i++) {
      const c = accountId.charCodeAt(i);
      // Anything but ASCII (never in real tokens) is encoded by Buffer.
      if (c >= 0x80) return key.write(accountId, 0, 'utf8');
      key[i] = c;
    }
    return accountId.length;
  }

  /**
   * The same device identity reading in one country while it is reading in another: the account's own device
   * cannot travel that fast, and it is in one place at a time (a VPN switched on between sessions moves it,
   * it does not double it). Other devices of the account may be abroad: a household.
   */
  private accountTravel(s: AccountState, token: TokenSharingState): Travel | undefined {
    const here = token.places[0];
    if (here === undefined || here.hosting) return undefined;
    for (const other of s.tokens) {
      if (other === token || other.deviceHash !== token.deviceHash) continue;
      const there = other.current;
      if (there === undefined || there.hosting || there.country === here.country) continue;
      const travel = this.impossibleTravel(there.country, Math.min(other.lastSeenMs, token.firstSeenMs), {
        country: here.country,
        timestampMs: token.firstSeenMs,
      });
      if (travel === undefined) continue;
      // Across continents a gap too short for the flight is enough; within one, both sessions must be going
      // on (the other still reading after this one began): a VPN switched on between sessions moves a device.
      const overlap = other.lastSeenMs > token.firstSeenMs && token.lastSeenMs > other.firstSeenMs;
      if (travel.continents === 2 || overlap) return travel;
    }
    return undefined;
  }
}

/** Hash of the request's user agent (decoded once per token or place, never per request). */
function agentHashOf(e: AccessEvent): number {
  return hashPath(e.record.userAgent) | 0;
}
