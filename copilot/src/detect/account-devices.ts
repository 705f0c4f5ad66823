/** An account's tokens and devices over the last day, and one device identity seen in two places at once. */
import { DAY_MS } from '@boundless/common/time';
import type { DetectorConfig } from './config.ts';
import {
  impossibleTravel,
  locatedMove,
  type TokenSharingState,
  type Travel,
  type TravelGeo,
  twoClients,
} from './token-places.ts';

export interface AccountState {
  firstSeenMs: number;
  lastSeenMs: number;
  /** The account's recent tokens: one per (device, title) reading session. */
  tokens: TokenSharingState[];
  /** Devices seen in the last day (hash, last time, the network it first read from), up to MAX_DAY_DEVICES. */
  dayDevices: string[];
  dayDeviceSeen: number[];
  dayDeviceAsn: number[];
  /** Tokens found read at once with another country (account-places.ts), up to a few. */
  atOnce: readonly TokenSharingState[];
  /** Score and corroboration of the account's last finding (0 and 0 before any): it is reported again only on more. */
  reportedScore: number;
  reportedCorroboration: number;
  /** Whether the account was glimpsed (account-glimpse.ts): at most once, and only before any finding. */
  glimpsed: boolean;
  /**
   * The first pair of one device's tokens found going on at once in two countries: one person's, once; another
   * pair later is two people keeping it up.
   */
  beside: { readonly first: TokenSharingState; readonly second: TokenSharingState } | undefined;
}

/** Shared by every account never read at once in two countries (replaced, never written, when one is). */
const NOT_AT_ONCE: readonly TokenSharingState[] = Object.freeze([]);

/** An account first seen at `t`, with nothing yet remembered or reported. */
export function newAccountState(t: number): AccountState {
  return {
    firstSeenMs: t,
    lastSeenMs: t,
    tokens: [],
    dayDevices: [],
    dayDeviceSeen: [],
    dayDeviceAsn: [],
    atOnce: NOT_AT_ONCE,
    reportedScore: 0,
    reportedCorroboration: 0,
    glimpsed: false,
    beside: undefined,
  };
}

const MAX_DAY_DEVICES = 16;

/** Distinct non-empty device hashes among the tokens active within `window` of t. */
export function activeDevices(tokens: readonly TokenSharingState[], t: number, window: number): number {
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

/** Remembers the token's device for a day; returns the devices the account used in the last day. */
export function rememberDevice(s: AccountState, token: TokenSharingState, t: number): number {
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
    // Exact size (concat, not push): most accounts use one or two devices a day. The first from an array
    // literal, whose allocation site V8 can pretenure (concat's result is made in the young generation).
    const asn = token.places[0]?.asn ?? 0;
    const first = s.dayDevices.length === 0;
    s.dayDevices = first ? [device] : s.dayDevices.concat(device);
    s.dayDeviceSeen = first ? [t] : s.dayDeviceSeen.concat(t);
    s.dayDeviceAsn = first ? [asn] : s.dayDeviceAsn.concat(asn);
    n++;
  }
  return n;
}

/** Networks of one country one client may read through at once: a phone's Wi-Fi and its mobile data, a campus's upstreams. */
const ONE_CLIENTS_NETWORKS = 3;
/** Another client or country reading within this of the request: the device in two places at once. */
const AT_ONCE_MS = 2 * 60_000;

/**
 * Other places where the same device identity (account and device id) reads right now, with another client
 * or from another country: a device is in one home at a time, so spoofed ids show as several. The same client
 * in the same country through other networks is a phone between Wi-Fi and data, up to a few at once; beyond
 * that it is one device id copied into several homes. Copies each read at a person's pace, a chapter every few
 * minutes, so few of them show a request within minutes of each other: another network of the same client
 * counts while both are going on (read after this place began, within the sharing window). A commuter's
 * networks follow one another, and a phone's Wi-Fi and mobile data are two. A request without a user agent
 * names no client, so it may be the same one.
 */
export function sameDeviceElsewhere(
  config: DetectorConfig,
  s: AccountState,
  token: TokenSharingState,
  t: number,
): number {
  const here = token.current;
  if (here === undefined || here.hosting || token.deviceHash.length === 0) return 0;
  const seen: string[] = [];
  const near: number[] = [];
  for (const other of s.tokens) {
    if (other === token || other.deviceHash !== token.deviceHash) continue;
    const there = other.current;
    const age = t - other.lastSeenMs;
    if (there === undefined || there.hosting || age > config.sharingWindowMs) continue;
    if (there.asn === here.asn) continue;
    if (!twoClients(here, there) && there.country === here.country) {
      if (there.lastMs > here.firstMs && !near.includes(there.asn)) near.push(there.asn);
    } else if (age <= AT_ONCE_MS && !seen.includes(there.network)) seen.push(there.network);
  }
  return near.length >= ONE_CLIENTS_NETWORKS ? seen.length + near.length : seen.length;
}

/** A device's homes are counted over this span: a ring's members take turns within hours. */
const ROAMING_WINDOW_MS = 2 * 3_600_000;
/** Homes one device may read from in that span (home, office, a friend's), and homes it may go back to. */
const ROAMING_HOMES = 3;
const ROAMING_RETURNS = 1;
/** Sessions the least such turns take: each home once, and a visit more to each home gone back to. */
const ROAMING_SESSIONS = ROAMING_HOMES + 1 + ROAMING_RETURNS + 1;

/**
 * One device identity reading in turns from several homes and going back to them: the sessions of the device
 * over the last two hours, in order, each at the home (network) where it began. Copies of one device id in a
 * ring's homes take turns, each going back to its own home again and again, while no member's sessions need
 * overlap (short ones, a comic's pages, rarely do: sameDeviceElsewhere waits for that). One person's phone goes
 * from home to an office or a friend's and back: three homes, going back to one or two of them. More homes than
 * that, and more than one gone back to, are copies. A home is a network, wherever geolocation places it (a
 * carrier's pool is one: its addresses change, its network does not); a hosting network's exits are no home (a
 * VPN reader's provider). Worth a look (observed) until another family agrees.
 */
export function deviceRoamingHomes(s: AccountState, token: TokenSharingState, t: number): number {
  // Most accounts hold a few tokens: nothing to count, nothing made.
  if (token.deviceHash.length === 0 || s.tokens.length < ROAMING_SESSIONS) return 0;
  const homes: number[] = [];
  const visits: number[] = [];
  let last = -1;
  let lastStart = -Infinity;
  // Tokens are kept in the order they first appeared: a run of sessions at one home is one visit.
  for (const other of s.tokens) {
    if (other.deviceHash !== token.deviceHash || t - other.lastSeenMs > ROAMING_WINDOW_MS) continue;
    const home = other.places[0];
    if (home === undefined || home.hosting) continue;
    if (other.firstSeenMs < lastStart) continue;
    lastStart = other.firstSeenMs;
    if (home.asn === last) continue;
    last = home.asn;
    const at = homes.indexOf(home.asn);
    if (at < 0) {
      homes.push(home.asn);
      visits.push(1);
    } else visits[at]!++;
  }
  if (homes.length <= ROAMING_HOMES) return 0;
  let returns = 0;
  for (const v of visits) if (v >= 2) returns++;
  return returns > ROAMING_RETURNS ? homes.length : 0;
}

/**
 * The same device identity read right now by another client (another user agent) from another network, in any
 * country or carrier: one device has one client and is in one home at a time, while a phone between Wi-Fi and
 * mobile data keeps its user agent. What copies of one device id in several homes of one carrier show before
 * their networks differ enough for sameDeviceElsewhere: a glimpse, never an action.
 */
export function deviceInTwoClients(s: AccountState, token: TokenSharingState, t: number): boolean {
  const here = token.current;
  if (here === undefined || here.hosting || token.deviceHash.length === 0) return false;
  for (const other of s.tokens) {
    if (other === token || other.deviceHash !== token.deviceHash || t - other.lastSeenMs > AT_ONCE_MS)
      continue;
    const there = other.current;
    if (there === undefined || there.hosting) continue;
    if (twoClients(here, there) && there.network !== here.network) return true;
  }
  return false;
}

/**
 * The same device identity reading in one country while it is reading in another: the account's own device
 * cannot travel that fast, and it is in one place at a time. `atOnce` says whether both sessions were going
 * on (the other still reading after this one began): only then is the device doubled. One device's sessions
 * one after another in two countries is also what a VPN exit missing from the hosting list shows, switched on
 * between sessions; it moves a device, it does not double it. So is one person behind two exits at once, a
 * player beside a reading or two titles read by turns (once: see firstPairAtOnce); two people on one device id
 * keep it up. Other devices of the account may be abroad: a household.
 */
export function accountTravel(
  config: DetectorConfig,
  geo: TravelGeo,
  s: AccountState,
  token: TokenSharingState,
): (Travel & { atOnce: boolean }) | undefined {
  let apart: (Travel & { atOnce: boolean }) | undefined;
  for (const other of s.tokens) {
    const travel = deviceTravel(config, geo, token, other);
    if (travel === undefined) continue;
    const overlap = other.lastSeenMs > token.firstSeenMs && token.lastSeenMs > other.firstSeenMs;
    // At once with one side on a network placed on several continents, the device may be one phone on Wi-Fi and
    // on an operator registered abroad: worth a look (below), never doubled. (A travel has both places.)
    const doubled = overlap && locatedMove(geo, other.current!.asn, token.places[0]!.asn);
    if (doubled && !firstPairAtOnce(s, token, other)) return { ...travel, atOnce: true };
    // Across continents a gap too short for the flight is worth a look; within one, a VPN or roaming.
    if (travel.continents === 2) apart ??= { ...travel, atOnce: false };
  }
  return apart;
}

/**
 * Whether two tokens of one device going on at once in two countries are the account's first such pair: one
 * person behind two exits, once (a player streaming beside a reading, or two titles read by turns, each through
 * its own exit). A second pair is two people keeping it up: remembered.
 */
function firstPairAtOnce(s: AccountState, token: TokenSharingState, other: TokenSharingState): boolean {
  // One field, made once (accounts are many).
  s.beside ??= { first: other, second: token };
  const { first, second } = s.beside;
  return (first === other && second === token) || (first === token && second === other);
}

/**
 * The journey from `other`'s place to the token's first one when both carry the same device identity, outside
 * hosting networks, in two countries, too fast for anyone (from `other`'s last request, or at once).
 */
export function deviceTravel(
  config: DetectorConfig,
  geo: TravelGeo,
  token: TokenSharingState,
  other: TokenSharingState,
): Travel | undefined {
  // A token without a device claim is a device of its own: it never travels with another token.
  if (token.deviceHash.length === 0 || other === token || other.deviceHash !== token.deviceHash)
    return undefined;
  return journey(config, geo, token, other);
}

/**
 * Another device of the account reading in another country (outside hosting networks) sooner before the token's
 * first request than anyone travels between the two, or while it reads: two people, one in each place. One
 * person carries their devices along (a traveller's tablet left at home stays silent until they are back), so
 * only a second person reads the other one; that person may be a household member abroad, so this is worth a
 * look (a glimpse), never an action. A token without a device claim is a device of its own (as in account-places.ts).
 */
export function otherDeviceApart(
  config: DetectorConfig,
  geo: TravelGeo,
  s: AccountState,
  token: TokenSharingState,
): Travel | undefined {
  for (const other of s.tokens) {
    if (other === token || (token.deviceHash.length > 0 && other.deviceHash === token.deviceHash)) continue;
    const travel = journey(config, geo, token, other);
    if (travel !== undefined) return travel;
  }
  return undefined;
}

/**
 * From `other`'s place to the token's first one, both outside hosting networks, in two countries and on two
 * networks, sooner than anyone travels (from `other`'s last request, or at once when it read on after the token began).
 */
function journey(
  config: DetectorConfig,
  geo: TravelGeo,
  token: TokenSharingState,
  other: TokenSharingState,
): Travel | undefined {
  const here = token.places[0];
  const there = other.current;
  if (here === undefined || there === undefined) return undefined;
  const left = Math.min(other.lastSeenMs, token.firstSeenMs);
  return impossibleTravel(config, geo, there, left, here, token.firstSeenMs);
}
