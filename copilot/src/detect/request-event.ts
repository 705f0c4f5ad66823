/** The one event the engine refills for every request, and how a request's facts (address, token, title) go into it. */
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { hashPath } from './asset-path.ts';
import { decodeLogField } from '../logs/edge-log-line.ts';
import type { LogLineView } from '../logs/log-line-view.ts';
import { type AgentClass, agentClassOf } from './automation.ts';
import { ByteMemo } from './byte-memo.ts';
import type { Refusal } from './edge-token.ts';
import { sameAscii, scopeBounds, writeAscii } from './line-token.ts';
import type { IpSubject, TokenSubject } from './read-ahead.ts';
import { TitleBook } from './titles.ts';
import type { AccessEvent } from './types.ts';

/** Slots of the memos of new tokens' scopes and user agents (a catalog's titles, a population's clients). */
const SCOPE_MEMO = 8192;
const AGENT_MEMO = 256;

/** The path prefix a token's scope claim opens ('' when it has none). */
export function decodedScope(scopeEncoded: string): string {
  return scopeEncoded.length > 0 ? Buffer.from(scopeEncoded, 'base64url').toString('utf8') : '';
}

/** The one event the engine refills for every request. */
class RequestEvent implements AccessEvent {
  timestampMs = 0;
  ip = '';
  ipSlot = -1;
  ipSerial = 0;
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

/** The event, the scratch buffers that key the subject tables, and the steps that fill them: the engine's base. */
export class RequestEnricher {
  protected accountKey = Buffer.allocUnsafe(256);
  protected readonly titles = new TitleBook();
  /** Asset paths of records, and percent-encoded ones of lines, are encoded here as UTF-8. */
  protected stemScratch = Buffer.allocUnsafe(256);
  /** Keys of records (strings) are encoded here to look them up in the byte-keyed tables. */
  protected scratch = Buffer.allocUnsafe(256);
  /** The few distinct x-edge-result-type values, made into strings once. */
  protected readonly resultTypes: string[] = [];

  /** Decoded scopes and user-agent classes of new tokens' lines, by their bytes (the same values, made once). */
  private readonly scopes = new ByteMemo(SCOPE_MEMO, 64, (buf, start, end) =>
    decodedScope(buf.toString('latin1', start, end)),
  );
  private readonly agentClasses = new ByteMemo(AGENT_MEMO, 256, (buf, start, end) =>
    agentClassOf(decodeLogField(buf.toString('latin1', start, end))),
  );
  private readonly scopeBounds = new Int32Array(2);

  /** A token seen for the first time (or again after its idle horizon): its title and its client. */
  protected startToken(token: TokenSubject, scope: string, agentClass: AgentClass): void {
    token.title = scope.length > 0 ? this.titles.session(scope) : undefined;
    token.titleSizeBefore = token.title?.size ?? 0;
    token.agentClass = agentClass;
  }

  /** startToken for a line whose edge token (row, as readEdgeToken found it) is new: read from its bytes. */
  protected startLineToken(token: TokenSubject, v: LogLineView, row: Int32Array, at: number): void {
    const bounds = this.scopeBounds;
    scopeBounds(v, row, at, bounds);
    const scope = bounds[1]! > bounds[0]! ? this.scopes.get(v.buf, bounds[0]!, bounds[1]!) : '';
    const u = v.layout.userAgent;
    const agentClass = u < 0 ? agentClassOf('') : this.agentClasses.get(v.buf, v.start(u), v.end(u));
    this.startToken(token, scope, agentClass);
  }

  protected tokenAccount(token: TokenSubject, accountId: string): void {
    token.accountId = accountId;
    token.accountHash = hashPath(accountId) | 1;
  }

  /** `account|device` as UTF-8 bytes into accountKey; returns their length. */
  protected encodeAccountKey(accountId: string, deviceHash: string): number {
    const length = accountId.length + 1 + deviceHash.length;
    if (length * 3 > this.accountKey.length) this.accountKey = Buffer.allocUnsafe(length * 3);
    const key = this.accountKey;
    const n = writeAscii(key, 0, accountId);
    if (n >= 0) {
      key[n] = 124; // |
      const end = writeAscii(key, n + 1, deviceHash);
      if (end >= 0) return end;
    }
    return key.write(`${accountId}|${deviceHash}`, 0, 'utf8');
  }

  /** UTF-8 bytes of a key into the scratch buffer; returns their length. */
  protected encode(key: string): number {
    if (key.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(key.length * 3);
    return this.scratch.write(key, 0, 'utf8');
  }

  protected resultType(buf: Buffer, start: number, end: number): string {
    const known = this.resultTypes;
    for (let i = 0; i < known.length; i++) if (sameAscii(buf, start, end, known[i]!)) return known[i]!;
    const value = buf.toString('latin1', start, end);
    if (known.length < 16) known.push(value);
    return value;
  }

  /** Detectors copy what they keep, so one event object is refilled for every record (no garbage). */
  protected readonly event = new RequestEvent();

  protected enrich(t: number, status: number, edgeResultType: string, record: EdgeLogRecord): void {
    const e = this.event;
    e.timestampMs = t;
    e.status = status;
    e.edgeResultType = edgeResultType;
    e.record = record;
  }

  /** The client address's facts into the event. */
  protected address(ip: IpSubject): void {
    const e = this.event;
    e.ip = ip.ip;
    e.network = ip.network;
    e.networkHash = ip.networkHash;
    e.country = ip.country;
    e.asn = ip.asn;
  }

  /**
   * The same from the token's copy of them (its address is the one it holds). Two functions, not one over
   * both kinds of object, so that each reads fields of one shape: it runs for every request.
   */
  protected tokenAddress(token: TokenSubject): void {
    const e = this.event;
    e.ip = token.ipText;
    e.network = token.network;
    e.networkHash = token.networkHash;
    e.country = token.country;
    e.asn = token.asn;
  }
}
