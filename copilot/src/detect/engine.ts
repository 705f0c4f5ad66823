/**
 * The abuse detectors behind one call per log record: enrich the record (edge token claims, country, ASN,
 * network), hand it to each detector, collect detections. Pure and event-time driven: replaying a file gives
 * the same detections as watching it live. Memory follows the active tokens, accounts and IPs.
 */
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { type GeoLookup, networkOf } from '../geo/ip-geo.ts';
import { isPublicPath } from './crawlers.ts';
import { type DetectorConfig, type DetectorOptions, detectorConfig } from './config.ts';
import {
  type AccountScrapeState,
  AccountScrapingDetector,
  newAccountScrapeState,
} from './account-scraping.ts';
import { hashPath } from './asset-path.ts';
import { hasExtraParams, refusalOf, tokenClaimsOf } from './edge-token.ts';
import { GeoSpikeDetector } from './geo-spike.ts';
import { newScrapeState, type ScrapeState, ScrapingDetector } from './scraping.ts';
import { SubjectTable } from './subject-table.ts';
import { newTokenSharingState, TokenSharingDetector, type TokenSharingState } from './token-sharing.ts';
import type { AccessEvent, Detection } from './types.ts';

/** Everything known about one active token, behind a single lookup per request. */
interface TokenSubject {
  lastSeenMs: number;
  /** The account's scraping state, resolved once when the token appears. */
  account: AccountScrapeState | undefined;
  sharing: TokenSharingState;
}

/** One active client address: its geolocation (looked up once per episode) and its scraping state. */
interface IpSubject {
  lastSeenMs: number;
  network: string;
  networkHash: number;
  country: string;
  asn: number;
  scraping: ScrapeState;
}

export class AbuseDetectors {
  readonly config: DetectorConfig;
  private readonly sharing: TokenSharingDetector;
  private readonly scraping: ScrapingDetector;
  private readonly geoSpikes: GeoSpikeDetector;
  private readonly tokens: SubjectTable<TokenSubject>;
  private readonly ips: SubjectTable<IpSubject>;
  private readonly accounts: SubjectTable<AccountScrapeState>;
  private readonly accountScraping: AccountScrapingDetector;
  private readonly counts = { token_sharing: 0, scraping: 0, geo_spike: 0 };
  records = 0;

  constructor(
    private readonly geo: GeoLookup,
    options: DetectorOptions = {},
  ) {
    this.config = detectorConfig(options);
    this.sharing = new TokenSharingDetector(this.config, geo);
    this.scraping = new ScrapingDetector(this.config);
    this.geoSpikes = new GeoSpikeDetector(this.config);
    this.tokens = new SubjectTable(this.config.idleMs, (_k, t) => ({
      lastSeenMs: t,
      account: undefined,
      sharing: newTokenSharingState(t),
    }));
    this.accounts = new SubjectTable(this.config.idleMs, (_k, t) => newAccountScrapeState(t));
    this.accountScraping = new AccountScrapingDetector(this.config);
    this.ips = new SubjectTable(this.config.idleMs, (ip, t) => ({
      lastSeenMs: t,
      network: networkOf(ip),
      networkHash: hashPath(networkOf(ip)),
      country: this.geo.country(ip),
      asn: this.geo.asn(ip),
      scraping: newScrapeState(t),
    }));
  }

  /** Detections by kind so far. */
  get detectionCounts(): Readonly<Record<Detection['kind'], number>> {
    return this.counts;
  }

  get activeSubjects(): number {
    return this.tokens.size + this.sharing.activeAccounts + this.accounts.size + this.ips.size;
  }

  /** Feeds one record; appends any detections it triggers to `out` and returns how many. */
  observe(record: EdgeLogRecord, out: Detection[]): number {
    this.records++;
    const before = out.length;
    const ip = this.ips.get(record.clientIp, record.timestampMs);
    ip.lastSeenMs = record.timestampMs;
    const event = this.enrich(record, ip);
    if (event.tokenId.length > 0) {
      const token = this.tokens.get(event.tokenId, event.timestampMs);
      token.lastSeenMs = event.timestampMs;
      this.sharing.observe(event, token.sharing, out);
      if (event.accountId.length > 0) {
        // Tokens live for one reading session, so the account table is consulted per session, not per request.
        if (
          token.account === undefined ||
          event.timestampMs - token.account.lastSeenMs > this.config.idleMs
        ) {
          // Keyed by account and device: a scraper walks titles on one device, a shared account spreads them.
          token.account = this.accounts.get(`${event.accountId}|${event.deviceHash}`, event.timestampMs);
        }
        this.accountScraping.observe(event, token.account, out);
      }
    }
    this.scraping.observeIp(event, ip.scraping, out);
    this.geoSpikes.observe(event, ip.scraping.thisMinute, out);
    for (let i = before; i < out.length; i++) this.counts[out[i]!.kind]++;
    return out.length - before;
  }

  /** Detectors copy what they keep, so one event object is refilled for every record (no garbage). */
  private readonly event: AccessEvent = {
    timestampMs: 0,
    ip: '',
    network: '',
    networkHash: 0,
    country: '',
    asn: 0,
    tokenId: '',
    accountId: '',
    deviceHash: '',
    uriStem: '',
    status: 0,
    query: '',
    edgeResultType: '',
    extraParams: false,
    record: undefined as unknown as EdgeLogRecord,
    refusal: '',
  };

  private enrich(r: EdgeLogRecord, facts: IpSubject): AccessEvent {
    const claims = tokenClaimsOf(r.query);
    const e = this.event;
    e.timestampMs = r.timestampMs;
    e.ip = r.clientIp;
    e.network = facts.network;
    e.networkHash = facts.networkHash;
    e.country = facts.country;
    e.asn = facts.asn;
    e.tokenId = claims?.tokenId ?? '';
    e.accountId = claims?.accountId ?? '';
    e.deviceHash = claims?.deviceHash ?? '';
    e.uriStem = r.uriStem;
    e.extraParams = hasExtraParams(r.query);
    e.status = r.status;
    e.query = r.query;
    e.edgeResultType = r.edgeResultType;
    e.record = r;
    e.refusal =
      r.status === 403 && !isPublicPath(r.uriStem) ? refusalOf(claims, r.uriStem, r.timestampMs) : '';
    return e;
  }
}

/** Runs the detectors over records in order and returns every detection (for tests and small inputs). */
export function detectAll(
  records: Iterable<EdgeLogRecord>,
  geo: GeoLookup,
  options?: DetectorOptions,
): Detection[] {
  const detectors = new AbuseDetectors(geo, options);
  const out: Detection[] = [];
  for (const record of records) detectors.observe(record, out);
  return out;
}
