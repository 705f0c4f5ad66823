/**
 * A glimpse of sharing: what an account shows in the minutes when a second person first appears, before any
 * family of sharing evidence is established. Two devices of the account reading in two countries at the same
 * time (not yet kept up: a household with a member abroad does it too), or one device identity reading in
 * another country minutes after its last request elsewhere, too soon for any journey (within a continent
 * also what a VPN exit missing from the hosting list shows). Each is worth a look, never an action: the glimpse
 * is reported once, observed, on an account with no finding yet, and the findings proper follow as before.
 */
import type { GeoLookup } from '../geo/ip-geo.ts';
import { type AccountState, deviceTravel } from './account-devices.ts';
import type { AtOnce } from './account-places.ts';
import type { DetectorConfig } from './config.ts';
import type { Evidence } from './evidence.ts';
import type { TokenSharingState, Travel } from './token-places.ts';

/** Strength of a glimpse's evidence: context, under corroboration and under every policy's bar. */
const GLIMPSE = 0.3;
/**
 * How long the first of two devices in two countries must have read on after the other began: its last page
 * landing as the other's first opens is a hand-over (a traveller leaving a tablet home), not two people at once.
 * Half a minute: longer than a page in flight and the log's one-second steps, shorter than a page's reading.
 */
const READ_ON_MS = 30_000;

interface Glimpse {
  evidence: Evidence;
  travel?: Travel;
}

/**
 * The same device identity reading in another country (outside hosting networks) within the sharing window
 * of its last request there: nobody travels between countries in minutes.
 */
function deviceHop(
  config: DetectorConfig,
  geo: Pick<GeoLookup, 'continent'>,
  s: AccountState,
  token: TokenSharingState,
): Travel | undefined {
  for (const other of s.tokens) {
    if (token.firstSeenMs - Math.min(other.lastSeenMs, token.firstSeenMs) > config.sharingWindowMs) continue;
    const travel = deviceTravel(config, geo, token, other);
    if (travel !== undefined) return travel;
  }
  return undefined;
}

/** The account's glimpse now, if any (asked only while the account has neither a finding nor a glimpse). */
export function sharingGlimpse(
  config: DetectorConfig,
  geo: Pick<GeoLookup, 'continent'>,
  s: AccountState,
  token: TokenSharingState,
  atOnce: AtOnce,
): Glimpse | undefined {
  if (atOnce.countries >= 2 && atOnce.readOnMs >= READ_ON_MS) {
    return { evidence: { family: 'places', strength: GLIMPSE, signals: ['countries_at_once'] } };
  }
  const travel = deviceHop(config, geo, s, token);
  if (travel === undefined) return undefined;
  return { evidence: { family: 'travel', strength: GLIMPSE, signals: ['impossible_travel'] }, travel };
}

/** Has each token look at its account again on its next request (then on its usual doubling schedule). */
export function lookAgainOnNextRequest(tokens: readonly TokenSharingState[]): void {
  for (const token of tokens) token.nextAccountCheck = Math.min(token.nextAccountCheck, token.requests + 1);
}
