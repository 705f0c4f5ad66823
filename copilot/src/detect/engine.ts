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
import { hasExtraParams, type Refusal, refusalOf, tokenClaimsOf } from './edge-token.ts';
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
import { N_GAP_COUNT, N_REQUESTS } from './scrape-slabs.ts';
import { ByteSubjectTable, keyHash } from './byte-subject-table.ts';
import { LINE_BATCH, type LogLineView } from '../logs/cloudfront-bytes.ts';
import { newTokenSharingState, TokenSharingDetector, type TokenSharingState } from './token-sharing.ts';
import type { AccessEvent, Detection } from './types.ts';

/** Everything known about one active token, behind a single lookup per request. */
interface TokenSubject {
  tokenId: string;
  /** The token's episode in the token table (AccessEvent.tokenSerial). */
  serial: number;
  /** Account and device as the token's last request named them (compared in place, made once). */
  accountId: string;
  deviceHash: string;
  /** The account's scraping state, resolved once when the token appears. */
  account: AccountScrapeState | undefined;
  sharing: TokenSharingState;
  /**
   * The address of the token's last request (id and episode serial in the address table): a reader's next
   * request almost always comes from the same one, which is then found without hashing its key (-1: none).
   */
  ipId: number;
  ipSerial: number;
  /**
   * That address's facts, copied when it changes: a request from the same address reads them here, beside
   * the token, instead of in the address's own object elsewhere in memory.
   */
  ipText: string;
  network: string;
  networkHash: number;
  country: string;
  asn: number;
}

/**
 * One active client address: its geolocation (looked up once per episode); its scraping state lives in the
 * scraping detector's slabs at its id.
 */
interface IpSubject {
  ip: string;
  network: string;
  networkHash: number;
  country: string;
  asn: number;
  id: number;
}

/** The one event the engine refills for every request. */
class RequestEvent implements AccessEvent {
  timestampMs = 0;
  ip = '';
  network = '';
  networkHash = 0;
  country = '';
  asn = 0;
  tokenId = '';
  tokenSerial = 0;
  accountId = '';
  deviceHash = '';
  stemBytes: Uint8Array = Buffer.alloc(0);
  stemStart = 0;
  stemEnd = 0;
  /** The decoded asset path once made (or handed over by a record); undefined until then. */
  stemText: string | undefined = undefined;
  status = 0;
  edgeResultType = '';
  ownedStrings = false;
  extraParams = false;
  record = undefined as unknown as EdgeLogRecord;
  refusal: Refusal | '' = '';

  get uriStem(): string {
    if (this.stemText === undefined) this.stemText = this.record.uriStem;
    return this.stemText;
  }
}

export class AbuseDetectors {
  readonly config: DetectorConfig;
  private readonly sharing: TokenSharingDetector;
  private readonly scraping: ScrapingDetector;
  private readonly geoSpikes: GeoSpikeDetector;
  private readonly tokens: ByteSubjectTable<TokenSubject>;
  private readonly ips: ByteSubjectTable<IpSubject>;
  /** Account scraping state by `account|device` (UTF-8 bytes), looked up once per token session. */
  private readonly accounts: ByteSubjectTable<AccountScrapeState>;
  private accountKey = Buffer.allocUnsafe(256);
  private readonly accountScraping: AccountScrapingDetector;
  private readonly counts = { token_sharing: 0, scraping: 0, geo_spike: 0 };
  /** Asset paths of records, and percent-encoded ones of lines, are encoded here as UTF-8. */
  private stemScratch = Buffer.allocUnsafe(256);
  /** Keys of records (strings) are encoded here to look them up in the byte-keyed tables. */
  private scratch = Buffer.allocUnsafe(256);
  /** The few distinct x-edge-result-type values, made into strings once. */
  private readonly resultTypes: string[] = [];
  records = 0;

  constructor(
    private readonly geo: GeoLookup,
    options: DetectorOptions = {},
  ) {
    this.config = detectorConfig(options);
    this.sharing = new TokenSharingDetector(this.config, geo);
    this.scraping = new ScrapingDetector(this.config);
    this.geoSpikes = new GeoSpikeDetector(this.config);
    this.tokens = new ByteSubjectTable<TokenSubject>(this.config.idleMs, (buf, start, end, t, id) => ({
      tokenId: buf.toString('utf8', start, end),
      // The table numbers the episode before it makes the subject.
      serial: this.tokens.serialOf(id),
      accountId: '',
      deviceHash: '',
      account: undefined,
      sharing: newTokenSharingState(t),
      ipId: -1,
      ipSerial: 0,
      ipText: '',
      network: '',
      networkHash: 0,
      country: '',
      asn: 0,
    }));
    // Held by tokens between lookups and seen by every request: idle on the state's own last-seen time.
    this.accounts = new ByteSubjectTable<AccountScrapeState>(
      this.config.idleMs,
      (_buf, _start, _end, t) => newAccountScrapeState(t),
      (state) => state.lastSeenMs,
    );
    this.accountScraping = new AccountScrapingDetector(this.config);
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
      // The subject's copy: the same characters, and safe to keep.
      e.tokenId = token.tokenId;
      e.tokenSerial = token.serial;
    }
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
    const row = index >= 0 ? this.aheadFound : this.tokenRow;
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
      const hash = index >= 0 ? this.aheadHashes[index]! : keyHash(buf, kidEnd + 1, tokenEnd);
      token = tokens.value(tokens.lookupHashed(hash, buf, kidEnd + 1, tokenEnd, t));
      if (!sameAscii(buf, tokenEnd + 1, accountEnd, token.accountId)) {
        token.accountId = buf.toString('latin1', tokenEnd + 1, accountEnd);
      }
      if (!sameAscii(buf, accountEnd + 1, deviceEnd, token.deviceHash)) {
        token.deviceHash = buf.toString('latin1', accountEnd + 1, deviceEnd);
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
    }
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
      e.deviceHash = token.deviceHash;
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

  /** Token-id hashes of the batch the scanner is about to hand over (0: no token), for the read-ahead. */
  private readonly aheadHashes = new Int32Array(LINE_BATCH);
  private readonly aheadHasToken = new Uint8Array(LINE_BATCH);
  /** What readEdgeToken found for each previewed line (a TOKEN_ROW each), and for a line read on its own. */
  private readonly aheadFound = new Int32Array(LINE_BATCH * TOKEN_ROW);
  private readonly tokenRow = new Int32Array(TOKEN_ROW);
  private readonly aheadTokens: (TokenSubject | undefined)[] = new Array(LINE_BATCH).fill(undefined);
  private readonly aheadIds = new Int32Array(LINE_BATCH);

  /** Read-ahead (see LogLineSink.preview): notes the hash of the line's token id; changes nothing. */
  previewLine(v: LogLineView, index: number): void {
    // Kept for observeLine of the same line: the token is read once.
    const found = this.aheadFound;
    const at = index * TOKEN_ROW;
    const hasToken = readEdgeToken(v, found, at);
    this.aheadHashes[index] = hasToken ? keyHash(v.buf, found[at + KID_END]! + 1, found[at + TOKEN_END]!) : 0;
    this.aheadHasToken[index] = hasToken ? 1 : 0;
  }

  /**
   * Read-ahead over the previewed batch: touches, level by level, what its lines will read (the token's
   * slot, record and subject, then its sharing, address and account state, then what those point to), so
   * that the cache misses of 32 lines overlap instead of following one another. Reads only; a slot that
   * holds another key just touches the wrong subject.
   */
  prefetch(count: number): void {
    const hashes = this.aheadHashes;
    const subjects = this.aheadTokens;
    const ids = this.aheadIds;
    const tokens = this.tokens;
    let touched = 0;
    // The token's index slot, its record, the subject: each a level of its own, so that the batch's misses
    // at each level overlap instead of following one another line by line.
    for (let k = 0; k < count; k++) {
      ids[k] = this.aheadHasToken[k] === 0 ? -1 : tokens.peekId(hashes[k]!);
      this.aheadHasToken[k] = 0;
    }
    for (let k = 0; k < count; k++) if (ids[k]! >= 0) touched += tokens.touch(ids[k]!);
    for (let k = 0; k < count; k++) subjects[k] = ids[k]! >= 0 ? tokens.peekValue(ids[k]!) : undefined;
    const slabs = this.scraping.slabs;
    const counts = slabs.counts;
    // The token subject itself, at its start, middle and end: without pointer compression (Node's builds) each
    // field takes 8 bytes, and its 13 span two or three cache lines.
    for (let k = 0; k < count; k++) {
      const token = subjects[k];
      if (token !== undefined) touched += token.serial + token.ipId + token.asn;
    }
    // What it points to: its claims' strings, sharing state, address and account states, address record.
    for (let k = 0; k < count; k++) {
      const token = subjects[k];
      if (token === undefined) continue;
      const sharing = token.sharing;
      touched += token.accountId.length + token.deviceHash.length + sharing.requests + sharing.placeCount;
      touched += sharing.fired ? 1 : 0;
      touched += this.ips.touch(token.ipId);
      const ipId = token.ipId;
      if (ipId >= 0 && ipId < slabs.capacity) {
        // The record's times, counters and path (its first cache lines).
        touched += counts[slabs.countsAt(ipId) + N_REQUESTS]! + slabs.bytes[slabs.stemAt(ipId)]!;
        touched += slabs.times[slabs.timesAt(ipId)]! > 0 ? 1 : 0;
      }
      const account = token.account;
      if (account !== undefined) touched += account.thisMinute;
    }
    // One level further: the current place, the address's gap, the account's last title.
    for (let k = 0; k < count; k++) {
      const token = subjects[k];
      if (token === undefined) continue;
      const current = token.sharing.current;
      if (current !== undefined) touched += current.requests + (current.lastMs + current.firstMs > 0 ? 1 : 0);
      touched += token.sharing.lastSeenMs > 0 ? 1 : 0;
      const ipId = token.ipId;
      if (ipId >= 0 && ipId < slabs.capacity) {
        const gap = counts[slabs.countsAt(ipId) + N_GAP_COUNT]! % slabs.gapsPerSlot;
        touched += slabs.times[slabs.gapsAt(ipId) + gap]! > 0 ? 1 : 0;
      }
      const account = token.account;
      if (account !== undefined) {
        touched += account.lastTitle.length;
        touched += account.lastSeenMs + account.minuteStartMs + account.lastTitleMs > 0 ? 1 : 0;
      }
      subjects[k] = undefined;
    }
    this.tokens.touched ^= touched;
  }

  private detect(ipId: number, token: TokenSubject | undefined, out: Detection[]): void {
    const event = this.event;
    if (token !== undefined) {
      this.sharing.observe(event, token.sharing, out);
      if (event.accountId.length > 0) {
        // Tokens live for one reading session, so the account table is consulted per session, not per request.
        if (
          token.account === undefined ||
          event.timestampMs - token.account.lastSeenMs > this.config.idleMs
        ) {
          // Keyed by account and device: a scraper walks titles on one device, a shared account spreads them.
          const n = this.encodeAccountKey(event.accountId, event.deviceHash);
          token.account = this.accounts.get(this.accountKey, 0, n, event.timestampMs);
        }
        this.accountScraping.observe(event, token.account, out);
      }
    }
    this.scraping.observeIp(event, ipId, out);
    this.geoSpikes.observe(event, this.scraping.thisMinute(ipId), out);
  }

  /** `account|device` as UTF-8 bytes into accountKey; returns their length. */
  private encodeAccountKey(accountId: string, deviceHash: string): number {
    const length = accountId.length + 1 + deviceHash.length;
    if (length * 3 > this.accountKey.length) this.accountKey = Buffer.allocUnsafe(length * 3);
    const key = this.accountKey;
    // ASCII (always, in real tokens) is copied as is; anything else is encoded by Buffer.
    let n = 0;
    for (let i = 0; i < accountId.length; i++) {
      const c = accountId.charCodeAt(i);
      if (c >= 0x80) return key.write(`${accountId}|${deviceHash}`, 0, 'utf8');
      key[n++] = c;
    }
    key[n++] = 124; // |
    for (let i = 0; i < deviceHash.length; i++) {
      const c = deviceHash.charCodeAt(i);
      if (c >= 0x80) return key.write(`${accountId}|${deviceHash}`, 0, 'utf8');
      key[n++] = c;
    }
    return n;
  }

  /** UTF-8 bytes of a key into the scratch buffer; returns their length. */
  private encode(key: string): number {
    if (key.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(key.length * 3);
    return this.scratch.write(key, 0, 'utf8');
  }

  private resultType(buf: Buffer, start: number, end: number): string {
    const known = this.resultTypes;
    for (let i = 0; i < known.length; i++) if (sameAscii(buf, start, end, known[i]!)) return known[i]!;
    const value = buf.toString('latin1', start, end);
    if (known.length < 16) known.push(value);
    return value;
  }

  /** Detectors copy what they keep, so one event object is refilled for every record (no garbage). */
  private readonly event = new RequestEvent();

  private enrich(t: number, status: number, edgeResultType: string, record: EdgeLogRecord): void {
    const e = this.event;
    e.timestampMs = t;
    e.status = status;
    e.edgeResultType = edgeResultType;
    e.record = record;
  }

  /** The client address's facts into the event. */
  private address(ip: IpSubject): void {
    const e = this.event;
    e.ip = ip.ip;
    e.network = ip.network;
    e.networkHash = ip.networkHash;
    e.country = ip.country;
    e.asn = ip.asn;
  }

  /** The same from the token's copy of them (its address is the one it holds). */
  private tokenAddress(token: TokenSubject): void {
    const e = this.event;
    e.ip = token.ipText;
    e.network = token.network;
    e.networkHash = token.networkHash;
    e.country = token.country;
    e.asn = token.asn;
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
