/**
 * The abuse detectors behind one call per log record: enrich the record (edge token claims, country, ASN,
 * network), hand it to each detector, collect detections. Pure and event-time driven: replaying a file gives
 * the same detections as watching it live. Memory follows the active tokens, accounts and IPs.
 */
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { type GeoLookup, networkOf } from '../geo/ip-geo.ts';
import { defaultAction } from '../mitigation/policy.ts';
import type { MitigationPolicy } from '../mitigation/types.ts';
import { agentClassOf, isPublicPath } from './automation.ts';
import { type DetectorConfig, type DetectorOptions, detectorConfig } from './config.ts';
import { hashPath } from './asset-path.ts';
import { CohortPace } from './cohort.ts';
import { defaultPolicies } from './default-policies.ts';
import { newReaderState, type ReaderState } from './reader-state.ts';
import { ReaderScrapingDetector } from './reader-scraping.ts';
import { hasExtraParams, refusalOf, tokenClaimsOf } from './edge-token.ts';
import {
  ACCOUNT_END,
  BBT_LENGTH,
  DEVICE_END,
  HAS_TOKEN,
  KID_END,
  percentIn,
  QUERY_LENGTH,
  readEdgeToken,
  sameAscii,
  TOKEN_END,
  TOKEN_ROW,
} from './line-token.ts';
import { GeoSpikeDetector } from './geo-spike.ts';
import { ScrapingDetector } from './scraping.ts';
import { ByteSubjectTable, keyHash } from './byte-subject-table.ts';
import type { LogLineView } from '../logs/log-line-view.ts';
import { type IpSubject, newTokenSubject, ReadAhead, type TokenSubject } from './read-ahead.ts';
import { decodedScope, RequestEnricher } from './request-event.ts';
import { TokenSharingDetector } from './token-sharing.ts';
import { tokenFired } from './token-places.ts';
import { type Detection, ownString } from './types.ts';

export class AbuseDetectors extends RequestEnricher {
  readonly config: DetectorConfig;
  private readonly sharing: TokenSharingDetector;
  private readonly scraping: ScrapingDetector;
  private readonly geoSpikes: GeoSpikeDetector;
  private readonly tokens: ByteSubjectTable<TokenSubject>;
  private readonly ips: ByteSubjectTable<IpSubject>;
  /** Readers' scraping state by `account|device` (UTF-8 bytes), looked up once per token session. */
  private readonly accounts: ByteSubjectTable<ReaderState>;
  private readonly readerScraping: ReaderScrapingDetector;
  private readonly cohort = new CohortPace();
  private readonly policies: readonly MitigationPolicy[];
  private readonly counts = { token_sharing: 0, scraping: 0, geo_spike: 0 };
  /** The read-ahead of batches of lines, and where a line read on its own keeps its edge token. */
  private readonly ahead: ReadAhead;
  private readonly tokenRow = new Int32Array(TOKEN_ROW);
  records = 0;

  /**
   * `policies` name each detection's `mitigation` (the action they would take); by default those of
   * copilot/policies.json, as the copilot service applies them.
   */
  constructor(
    private readonly geo: GeoLookup,
    options: DetectorOptions = {},
    policies?: readonly MitigationPolicy[],
  ) {
    super();
    this.config = detectorConfig(options);
    this.policies = policies ?? defaultPolicies();
    this.sharing = new TokenSharingDetector(this.config, geo);
    this.scraping = new ScrapingDetector(this.config);
    this.geoSpikes = new GeoSpikeDetector(this.config);
    this.tokens = new ByteSubjectTable<TokenSubject>(
      this.config.idleMs,
      // The table numbers the episode before it makes the subject.
      (buf, start, end, t, id) =>
        newTokenSubject(buf.toString('utf8', start, end), this.tokens.serialOf(id), t),
    );
    // Held by tokens between lookups and seen by every request: idle on the state's own last-seen time.
    this.accounts = new ByteSubjectTable<ReaderState>(
      this.config.readerIdleMs,
      (_buf, _start, _end, t) => newReaderState(t),
      (state) => state.lastSeenMs,
    );
    this.readerScraping = new ReaderScrapingDetector(
      this.config,
      this.cohort,
      this.titles,
      (slot, serial) => this.ips.serialOf(slot) === serial && this.scraping.oneAccount(slot),
    );
    this.ips = new ByteSubjectTable<IpSubject>(this.config.idleMs, (buf, start, end, t, id) => {
      const ip = buf.toString('utf8', start, end);
      const network = networkOf(ip);
      this.scraping.start(id, t);
      return {
        ip,
        network,
        // 30 bits, so that V8 keeps it in the object instead of a box of its own (only its low bits count).
        networkHash: hashPath(network) & 0x3fffffff,
        country: this.geo.country(ip),
        asn: this.geo.asn(ip),
        id,
      };
    });
    this.ahead = new ReadAhead(this.tokens, this.ips, this.scraping.slabs);
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
    const t = record.timestampMs;
    let n = this.encode(record.clientIp);
    const ip = this.ips.get(this.scratch, 0, n, t);
    const claims = tokenClaimsOf(record.query);
    const e = this.event;
    this.enrich(t, record.status, record.edgeResultType, record);
    this.address(ip);
    const stem = record.uriStem;
    e.stemText = stem;
    if (stem.length * 3 > this.stemScratch.length) this.stemScratch = Buffer.allocUnsafe(stem.length * 3);
    e.stemBytes = this.stemScratch;
    e.stemStart = 0;
    e.stemEnd = this.stemScratch.write(stem, 0, 'utf8');
    e.extraParams = hasExtraParams(record.query);
    e.refusal =
      record.status === 403 && !isPublicPath(e.uriStem)
        ? refusalOf(claims, e.uriStem, t, record.edgeResultType)
        : '';
    e.ownedStrings = false;
    e.tokenId = '';
    e.tokenSerial = 0;
    e.accountId = claims?.accountId ?? '';
    e.deviceHash = claims?.deviceHash ?? '';
    let token: TokenSubject | undefined;
    if (claims !== undefined && claims.tokenId.length > 0) {
      n = this.encode(claims.tokenId);
      token = this.tokens.get(this.scratch, 0, n, t);
      if (this.tokens.fresh)
        this.startToken(token, decodedScope(claims.scopeEncoded), agentClassOf(record.userAgent));
      // Owned: a claim is a slice of the query, which would otherwise stay alive with the token.
      if (token.accountId !== claims.accountId) this.tokenAccount(token, ownString(claims.accountId));
      // The subject's copy: the same characters, and safe to keep.
      e.tokenId = token.tokenId;
      e.tokenSerial = token.serial;
    }
    e.ipSlot = ip.id;
    e.ipSerial = this.ips.serialOf(ip.id);
    this.detect(ip.id, token, out);
    for (let i = before; i < out.length; i++) this.counts[out[i]!.kind]++;
    return out.length - before;
  }

  /**
   * Feeds one line as the byte scanner hands it over: the same detections as `observe` of the line's record,
   * without making the record. Fields are read in place; strings are made only for the asset path and for
   * subjects seen for the first time.
   */
  observeLine(v: LogLineView, out: Detection[]): number {
    this.records++;
    const before = out.length;
    const buf = v.buf;
    const layout = v.layout;
    const t = v.timestampMs;
    const e = this.event;
    // The edge token (`bbt`), read in place: only its token id is looked up, account and device are compared.
    // A previewed line's token was read (and its id hashed) by the preview.
    const index = v.index;
    const row = index >= 0 ? this.ahead.found : this.tokenRow;
    const at = index >= 0 ? index * TOKEN_ROW : 0;
    if (index < 0) readEdgeToken(v, row, at);
    const queryLength = row[at + QUERY_LENGTH]!;
    const bbtLength = row[at + BBT_LENGTH]!;
    e.extraParams = queryLength === 0 ? false : bbtLength === 0 ? true : queryLength > bbtLength + 4;
    let token: TokenSubject | undefined;
    if (row[at + HAS_TOKEN] === 1) {
      const kidEnd = row[at + KID_END]!;
      const tokenEnd = row[at + TOKEN_END]!;
      const accountEnd = row[at + ACCOUNT_END]!;
      const deviceEnd = row[at + DEVICE_END]!;
      const tokens = this.tokens;
      const hash = index >= 0 ? this.ahead.hashes[index]! : keyHash(buf, kidEnd + 1, tokenEnd);
      token = tokens.value(tokens.lookupHashed(hash, buf, kidEnd + 1, tokenEnd, t));
      // A new token: its scope (title) and user agent.
      if (tokens.fresh) this.startLineToken(token, v, row, at);
      if (!sameAscii(buf, tokenEnd + 1, accountEnd, token.accountId)) {
        this.tokenAccount(token, buf.toString('latin1', tokenEnd + 1, accountEnd));
      }
      if (!sameAscii(buf, accountEnd + 1, deviceEnd, token.claimedDevice)) {
        token.claimedDevice = buf.toString('latin1', accountEnd + 1, deviceEnd);
      }
    }
    // The address: most requests of a token come from the address of its previous request, so that one is
    // checked first (same episode, same bytes) and the address table is hashed only when it differs.
    const ipStart = v.start(layout.clientIp);
    const ipEnd = v.end(layout.clientIp);
    const r = layout.edgeResultType;
    this.enrich(t, v.status, r < 0 ? '' : this.resultType(buf, v.start(r), v.end(r)), v);
    let ipId: number;
    if (
      token !== undefined &&
      token.ipId >= 0 &&
      this.ips.reuse(token.ipId, token.ipSerial, buf, ipStart, ipEnd, t)
    ) {
      ipId = token.ipId;
      this.tokenAddress(token);
      e.ipSerial = token.ipSerial;
    } else {
      ipId = this.ips.lookup(buf, ipStart, ipEnd, t);
      const ip = this.ips.value(ipId);
      if (token !== undefined) {
        token.ipId = ipId;
        token.ipSerial = this.ips.serialOf(ipId);
        token.ipText = ip.ip;
        token.network = ip.network;
        token.networkHash = ip.networkHash;
        token.country = ip.country;
        token.asn = ip.asn;
      }
      this.address(ip);
      e.ipSerial = this.ips.serialOf(ipId);
    }
    e.ipSlot = ipId;
    // The asset path is compared as bytes; it becomes a string only if a detector reads it as one.
    const u = layout.uriStem;
    const stemStart = u < 0 ? 0 : v.start(u);
    const stemEnd = u < 0 ? 0 : v.end(u);
    e.stemText = undefined;
    if (percentIn(buf, stemStart, stemEnd)) {
      // Percent-encoded: compare the decoded path's bytes, as the record path does.
      const stem = v.uriStem;
      e.stemText = stem;
      if (stem.length * 3 > this.stemScratch.length) this.stemScratch = Buffer.allocUnsafe(stem.length * 3);
      e.stemBytes = this.stemScratch;
      e.stemStart = 0;
      e.stemEnd = this.stemScratch.write(stem, 0, 'utf8');
    } else {
      e.stemBytes = buf;
      e.stemStart = stemStart;
      e.stemEnd = stemEnd;
    }
    e.ownedStrings = true;
    if (token === undefined) {
      e.tokenId = '';
      e.tokenSerial = 0;
      e.accountId = '';
      e.deviceHash = '';
    } else {
      e.tokenId = token.tokenId;
      e.tokenSerial = token.serial;
      e.accountId = token.accountId;
      e.deviceHash = token.claimedDevice;
    }
    // Refusals are rare: read the claims the plain way.
    e.refusal =
      v.status === 403 && !isPublicPath(e.uriStem)
        ? refusalOf(tokenClaimsOf(v.query), e.uriStem, t, e.edgeResultType)
        : '';
    this.detect(ipId, token, out);
    for (let i = before; i < out.length; i++) this.counts[out[i]!.kind]++;
    return out.length - before;
  }

  /** Read-ahead (see LogLineSink.preview): reads the line's edge token and hashes its id; changes nothing. */
  previewLine(v: LogLineView, index: number): void {
    this.ahead.preview(v, index);
  }

  /** Read-ahead over the previewed batch (see ReadAhead.prefetch). */
  prefetch(count: number): void {
    this.ahead.prefetch(count);
  }

  private detect(ipId: number, token: TokenSubject | undefined, out: Detection[]): void {
    const event = this.event;
    const before = out.length;
    if (token !== undefined) {
      this.sharing.observe(event, token, out);
      this.scraping.observeTokened(event, ipId, token.accountHash);
      if (event.accountId.length > 0) {
        // Tokens live for one reading session, so the reader table is consulted per session, not per request.
        if (
          token.account === undefined ||
          event.timestampMs - token.account.lastSeenMs > this.config.readerIdleMs
        ) {
          // Keyed by account and device: a scraper walks titles on one device, a shared account spreads them.
          const n = this.encodeAccountKey(event.accountId, event.deviceHash);
          token.account = this.accounts.get(this.accountKey, 0, n, event.timestampMs);
        }
        this.readerScraping.observe(event, token, token.account, out);
      }
    } else {
      this.scraping.observeTokenless(event, ipId, out);
    }
    // Requests of a token or reader already found abusive are that finding's, not a country's audience. A grant
    // found shared may still carry its country (many readers of a leak), unless its reader is found scraping: a
    // proxy pool's exits in one country are one scraper, not that country's crowd.
    const scraper = token?.account?.report !== undefined;
    if (token === undefined || !(tokenFired(token) || scraper))
      this.geoSpikes.observe(event, this.scraping.thisMinute(ipId), token?.title?.key ?? 0, out);
    else if (!scraper) this.geoSpikes.observeShared(event, token.places, out);
    // Each detection names the action the default policies would take.
    for (let i = before; i < out.length; i++) out[i]!.mitigation = defaultAction(out[i]!, this.policies);
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
