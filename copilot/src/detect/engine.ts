/**
 * The abuse detectors behind one call per log record: enrich the record (edge token claims, country, ASN,
 * network), hand it to each detector, collect detections. Pure and event-time driven: replaying a file gives
 * the same detections as watching it live. Memory follows the active tokens, accounts and IPs.
 */
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { type GeoLookup, networkOf } from '../geo/ip-geo.ts';
import { isPublicPath } from './crawlers.ts';
import { type DetectorConfig, type DetectorOptions, detectorConfig } from './config.ts';
import { refusalOf, tokenClaimsOf } from './edge-token.ts';
import { GeoSpikeDetector } from './geo-spike.ts';
import { newScrapeState, type ScrapeState, ScrapingDetector } from './scraping.ts';
import { SubjectTable } from './subject-table.ts';
import { newTokenSharingState, TokenSharingDetector, type TokenSharingState } from './token-sharing.ts';
import { type AccessEvent, type Detection, ownString } from './types.ts';

/** Everything known about one active token, behind a single lookup per request. */
interface TokenSubject {
  lastSeenMs: number;
  sharing: TokenSharingState;
  scraping: ScrapeState;
}

interface IpFacts {
  network: string;
  country: string;
  asn: number;
}

/** Addresses repeat (NAT, sessions): remembering the last few thousand spares most geolocation lookups. */
const IP_CACHE_SIZE = 262_144;

export class AbuseDetectors {
  readonly config: DetectorConfig;
  private readonly sharing: TokenSharingDetector;
  private readonly scraping: ScrapingDetector;
  private readonly geoSpikes: GeoSpikeDetector;
  private readonly tokens: SubjectTable<TokenSubject>;
  private readonly ipFacts = new Map<string, IpFacts>();
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
      sharing: newTokenSharingState(t),
      scraping: newScrapeState(t),
    }));
  }

  /** Detections by kind so far. */
  get detectionCounts(): Readonly<Record<Detection['kind'], number>> {
    return this.counts;
  }

  get activeSubjects(): number {
    return this.tokens.size + this.sharing.activeAccounts + this.scraping.activeIps;
  }

  /** Feeds one record; appends any detections it triggers to `out` and returns how many. */
  observe(record: EdgeLogRecord, out: Detection[]): number {
    this.records++;
    const before = out.length;
    const event = this.enrich(record);
    if (event.tokenId.length > 0) {
      const token = this.tokens.get(event.tokenId, event.timestampMs);
      token.lastSeenMs = event.timestampMs;
      this.sharing.observe(event, token.sharing, out);
      this.scraping.observeToken(event, token.scraping, out);
    }
    this.scraping.observeIp(event, out);
    this.geoSpikes.observe(event, out);
    for (let i = before; i < out.length; i++) this.counts[out[i]!.kind]++;
    return out.length - before;
  }

  /** Detectors copy what they keep, so one event object is refilled for every record (no garbage). */
  private readonly event: AccessEvent = {
    timestampMs: 0,
    ip: '',
    network: '',
    country: '',
    asn: 0,
    tokenId: '',
    accountId: '',
    deviceHash: '',
    uriStem: '',
    status: 0,
    query: '',
    edgeResultType: '',
    record: undefined as unknown as EdgeLogRecord,
    refusal: '',
  };

  private enrich(r: EdgeLogRecord): AccessEvent {
    const facts = this.factsOf(r.clientIp);
    const claims = tokenClaimsOf(r.query);
    const e = this.event;
    e.timestampMs = r.timestampMs;
    e.ip = r.clientIp;
    e.network = facts.network;
    e.country = facts.country;
    e.asn = facts.asn;
    e.tokenId = claims?.tokenId ?? '';
    e.accountId = claims?.accountId ?? '';
    e.deviceHash = claims?.deviceHash ?? '';
    e.uriStem = r.uriStem;
    e.status = r.status;
    e.query = r.query;
    e.edgeResultType = r.edgeResultType;
    e.record = r;
    e.refusal =
      r.status === 403 && !isPublicPath(r.uriStem) ? refusalOf(claims, r.uriStem, r.timestampMs) : '';
    return e;
  }

  private factsOf(ip: string): IpFacts {
    let facts = this.ipFacts.get(ip);
    if (facts === undefined) {
      if (this.ipFacts.size >= IP_CACHE_SIZE) this.ipFacts.clear();
      const owned = ownString(ip);
      facts = { network: networkOf(owned), country: this.geo.country(owned), asn: this.geo.asn(owned) };
      this.ipFacts.set(owned, facts);
    }
    return facts;
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
