/**
 * Token sharing: one token used by several clients in several places at once, a token crossing continents
 * faster than anyone travels, the edge refusing a copied token on another device (403), an account running
 * more devices than its limit, or one device identity reading in several homes at once. Judged per token and
 * per account, never per IP: many readers behind one campus or carrier NAT address is normal. One client
 * moving (a phone between Wi-Fi and mobile data, a commuter, a VPN switched on) keeps its user agent and
 * leaves its last place; only several clients, several countries at once or impossible travel between homes
 * count, and places in hosting networks (VPN exits) never make a country change.
 */
import { DAY_MS } from '@boundless/common/time';
import {
  type AccountState,
  accountTravel,
  deviceRoamingHomes,
  activeDevices,
  newAccountState,
  rememberDevice,
  sameDeviceElsewhere,
} from './account-devices.ts';
import type { DetectorConfig } from './config.ts';
import { lookAgainOnNextRequest, secondPersonGlimpse, sharingGlimpse } from './account-glimpse.ts';
import { type AtOnce, countriesAtOnce } from './account-places.ts';
import { ByteSubjectTable } from './byte-subject-table.ts';
import { type Evidence, evidenceSummary } from './evidence.ts';
import {
  confirmedTravel,
  placeOf,
  spread,
  TOKEN_FIRED,
  type TokenSharingState,
  type TravelGeo,
  tokenFired,
} from './token-places.ts';
import { writeAscii } from './line-token.ts';
import { type AccessEvent, type Detection, isoTime, ownString } from './types.ts';

const MAX_ACCOUNT_TOKENS = 32;

const HALF_DAY_MS = DAY_MS / 2;
/** One device's sessions one after the other in countries too far apart: worth a look, not an action. */
const TRAVEL_APART = 0.6;
/** Scores at which a reported account is reported again (the account policies' bars). */
const ESCALATION_BARS = [0.7, 0.85] as const;
const LAST_BAR = Math.max(...ESCALATION_BARS);
/** One device's sessions in turn in several homes, going back to them (deviceRoamingHomes): worth a look. */
const ROAMING = 0.6;
/** Times an account must be found read in two countries at once before that is kept up, not a hand-over. */
const KEPT_UP_TIMES = 3;

/**
 * The places family of an account: one device identity in several homes; the account read in three or more
 * countries at once, kept up (no household member abroad adds a third); in two, kept up (a household with a
 * member abroad shows that too: worth a look, not an action).
 */
function placesEvidence(
  config: DetectorConfig,
  elsewhere: number,
  atOnce: AtOnce,
  roaming: number,
): Evidence | undefined {
  if (elsewhere >= 2) return { family: 'places', strength: 0.85, signals: ['one_device_in_several_homes'] };
  const inTurn: Evidence | undefined =
    roaming > 0 ? { family: 'places', strength: ROAMING, signals: ['one_device_homes_in_turn'] } : undefined;
  if (atOnce.countries < 2) return inTurn;
  // Kept up: found again, or two readings going on together for longer than the sharing window.
  if (atOnce.times < KEPT_UP_TIMES && atOnce.overlapMs < config.sharingWindowMs) return inTurn;
  return {
    family: 'places',
    strength: atOnce.countries >= 3 ? 0.85 : 0.6,
    signals: ['countries_at_once'],
  };
}

export class TokenSharingDetector {
  /** By the account id's UTF-8 bytes; held by tokens in between, so idle on the state's own last-seen time. */
  private readonly accounts: ByteSubjectTable<AccountState>;
  private accountKey = Buffer.allocUnsafe(256);

  constructor(
    private readonly config: DetectorConfig,
    private readonly geo: TravelGeo,
  ) {
    // Accounts are looked at a few times per session, so they must outlive a session's silence and the travel
    // window; a sharing ring reads through the day, so its account is kept half a day.
    const accountIdleMs = Math.max(config.idleMs, config.minTravelOtherContinentMs, HALF_DAY_MS);
    this.accounts = new ByteSubjectTable<AccountState>(
      accountIdleMs,
      (_buf, _start, _end, t) => newAccountState(t),
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
    const place = placeOf(this.config, this.geo, s, e, previous);
    if (previous !== undefined && previous !== place && place.requests > 0) {
      // Returning to a place left moments ago: two clients interleaving, or one flapping between networks. Within
      // one operator it is one subscriber: a dual-stack device between its IPv4 and IPv6 addresses, a carrier's pool.
      if (previous.asn !== place.asn) {
        if (t - s.lastAlternationMs > this.config.sharingWindowMs) s.alternations = 0;
        s.alternations++;
        s.lastAlternationMs = t;
      }
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
    if (tokenFired(s) || Math.floor(t / 1000) <= Math.floor(s.firstSeenMs / 1000)) return undefined;
    // Confirmed by a later request (log times have one-second resolution, one stray request proves little),
    // and by another client there or by the token going back: someone is in both places.
    const travel = confirmedTravel(s, t);
    // Most requests come from the token's only place: nothing to judge, nothing to allocate.
    if (travel === undefined && s.placeCount < 2 && s.forbidden < this.config.forbiddenPerToken)
      return undefined;
    const { asns, countries, agents } = spread(this.geo, s.places);
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
    s.tokenFlags |= TOKEN_FIRED;
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
      // Exact size (concat, not push): accounts are many and most have a few tokens. The first from a literal,
      // whose allocation site V8 can pretenure (concat's result is made in the young generation).
      tokens = tokens.length === 0 ? [token] : tokens.concat(token);
      if (tokens.length > MAX_ACCOUNT_TOKENS) tokens.shift();
      s.tokens = tokens;
    }
    const dayDevices = rememberDevice(s, token, t);
    // Almost every account has few devices, one country and no travel: decide that without building any set.
    const travel = accountTravel(this.config, this.geo, s, token);
    const elsewhere = sameDeviceElsewhere(this.config, s, token, t);
    const atOnce = countriesAtOnce(this.config, s, tokens, t);
    const roaming = deviceRoamingHomes(s, token, t);
    const limit = this.config.deviceLimit;
    const possibleFamilies =
      (travel === undefined ? 0 : 1) +
      (elsewhere >= 2 || atOnce.countries >= 2 || roaming > 0 ? 1 : 0) +
      (dayDevices > limit || activeDevices(tokens, t, window) > limit ? 1 : 0);
    if (possibleFamilies === 0) return this.glimpse(e, s, token, atOnce);
    // Reported past the last bar with as many families as could agree now: nothing to report again either.
    if (s.reportedScore >= LAST_BAR && s.reportedCorroboration >= possibleFamilies) return undefined;
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
    if (devices.size > limit && (asns.size >= 2 || countries.size >= 2)) {
      evidence.push({
        family: 'devices',
        strength: devices.size > limit + 1 ? 0.9 : 0.8,
        signals: ['devices_over_limit'],
      });
    } else if (dayDevices > limit && new Set(s.dayDeviceAsn).size >= 2) {
      evidence.push({
        family: 'devices',
        strength: dayDevices > limit + 1 ? 0.8 : 0.7,
        signals: ['devices_over_limit_in_a_day'],
      });
    }
    // One device reading in two countries at once is doubled; one after the other, or listening in one while
    // reading in the other, it may be a VPN exit the hosting list does not know (context, observed, until
    // another family agrees). So may two countries of one continent at once: VPN exits, a border commuter's
    // home network and roaming carrier, a company's exits in neighbouring countries, and addresses placed in
    // a neighbour's country by geolocation all show it. Across continents, at once, nobody is in both.
    if (travel) {
      evidence.push({
        family: 'travel',
        strength: travel.atOnce && travel.continents === 2 ? 0.85 : TRAVEL_APART,
        signals: ['impossible_travel'],
      });
    }
    const placesAtOnce = placesEvidence(this.config, elsewhere, atOnce, roaming);
    if (placesAtOnce) evidence.push(placesAtOnce);
    if (evidence.length === 0) return this.glimpse(e, s, token, atOnce);
    const summary = evidenceSummary(evidence);
    // Reported once, and again when the evidence grows: past a policy's bar, or another family agreeing at no
    // lower a score (a re-report never lightens the response already taken).
    const crossed = ESCALATION_BARS.some((bar) => s.reportedScore < bar && summary.score >= bar);
    const first = s.reportedScore === 0;
    const agreed = summary.corroboration > s.reportedCorroboration && summary.score >= s.reportedScore;
    if (!first && !crossed && !agreed) return undefined;
    s.reportedScore = Math.max(s.reportedScore, summary.score);
    s.reportedCorroboration = Math.max(s.reportedCorroboration, summary.corroboration);
    return this.accountFinding(e, s, evidence, summary, {
      ...(travel ? { travel } : {}),
      activeDevices: devices.size,
      devicesInADay: dayDevices,
      deviceLimit: this.config.deviceLimit,
      asns: [...asns],
      countries: [...countries],
      ...(atOnce.countries >= 2 ? { atOnce } : {}),
      ...(roaming > 0 ? { homesInTurn: roaming } : {}),
      windowSeconds: window / 1000,
      ...(first ? {} : { escalated: true }),
    });
  }

  /**
   * A glimpse (account-glimpse.ts), once, on an account with no finding yet: observed, for a person to look
   * at, with its score under every policy's bar; the findings proper come as before.
   */
  private glimpse(
    e: AccessEvent,
    s: AccountState,
    token: TokenSharingState,
    atOnce: AtOnce,
  ): Detection | undefined {
    if (s.reportedScore > 0) return undefined;
    const atOnceGlimpse = sharingGlimpse(this.config, this.geo, s, token, atOnce);
    // Two countries at once, a hand-over so far: whether the first reading goes on shows on its next request,
    // which may come long before its next scheduled look at the account (the 16th, the 32nd ...). Also after a
    // second person's glimpse: the findings proper wait on that look as before.
    if (atOnceGlimpse === undefined && atOnce.countries >= 2) lookAgainOnNextRequest(s.atOnce);
    if (s.glimpsed) return undefined;
    const glimpse = atOnceGlimpse ?? secondPersonGlimpse(this.config, this.geo, s, token);
    if (glimpse === undefined) return undefined;
    s.glimpsed = true;
    // A token of the account already found (its own finding, a copied or travelling grant): the glimpse would
    // repeat it weaker, after it. Asked only here, when a glimpse is due, so the usual look costs nothing more.
    if (tokenFired(token) || s.tokens.some(tokenFired)) return undefined;
    const evidence = [glimpse.evidence];
    return this.accountFinding(e, s, evidence, evidenceSummary(evidence), {
      ...(glimpse.travel ? { travel: glimpse.travel } : {}),
      ...(atOnce.countries >= 2 ? { atOnce } : {}),
      glimpse: true,
    });
  }

  /** An account's finding, observed until a policy says otherwise, with what is particular to it after the common fields. */
  private accountFinding(
    e: AccessEvent,
    s: AccountState,
    evidence: readonly Evidence[],
    summary: ReturnType<typeof evidenceSummary>,
    details: Record<string, unknown>,
  ): Detection {
    return {
      kind: 'token_sharing',
      subject: { accountId: e.accountId },
      firstSeen: isoTime(s.firstSeenMs),
      detectedAt: isoTime(e.timestampMs),
      score: summary.score,
      evidence: {
        behaviours: ['token_sharing'],
        reasons: evidence.flatMap((x) => x.signals),
        score: summary.score,
        corroboration: summary.corroboration,
        families: summary.families,
        ...details,
      },
      mitigation: 'observe',
    };
  }

  /** The account id's UTF-8 bytes into accountKey; returns their length. */
  private encodeAccount(accountId: string): number {
    if (accountId.length * 3 > this.accountKey.length)
      this.accountKey = Buffer.allocUnsafe(accountId.length * 3);
    const n = writeAscii(this.accountKey, 0, accountId);
    return n >= 0 ? n : this.accountKey.write(accountId, 0, 'utf8');
  }
}
