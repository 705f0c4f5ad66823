/**
 * A glimpse of sharing: what an account shows in the minutes when a second person first appears, before any
 * family of sharing evidence is established. Two devices of the account reading in two countries at the same
 * time (not yet kept up: a household with a member abroad does it too), or one device identity reading in
 * another country minutes after its last request elsewhere, too soon for any journey (within a continent
 * also what a VPN exit missing from the hosting list shows), or a second person at their first pages (another
 * device reading abroad too soon after the account's last page elsewhere; one device identity read by two clients
 * from two networks at once). Each is worth a look, never an action: the glimpse
 * is reported once, observed, on an account with no finding yet, and the findings proper follow as before.
 */
import { type AccountState, deviceInTwoClients, deviceTravel, otherDeviceApart } from './account-devices.ts';
import type { AtOnce } from './account-places.ts';
import type { DetectorConfig } from './config.ts';
import type { Evidence } from './evidence.ts';
import type { TokenSharingState, Travel, TravelGeo } from './token-places.ts';

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
  geo: TravelGeo,
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
  geo: TravelGeo,
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

/**
 * A second person at their first pages: two devices of the account in two countries, one reading too soon after
 * (or while) the other read for anyone to travel between them, where the glimpse of two countries at once waits
 * for the first reading to go on; or one device identity read by two clients from two networks at once, though
 * all in one carrier.
 */
export function secondPersonGlimpse(
  config: DetectorConfig,
  geo: TravelGeo,
  s: AccountState,
  token: TokenSharingState,
): Glimpse | undefined {
  const travel = otherDeviceApart(config, geo, s, token);
  if (travel !== undefined) {
    return { evidence: { family: 'places', strength: GLIMPSE, signals: ['devices_apart'] }, travel };
  }
  if (!deviceInTwoClients(s, token, token.lastSeenMs)) return undefined;
  return { evidence: { family: 'places', strength: GLIMPSE, signals: ['one_device_two_clients'] } };
}

/** Has each token look at its account again on its next request (then on its usual doubling schedule). */
export function lookAgainOnNextRequest(tokens: readonly TokenSharingState[]): void {
  for (const token of tokens) token.nextAccountCheck = Math.min(token.nextAccountCheck, token.requests + 1);
}
