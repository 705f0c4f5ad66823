/**
 * Line parser for CloudFront standard (access) logs: fields are located by each file's `#Fields` header, never by
 * position, `-` means absent and text fields are percent-encoded. The hot path splits a line by tab once,
 * parses numbers by hand, caches the epoch of the last date seen and decodes text fields only when read.
 */

import { logDateMs, logTimeOfDayMs } from './cloudfront-time.ts';
import { decodeLogField, EdgeLogLine, plainRecord } from './edge-log-line.ts';
import type { EdgeLogRecord } from './edge-log-record.ts';

export { decodeLogField };

export type { EdgeLogRecord } from './edge-log-record.ts';

export type SkipReason =
  | 'no_fields_header'
  | 'missing_required_field'
  | 'field_count'
  | 'bad_timestamp'
  | 'bad_status';

/** CloudFront writes 33; a line with far more tabs is not a log line. */
export const MAX_FIELDS = 64;

export interface ParseStats {
  /** Every line read, headers and blanks included. */
  lines: number;
  records: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** Bytes read from disk (compressed bytes for .gz), for progress display. */
  bytesRead: number;
}

export function newParseStats(): ParseStats {
  return { lines: 0, records: 0, skipped: {}, bytesRead: 0 };
}

export function skippedTotal(stats: ParseStats): number {
  let total = 0;
  for (const count of Object.values(stats.skipped)) total += count ?? 0;
  return total;
}

export class LogParseError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LogParseError';
  }
}

/** Column index of each field this reader uses; -1 when the file does not carry it. */
export interface FieldLayout {
  readonly count: number;
  readonly date: number;
  readonly time: number;
  readonly edgeLocation: number;
  readonly bytes: number;
  readonly clientIp: number;
  readonly method: number;
  readonly host: number;
  readonly uriStem: number;
  readonly status: number;
  readonly referer: number;
  readonly userAgent: number;
  readonly query: number;
  readonly edgeResultType: number;
  readonly requestId: number;
  readonly timeTaken: number;
  readonly detailedResultType: number;
  readonly contentType: number;
}

/** Reads a `#Fields: a b c` header line; throws LogParseError when date, time or c-ip are missing. */
function parseFieldsHeader(line: string): FieldLayout {
  const names = line
    .replace(/^#Fields:\s*/, '')
    .trim()
    .split(/\s+/);
  const at = (name: string): number => names.indexOf(name);
  const layout: FieldLayout = {
    count: names.length,
    date: at('date'),
    time: at('time'),
    edgeLocation: at('x-edge-location'),
    bytes: at('sc-bytes'),
    clientIp: at('c-ip'),
    method: at('cs-method'),
    host: at('cs(Host)'),
    uriStem: at('cs-uri-stem'),
    status: at('sc-status'),
    referer: at('cs(Referer)'),
    userAgent: at('cs(User-Agent)'),
    query: at('cs-uri-query'),
    edgeResultType: at('x-edge-result-type'),
    requestId: at('x-edge-request-id'),
    timeTaken: at('time-taken'),
    detailedResultType: at('x-edge-detailed-result-type'),
    contentType: at('sc-content-type'),
  };
  if (layout.date < 0 || layout.time < 0 || layout.clientIp < 0) {
    throw new LogParseError(`#Fields header lacks date, time or c-ip: "${line.slice(0, 200)}"`);
  }
  return layout;
}

/** `time-taken` is seconds with a fraction (`0.002`); returns milliseconds, 0 when absent. */
function parseSecondsToMs(raw: string): number {
  if (raw.length === 0) return 0;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : 0;
}

function twoDigits(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

/** Parses lines of one file; remembers the last date's epoch because a file spans one or two dates. */
export class CloudFrontLineParser {
  private layout: FieldLayout | undefined;
  private lastDate = '';
  private lastDateMs = Number.NaN;
  /** Tab positions of the current line (index i: the tab before field i; -1 for field 0). */
  private readonly tabs = new Int32Array(MAX_FIELDS + 2);
  private line = '';

  constructor(
    private readonly stats: ParseStats = newParseStats(),
    layout?: FieldLayout,
  ) {
    this.layout = layout;
  }

  get parseStats(): ParseStats {
    return this.stats;
  }

  /** The layout of the last `#Fields` header read, if any. */
  get fieldLayout(): FieldLayout | undefined {
    return this.layout;
  }

  /** Counts a skipped line (for readers that check lines themselves, as the byte scanner does). */
  countSkip(reason: SkipReason): undefined {
    return this.skip(reason);
  }

  /** One line without its newline; returns a record, or undefined for headers, blanks and counted skips. */
  parse(line: string): EdgeLogRecord | undefined {
    const stats = this.stats;
    stats.lines++;
    if (line.length === 0) return undefined;
    if (line.charCodeAt(0) === 35 /* # */) {
      if (line.startsWith('#Fields:')) {
        try {
          this.layout = parseFieldsHeader(line);
        } catch {
          this.layout = undefined;
          this.skip('no_fields_header');
        }
      }
      return undefined;
    }
    const layout = this.layout;
    if (layout === undefined) return this.skip('no_fields_header');
    // Locate the tabs once and slice only the fields this reader keeps (half of the 33).
    if (this.locateFields(line) !== layout.count) return this.skip('field_count');
    const timestampMs = this.timestamp(layout.date, layout.time);
    if (Number.isNaN(timestampMs)) return this.skip('bad_timestamp');
    const clientIp = this.field(layout.clientIp);
    if (clientIp.length === 0) return this.skip('missing_required_field');
    const status = layout.status < 0 ? 0 : this.uint(layout.status);
    if (status < 0) return this.skip('bad_status');
    const bytes = layout.bytes < 0 ? 0 : Math.max(0, this.uint(layout.bytes));
    stats.records++;
    return new EdgeLogLine(
      timestampMs,
      this.field(layout.edgeLocation),
      bytes,
      clientIp,
      this.field(layout.method),
      status,
      this.field(layout.query),
      this.field(layout.edgeResultType),
      this.field(layout.requestId),
      layout.timeTaken < 0 ? 0 : parseSecondsToMs(this.field(layout.timeTaken)),
      this.field(layout.detailedResultType),
      this.field(layout.contentType),
      this.field(layout.host),
      this.field(layout.uriStem),
      this.field(layout.referer),
      this.field(layout.userAgent),
    );
  }

  private locateFields(line: string): number {
    this.line = line;
    const tabs = this.tabs;
    tabs[0] = -1;
    let fields = 1;
    let at = line.indexOf('\t');
    while (at >= 0) {
      if (fields > MAX_FIELDS) return fields;
      tabs[fields++] = at;
      at = line.indexOf('\t', at + 1);
    }
    tabs[fields] = line.length;
    return fields;
  }

  /** Field i of the current line, '' when absent (`-`) or not in the layout. */
  private field(i: number): string {
    if (i < 0) return '';
    const start = this.tabs[i]! + 1;
    const end = this.tabs[i + 1]!;
    if (end - start === 1 && this.line.charCodeAt(start) === 45 /* - */) return '';
    return this.line.slice(start, end);
  }

  /** Non-negative integer field, or -1; by hand because Number() per field shows in profiles. */
  private uint(i: number): number {
    const start = this.tabs[i]! + 1;
    const end = this.tabs[i + 1]!;
    if (end <= start || end - start > 15) return -1;
    let value = 0;
    for (let k = start; k < end; k++) {
      const digit = this.line.charCodeAt(k) - 48;
      if (digit < 0 || digit > 9) return -1;
      value = value * 10 + digit;
    }
    return value;
  }

  private skip(reason: SkipReason): undefined {
    this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + 1;
    return undefined;
  }

  private timestamp(dateField: number, timeField: number): number {
    const line = this.line;
    const dateStart = this.tabs[dateField]! + 1;
    const dateEnd = this.tabs[dateField + 1]!;
    // A file spans one or two dates: compare in place and parse a date only when it changes.
    if (dateEnd - dateStart !== this.lastDate.length || !line.startsWith(this.lastDate, dateStart)) {
      const date = line.slice(dateStart, dateEnd);
      this.lastDate = (' ' + date).slice(1);
      this.lastDateMs = logDateMs(date);
    }
    const at = this.tabs[timeField]! + 1;
    if (Number.isNaN(this.lastDateMs) || this.tabs[timeField + 1]! - at !== 8) return Number.NaN;
    const h = twoDigits(line, at);
    const m = twoDigits(line, at + 3);
    const s = twoDigits(line, at + 6);
    return this.lastDateMs + logTimeOfDayMs(h, m, s);
  }
}

/** Parses a whole in-memory log (header included); malformed lines are counted in `stats` and skipped. */
export function parseCloudFrontLog(text: string, stats: ParseStats = newParseStats()): EdgeLogRecord[] {
  const parser = new CloudFrontLineParser(stats);
  const records: EdgeLogRecord[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const record = parser.parse(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (record !== undefined) records.push(record);
  }
  return records;
}

/** A record as a plain object (the parser's records decode lazily through getters). */
export function toPlainRecord(record: EdgeLogRecord): EdgeLogRecord {
  return plainRecord(record);
}
