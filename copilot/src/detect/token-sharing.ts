/**
 * Token sharing: one token used from several places at overlapping times, a token crossing countries faster
 * than anyone travels, the edge refusing a copied token on another device (403), or an account running more
 * devices than its limit from several networks at once. Judged per token and per account, never per IP: many
 * readers behind one campus or carrier NAT address is normal.
 */
import type { GeoLookup } from '../geo/ip-geo.ts';
import type { DetectorConfig } from './config.ts';
import { ByteSubjectTable } from './byte-subject-table.ts';
import { type AccessEvent, type Detection, isoTime, ownString, saturatingScore } from './types.ts';

interface Place {
  network: string;
  asn: number;
  country: string;
  firstMs: number;
  lastMs: number;
  requests: number;
  /** Set when this place appeared right after another country, too soon to have travelled; confirmed on its second request. */
  travel: Record<string, unknown> | undefined;
}

/** Sharing state of one token; the engine keeps it beside the token's scraping state. */
export interface TokenSharingState {
  firstSeenMs: number;
  lastSeenMs: number;
  deviceHash: string;
  requests: number;
  accountChecked: boolean;
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

interface AccountState {
  firstSeenMs: number;
  lastSeenMs: number;
  /** The account's recent tokens: one per (device, title) reading session. */
  tokens: TokenSharingState[];
  fired: boolean;
}

export function newTokenSharingState(t: number): TokenSharingState {
  return {
    firstSeenMs: t,
    lastSeenMs: t,
    deviceHash: '',
    requests: 0,
    accountChecked: false,
    places: [],
    placeCount: 0,
    current: undefined,
    alternations: 0,
    lastAlternationMs: 0,
    forbidden: 0,
    forbiddenSinceMs: t,
    fired: false,
  };
}

const MAX_PLACES = 8;
const MAX_ACCOUNT_TOKENS = 32;

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

export class TokenSharingDetector {
  /** By the account id's UTF-8 bytes; held by tokens in between, so idle on the state's own last-seen time. */
  private readonly accounts: ByteSubjectTable<AccountState>;
  private accountKey = Buffer.allocUnsafe(256);

  constructor(
    private readonly config: DetectorConfig,
    private readonly geo: Pick<GeoLookup, 'continent'>,
  ) {
    // Accounts are looked at once per session, so they must outlive a session's silence and the travel window.
    const accountIdleMs = Math.max(config.idleMs, config.minTravelOtherContinentMs);
    this.accounts = new ByteSubjectTable<AccountState>(
      accountIdleMs,
      (_buf, _start, _end, t) => ({ firstSeenMs: t, lastSeenMs: t, tokens: [], fired: false }),
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
    if (!s.accountChecked && s.requests >= 2 && e.timestampMs > s.firstSeenMs) {
      s.accountChecked = true;
      s.deviceHash = e.ownedStrings ? e.deviceHash : ownString(e.deviceHash);
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
      // Returning to a place left moments ago: two devices interleaving, not one device moving.
      if (t - s.lastAlternationMs > this.config.sharingWindowMs) s.alternations = 0;
      s.alternations++;
      s.lastAlternationMs = t;
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
    if (s.fired) return undefined;
    // Confirmed by a later request: log times have one-second resolution and one stray request proves little.
    const travel = place.requests >= 2 && t > place.firstMs ? place.travel : undefined;
    // Most requests come from the token's only place: nothing to judge, nothing to allocate.
    if (travel === undefined && s.placeCount < 2 && s.forbidden < this.config.forbiddenPerToken)
      return undefined;
    const asns = s.places.length < 2 ? 1 : new Set(s.places.map((p) => p.asn)).size;
    const reasons: string[] = [];
    if (travel) reasons.push('impossible_travel');
    if (asns >= 3 || (asns >= 2 && s.alternations >= 3)) reasons.push('concurrent_networks');
    if (s.forbidden >= this.config.forbiddenPerToken) reasons.push('device_mismatch');
    if (reasons.length === 0) return undefined;
    s.fired = true;
    return {
      kind: 'token_sharing',
      subject: { tokenId: e.tokenId, accountId: e.accountId },
      firstSeen: isoTime(s.firstSeenMs),
      detectedAt: isoTime(t),
      score: saturatingScore(reasons.length - 1 + s.alternations / 4 + (travel ? 1 : 0), 0.7),
      evidence: {
        reasons,
        networks: s.places.map((p) => ({
          network: p.network,
          asn: p.asn,
          country: p.country,
          requests: p.requests,
        })),
        alternations: s.alternations,
        forbidden: s.forbidden,
        ...(travel ?? {}),
      },
      mitigation: 'revoke_token',
    };
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
      place = {
        network: e.network,
        asn: e.asn,
        country: e.country,
        firstMs: e.timestampMs,
        lastMs: e.timestampMs,
        requests: 0,
        travel: previous ? this.impossibleTravel(previous.country, previous.lastMs, e) : undefined,
      };
      if (s.places.length >= MAX_PLACES) s.places.shift();
      s.places.push(place);
      s.placeCount = s.places.length;
    }
    return place;
  }

  private impossibleTravel(
    fromCountry: string,
    leftMs: number,
    e: Pick<AccessEvent, 'country' | 'timestampMs'>,
  ): Record<string, unknown> | undefined {
    if (fromCountry === '' || e.country === '' || fromCountry === e.country) return undefined;
    const gapMs = e.timestampMs - leftMs;
    const sameContinent = this.geo.continent(fromCountry) === this.geo.continent(e.country);
    const minMs = sameContinent
      ? this.config.minTravelSameContinentMs
      : this.config.minTravelOtherContinentMs;
    if (gapMs >= minMs) return undefined;
    return {
      travel: {
        from: fromCountry,
        to: e.country,
        gapSeconds: Math.round(gapMs / 1000),
        minSeconds: minMs / 1000,
      },
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
    const tokens = s.tokens;
    let kept = 0;
    for (let i = 0; i < tokens.length; i++) {
      const other = tokens[i]!;
      if (t - other.lastSeenMs <= keep) tokens[kept++] = other;
    }
    tokens.length = kept;
    tokens.push(token);
    if (tokens.length > MAX_ACCOUNT_TOKENS) tokens.shift();
    if (s.fired) return undefined;
    // Almost every account has few devices and no travel: decide that without building any set.
    const travel = this.accountTravel(s, token);
    if (travel === undefined && activeDevices(tokens, t, window) <= this.config.deviceLimit) return undefined;
    const active = s.tokens.filter((other) => t - other.lastSeenMs <= window);
    const devices = new Set(active.map((other) => other.deviceHash).filter((d) => d.length > 0));
    const places = active.flatMap((other) => other.places);
    const asns = new Set(places.map((p) => p.asn));
    const countries = new Set(places.map((p) => p.country).filter((c) => c.length > 0));
    const reasons: string[] = [];
    if (devices.size > this.config.deviceLimit && (asns.size >= 2 || countries.size >= 2)) {
      reasons.push('devices_over_limit');
    }
    if (travel) reasons.push('impossible_travel');
    if (reasons.length === 0) return undefined;
    s.fired = true;
    return {
      kind: 'token_sharing',
      subject: { accountId: e.accountId },
      firstSeen: isoTime(s.firstSeenMs),
      detectedAt: isoTime(t),
      score: saturatingScore(
        reasons.length - 1 + Math.max(0, devices.size - this.config.deviceLimit - 1),
        0.7,
      ),
      evidence: {
        reasons,
        ...(travel ?? {}),
        activeDevices: devices.size,
        deviceLimit: this.config.deviceLimit,
        asns: [...asns],
        countries: [...countries],
        windowSeconds: window / 1000,
      },
      mitigation: 'revoke_account_tokens',
    };
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

  /** A session opening in one country while another session of the account was just active elsewhere. */
  private accountTravel(s: AccountState, token: TokenSharingState): Record<string, unknown> | undefined {
    const here = token.places[0];
    if (here === undefined) return undefined;
    for (const other of s.tokens) {
      if (other === token) continue;
      const there = other.current;
      if (there === undefined || there.country === here.country) continue;
      const travel = this.impossibleTravel(there.country, Math.min(other.lastSeenMs, token.firstSeenMs), {
        country: here.country,
        timestampMs: token.firstSeenMs,
      });
      if (travel) return travel;
    }
    return undefined;
  }
}
