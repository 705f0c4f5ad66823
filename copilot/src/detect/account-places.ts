/**
 * One account read in several countries at the same time: the account-level half of the places family. A
 * sharing ring or credentials handed abroad give each person a device of their own, so no single device ever
 * travels; what no household shows is the account kept up in distant places at once, time after time.
 */
import type { AccountState } from './account-devices.ts';
import type { DetectorConfig } from './config.ts';
import type { TokenSharingState } from './token-places.ts';

/** Tokens remembered as having been read at once with another country (enough to judge persistence). */
const MAX_AT_ONCE_TOKENS = 8;

/** What the account's recent tokens show at the time of a check. */
export interface AtOnce {
  /** Countries (outside hosting networks) read at overlapping times with another country, now. */
  countries: number;
  /** Devices among those readings. */
  devices: number;
  /**
   * Distinct tokens found read at once with another country while the account is kept (at most eight; never
   * forgotten before the account is): each is another time it happened. Read only when `countries` ≥ 2.
   */
  times: number;
  /** The longest time two of those readings went on together, now (0 for a hand-over). */
  overlapMs: number;
  /**
   * The longest time the first of two of those readings went on after the other began (a hand-over: none). The
   * other may not have been seen since its first pages: each request is one page, and a page takes minutes.
   */
  readOnMs: number;
}

const NONE: AtOnce = { countries: 0, devices: 0, times: 0, overlapMs: 0, readOnMs: 0 };

/** The country a token reads from, or '' when unknown or through a hosting network (a VPN exit, a server). */
function countryOf(token: TokenSharingState): string {
  const place = token.current;
  return place === undefined || place.hosting ? '' : place.country;
}

/** The token's device: its claim, or the token itself when it claims none (an unknown device of its own). */
function deviceOf(token: TokenSharingState): string | TokenSharingState {
  return token.deviceHash.length > 0 ? token.deviceHash : token;
}

/**
 * Whether two tokens in two countries were read at once on separate devices, allowing a hand-over within the
 * sharing window (one stops, the other starts: both people are there). One device in two countries is the
 * travel family's (a VPN switched on between its sessions moves it without doubling it).
 */
function readAtOnce(config: DetectorConfig, a: TokenSharingState, b: TokenSharingState): boolean {
  if (a.deviceHash.length > 0 && a.deviceHash === b.deviceHash) return false;
  const slack = config.sharingWindowMs;
  return a.lastSeenMs + slack > b.firstSeenMs && b.lastSeenMs + slack > a.firstSeenMs;
}

/**
 * Countries and devices of the account read at once among its tokens active within the account window, and
 * how many times (tokens) that has happened so far; remembers the tokens involved on the account.
 */
export function countriesAtOnce(
  config: DetectorConfig,
  s: AccountState,
  tokens: readonly TokenSharingState[],
  t: number,
): AtOnce {
  // Almost every account reads from one country: decide that without allocating.
  let first = '';
  let several = false;
  for (const token of tokens) {
    const country = countryOf(token);
    if (country === '' || t - token.lastSeenMs > config.accountWindowMs) continue;
    if (first === '') first = country;
    else if (country !== first) several = true;
  }
  if (!several) return s.atOnce.length === 0 ? NONE : { ...NONE, times: s.atOnce.length };
  const countries = new Set<string>();
  const devices = new Set<string | TokenSharingState>();
  let overlapMs = 0;
  let readOnMs = 0;
  for (let i = 0; i < tokens.length; i++) {
    const a = tokens[i]!;
    const ca = countryOf(a);
    if (ca === '' || t - a.lastSeenMs > config.accountWindowMs) continue;
    for (let j = i + 1; j < tokens.length; j++) {
      const b = tokens[j]!;
      const cb = countryOf(b);
      if (cb === '' || cb === ca || t - b.lastSeenMs > config.accountWindowMs) continue;
      if (!readAtOnce(config, a, b)) continue;
      countries.add(ca).add(cb);
      const together = Math.min(a.lastSeenMs, b.lastSeenMs) - Math.max(a.firstSeenMs, b.firstSeenMs);
      if (together > overlapMs) overlapMs = together;
      const readOn =
        a.firstSeenMs <= b.firstSeenMs ? a.lastSeenMs - b.firstSeenMs : b.lastSeenMs - a.firstSeenMs;
      if (readOn > readOnMs) readOnMs = readOn;
      devices.add(deviceOf(a)).add(deviceOf(b));
      remember(s, a);
      remember(s, b);
    }
  }
  return { countries: countries.size, devices: devices.size, times: s.atOnce.length, overlapMs, readOnMs };
}

function remember(s: AccountState, token: TokenSharingState): void {
  if (s.atOnce.includes(token)) return;
  if (s.atOnce.length >= MAX_AT_ONCE_TOKENS) return;
  s.atOnce = s.atOnce.length === 0 ? [token] : s.atOnce.concat(token);
}
