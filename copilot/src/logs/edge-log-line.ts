/**
 * The parser's record: free-text fields stay percent-encoded slices of the line until first read, because
 * most detectors never read them.
 */
import type { EdgeLogRecord } from './edge-log-record.ts';

/** Percent-decodes a field; CloudFront writes malformed escapes verbatim, so those stay as they are. */
export function decodeLogField(raw: string): string {
  if (raw.indexOf('%') < 0) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** A parsed line; the free-text fields are decoded on first read only, since most detectors never read them. */
export class EdgeLogLine implements EdgeLogRecord {
  #referer: string | undefined;
  #userAgent: string | undefined;
  #uriStem: string | undefined;
  #host: string | undefined;
  constructor(
    readonly timestampMs: number,
    readonly edgeLocation: string,
    readonly bytes: number,
    readonly clientIp: string,
    readonly method: string,
    readonly status: number,
    readonly query: string,
    readonly edgeResultType: string,
    readonly requestId: string,
    readonly timeTakenMs: number,
    readonly detailedResultType: string,
    readonly contentType: string,
    private readonly rawHost: string,
    private readonly rawUriStem: string,
    private readonly rawReferer: string,
    private readonly rawUserAgent: string,
  ) {}
  get host(): string {
    this.#host ??= decodeLogField(this.rawHost);
    return this.#host;
  }
  get uriStem(): string {
    this.#uriStem ??= decodeLogField(this.rawUriStem);
    return this.#uriStem;
  }
  get referer(): string {
    this.#referer ??= decodeLogField(this.rawReferer);
    return this.#referer;
  }
  get userAgent(): string {
    this.#userAgent ??= decodeLogField(this.rawUserAgent);
    return this.#userAgent;
  }
  toJSON(): EdgeLogRecord {
    return { ...plainRecord(this) };
  }
}

export function plainRecord(r: EdgeLogRecord): EdgeLogRecord {
  return {
    timestampMs: r.timestampMs,
    edgeLocation: r.edgeLocation,
    bytes: r.bytes,
    clientIp: r.clientIp,
    method: r.method,
    host: r.host,
    uriStem: r.uriStem,
    status: r.status,
    referer: r.referer,
    userAgent: r.userAgent,
    query: r.query,
    edgeResultType: r.edgeResultType,
    requestId: r.requestId,
    timeTakenMs: r.timeTakenMs,
    detailedResultType: r.detailedResultType,
    contentType: r.contentType,
  };
}
