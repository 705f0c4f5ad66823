/** A token's places (network, country, client) and the travel between them: the per-request half of token sharing. */
import type { GeoLookup } from '../geo/ip-geo.ts';
import { hashPath } from './asset-path.ts';
import { isHostingNetwork } from './automation.ts';
import type { DetectorConfig } from './config.ts';
import type { AccessEvent } from './types.ts';

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
  /** Bits of one field (tokens are many): TOKEN_FIRED. */
  tokenFlags: number;
}

/** The token was reported (its own finding). */
export const TOKEN_FIRED = 1;

export function tokenFired(s: TokenSharingState): boolean {
  return (s.tokenFlags & TOKEN_FIRED) !== 0;
}

/** What travel asks of geolocation: continents, and the networks that place nobody (network-spread.ts). */
export type TravelGeo = Pick<GeoLookup, 'continent' | 'spansContinents' | 'spansCountries'>;

/** Where a place is, as travel judges it: its country and network. */
export type Whereabouts = Pick<Place, 'country' | 'asn' | 'hosting'>;

/** A move between countries too quick for the distance (continents: 1 within one, 2 across two). */
export interface Travel {
  from: string;
  to: string;
  gapSeconds: number;
  minSeconds: number;
  continents: 1 | 2;
}

const MAX_PLACES = 8;

/**
 * Places of one token in the window: distinct networks, countries outside hosting networks and networks spread
 * over several countries (neither places its user in one), user agents (a request without one names no client,
 * so it is not counted as another).
 */
export function spread(
  geo: Pick<GeoLookup, 'spansCountries'>,
  places: readonly Place[],
): { asns: number; countries: number; agents: number } {
  const asns = new Set<number>();
  const countries = new Set<string>();
  const agents = new Set<number>();
  for (const p of places) {
    asns.add(p.asn);
    if (!p.hosting && p.country.length > 0 && !geo.spansCountries(p.asn)) countries.add(p.country);
    if (p.agent !== NO_AGENT) agents.add(p.agent);
  }
  return { asns: asns.size, countries: countries.size, agents: agents.size };
}

export function confirmedTravel(s: TokenSharingState, t: number): Travel | undefined {
  // A token at one place (most requests) has it as its current place, just updated: the list (two more
  // cache lines, the array and its elements) is not read. After each request `current` is in `places`.
  if (s.placeCount === 1 && s.current !== undefined) return travelOf(s.current, t);
  const places = s.places;
  for (let i = 0; i < places.length; i++) {
    const travel = travelOf(places[i]!, t);
    if (travel !== undefined) return travel;
  }
  return undefined;
}

/** The place's travel once a later request confirmed it (see Place.travel), else undefined. */
function travelOf(p: Place, t: number): Travel | undefined {
  if (p.travel === undefined || p.requests < 2 || t <= p.firstMs) return undefined;
  const moved = p.from !== undefined && twoClients(p, p.from);
  return p.travel.continents === 2 || p.returned || moved ? p.travel : undefined;
}

/**
 * Whether two places are read by two clients: each names one by its user agent, and they differ. A request
 * without a user agent names no client, so it is never the second one (nor, beside another, a different one).
 */
export function twoClients(a: Pick<Place, 'agent'>, b: Pick<Place, 'agent'>): boolean {
  return a.agent !== NO_AGENT && b.agent !== NO_AGENT && a.agent !== b.agent;
}

export function placeOf(
  config: DetectorConfig,
  geo: TravelGeo,
  s: TokenSharingState,
  e: AccessEvent,
  previous: Place | undefined,
): Place {
  const horizon = e.timestampMs - config.sharingWindowMs;
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
      travel: undefined,
    };
    if (previous && locatedMove(geo, previous.asn, e.asn))
      place.travel = impossibleTravel(config, geo, previous, previous.lastMs, place, place.firstMs);
    if (s.places.length >= MAX_PLACES) s.places.shift();
    // Exact size (concat, not push): a first push reserves 17 slots, and most tokens keep one or two places.
    // The first from a literal, whose allocation site V8 can pretenure (concat's result is made young).
    s.places = s.places.length === 0 ? [place] : s.places.concat(place);
    s.placeCount = s.places.length;
  }
  return place;
}

/**
 * A move from one country to another sooner than anyone travels between them (evidence of it, or undefined).
 * Within a continent a client may also be a mobile roaming or a home VPN, so there callers ask for another
 * client (another user agent, or sessions going on at once) as well. A place in a hosting network moves nobody,
 * and neither does a move within one network between its exits in two countries (a VPN the hosting list does
 * not know), nor one between two networks that both place nobody (each placed on several continents: a VPN
 * reader changing providers): only a move between two networks, one of them placed, can be a journey. Within a
 * continent a network spread over several countries places nobody either (a regional operator's mobile pool
 * registered in a neighbouring country, a phone going between it and home Wi-Fi). A token's own moves ask more
 * (locatedMove).
 */
export function impossibleTravel(
  config: DetectorConfig,
  geo: TravelGeo,
  from: Whereabouts,
  leftMs: number,
  to: Whereabouts,
  arrivedMs: number,
): Travel | undefined {
  if (from.hosting || to.hosting || from.asn === to.asn) return undefined;
  if (geo.spansContinents(from.asn) && geo.spansContinents(to.asn)) return undefined;
  if (from.country === '' || to.country === '' || from.country === to.country) return undefined;
  const gapMs = arrivedMs - leftMs;
  const sameContinent = geo.continent(from.country) === geo.continent(to.country);
  // Within a continent, a network spread over its countries places nobody in one of them (a regional carrier).
  if (sameContinent && (geo.spansCountries(from.asn) || geo.spansCountries(to.asn))) return undefined;
  const minMs = sameContinent ? config.minTravelSameContinentMs : config.minTravelOtherContinentMs;
  if (gapMs >= minMs) return undefined;
  return {
    from: from.country,
    to: to.country,
    gapSeconds: Math.round(gapMs / 1000),
    minSeconds: minMs / 1000,
    continents: sameContinent ? 1 : 2,
  };
}

/**
 * Whether a token's move between two networks can be a journey: neither is placed on several continents by
 * geolocation (a mobile operator's pools registered abroad, a satellite, a VPN the hosting list does not know),
 * whose addresses place nobody. Between tokens of an account such a place still counts, as context observed
 * (account-devices.ts): a sharing ring's homes may be on such networks too.
 */
export function locatedMove(
  geo: Pick<GeoLookup, 'spansContinents'>,
  fromAsn: number,
  toAsn: number,
): boolean {
  return !geo.spansContinents(fromAsn) && !geo.spansContinents(toAsn);
}

/** The agent hash of a request without a user agent: it names no client. */
const NO_AGENT = hashPath('') | 0;

/** Hash of the request's user agent (decoded once per token or place, never per request). */
function agentHashOf(e: AccessEvent): number {
  return hashPath(e.record.userAgent) | 0;
}
