/**
 * The zero-copy reader behind `boundless detect`: scans the decompressed bytes of a CloudFront standard log
 * for newlines and tabs, checks each line exactly as CloudFrontLineParser does (same skips, same counts), and
 * hands a reusable view of the line to a sink instead of building a record. Fields become strings only when a
 * sink asks for them. Header lines, and the rare line carrying non-ASCII bytes, go through the string parser,
 * so both readers agree on every input (the regression and differential tests hold them to it).
 */
import {
  CloudFrontLineParser,
  type EdgeLogRecord,
  type FieldLayout,
  LogParseError,
  MAX_FIELDS,
  type ParseStats,
} from './cloudfront-line.ts';
import { defaultInflation, fileChunks, type Inflation } from './file-chunks.ts';
import { MergedFileError, mergedChunks } from './merged-lines.ts';
import { scanOnThread } from './scan-thread.ts';
import { LineIndex, ROW, wordsOf } from './line-index.ts';
import { LogLineView, NO_WORDS, uintAt } from './log-line-view.ts';
import { logDateMs, logTimeOfDayMs } from './cloudfront-time.ts';

const TAB = 9;
const NEWLINE = 10;
const CR = 13;

/** buf[start, end) holds exactly the bytes of `bytes` (a loop: Buffer.compare costs a native call per line). */
function sameBytes(buf: Buffer, start: number, end: number, bytes: Uint8Array): boolean {
  if (end - start !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[start + i] !== bytes[i]) return false;
  return true;
}

function twoDigitsAt(buf: Buffer, at: number): number {
  const a = buf[at]! - 48;
  const b = buf[at + 1]! - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

/** What the scanner calls: `line` for every record, `record` for a line the string parser had to read. */
export interface LogLineSink {
  line(view: LogLineView): void;
  record(record: EdgeLogRecord): void;
  /**
   * Optional read-ahead: lines are handed over in batches of up to LINE_BATCH, and before a batch goes to
   * `line`, `preview` sees each of its well-formed lines (`index` its place in the batch; no timestamp or
   * status yet) and `prefetch` is called once. A sink uses them to touch the state the batch will need, so
   * that its cache misses overlap instead of waiting one after another; they must change nothing.
   */
  preview?(view: LogLineView, index: number): void;
  prefetch?(count: number): void;
}

/**
 * The fields whose bounds the scan records for every line: up to the last one a line's detection reads (date,
 * time, address, path, status, user agent, query, result type). The others are found when asked for.
 */
export function headFields(layout: FieldLayout | undefined): number {
  if (layout === undefined) return MAX_FIELDS;
  const { date, time, clientIp, uriStem, status, userAgent, query, edgeResultType } = layout;
  return Math.min(
    MAX_FIELDS,
    1 + Math.max(date, time, clientIp, uriStem, status, userAgent, query, edgeResultType),
  );
}

/** Lines handed to a sink per batch (see LogLineSink.preview). */
export const LINE_BATCH = 32;

/**
 * Splits byte chunks into lines and parses them into one reusable view. Feed chunks in order with `push`
 * (or, from a scanning thread, buffers of whole lines with their index: `pushIndexed`), then call `end` once.
 */
export class CloudFrontByteScanner {
  private readonly parser: CloudFrontLineParser;
  private readonly view = new LogLineView();
  /** A line cut by a chunk boundary, kept until its end arrives. */
  private carry: Buffer | undefined;
  private lastDate = Buffer.alloc(0);
  private lastDateMs = Number.NaN;
  /** The lines of the chunk being scanned. */
  private readonly index = new LineIndex(1024);
  /** The tabs of a final line read without its newline. */
  private readonly finalTabs = new Int32Array(ROW);
  private readonly batchPreviewed = new Uint8Array(LINE_BATCH);

  constructor(
    private readonly stats: ParseStats,
    private readonly sink: LogLineSink,
  ) {
    this.parser = new CloudFrontLineParser(stats);
  }

  /**
   * Fields whose bounds a scan records; past them it only counts tabs (all fields until a header is read).
   * Follows the layout of the last header read.
   */
  get head(): number {
    return headFields(this.parser.fieldLayout);
  }

  push(chunk: Buffer): void {
    let from = 0;
    if (this.carry !== undefined) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      const line = Buffer.concat([this.carry, chunk.subarray(0, nl + 1)]);
      this.carry = undefined;
      this.scan(line, 0);
      from = nl + 1;
    }
    const rest = this.scan(chunk, from);
    if (rest < chunk.length) this.carry = Buffer.from(chunk.subarray(rest));
  }

  /**
   * Whole lines of `buf` scanned elsewhere (`index`, by LineIndex.scan): handed to the sink as `push` would
   * hand them. Only between whole lines: nothing may be carried from an earlier chunk.
   */
  pushIndexed(buf: Buffer, index: LineIndex): void {
    if (this.carry !== undefined) throw new Error('pushIndexed after a chunk that ended inside a line');
    const { wordStart, words } = wordsOf(buf, 0);
    this.view.words = words;
    this.view.wordBase = wordStart;
    this.deliver(buf, index);
  }

  /** The last line when the input does not end with a newline (read as is, like the string reader). */
  end(): void {
    const carry = this.carry;
    this.carry = undefined;
    this.view.index = -1;
    this.view.words = NO_WORDS;
    this.view.wordBase = 0;
    this.view.recorded = MAX_FIELDS;
    if (carry !== undefined && carry.length > 0) this.line(carry, 0, carry.length, 0, 0, true);
  }

  /** Scans buf from `from` and hands its lines over; returns where the unfinished last line starts. */
  private scan(buf: Buffer, from: number): number {
    const index = this.index;
    index.count = 0;
    const rest = index.scan(buf, from, this.head);
    const { wordStart, words } = wordsOf(buf, from);
    this.view.words = words;
    this.view.wordBase = wordStart;
    this.deliver(buf, index);
    return rest;
  }

  /** Hands the indexed lines of buf to the sink in order, in batches of LINE_BATCH. */
  private deliver(buf: Buffer, index: LineIndex): void {
    this.view.tabs = index.tabs;
    for (let base = 0; base < index.count; base += LINE_BATCH) {
      this.flush(buf, index, base, Math.min(LINE_BATCH, index.count - base));
    }
  }

  /** Hands lines [base, base + count) of the index to the sink, after the read-ahead if the sink has one. */
  private flush(buf: Buffer, index: LineIndex, base: number, count: number): void {
    const sink = this.sink;
    const previewed = this.batchPreviewed;
    previewed.fill(0, 0, count);
    if (sink.preview !== undefined && sink.prefetch !== undefined) {
      const layout = this.parser.fieldLayout;
      let any = false;
      for (let k = 0; k < count && layout !== undefined; k++) {
        const start = index.starts[base + k]!;
        // A header may change the layout: lines after it are not previewed (the sink reads them as they come).
        if (buf[start] === 35) break;
        const fields = Math.min(index.fields[base + k]!, MAX_FIELDS + 1);
        if ((index.high[base + k]! & 0x80808080) !== 0 || fields !== layout.count) continue;
        this.useRow(index, base + k, buf, layout);
        this.view.index = k;
        sink.preview(this.view, k);
        previewed[k] = 1;
        any = true;
      }
      if (any) sink.prefetch(count);
    }
    for (let k = 0; k < count; k++) {
      const line = base + k;
      this.view.row = line * ROW;
      this.view.recorded = index.recorded[line]!;
      this.view.index = previewed[k] === 1 ? k : -1;
      this.line(buf, index.starts[line]!, index.ends[line]!, index.fields[line]!, index.high[line]!, false);
    }
  }

  /** Points the view at batched line k (for the read-ahead: no timestamp or status). */
  private useRow(index: LineIndex, k: number, buf: Buffer, layout: FieldLayout): void {
    const view = this.view;
    const tabs = index.tabs;
    const row = k * ROW;
    let end = index.ends[k]!;
    const start = index.starts[k]!;
    if (end > start && buf[end - 1] === CR) end--;
    view.row = row;
    view.recorded = index.recorded[k]!;
    tabs[row] = start - 1;
    tabs[row + layout.count] = end;
    view.buf = buf;
    view.layout = layout;
  }

  /**
   * One line without its newline. `fields` and the view's tabs were filled by the scan, except for the final
   * line read without its newline (`final`), whose tabs are found here.
   */
  private line(
    buf: Buffer,
    start: number,
    endIn: number,
    fieldsIn: number,
    highIn: number,
    final: boolean,
  ): void {
    let end = endIn;
    let fields = fieldsIn;
    let high = highIn;
    // CR before a newline is dropped; the string reader does not strip it from a last line without newline.
    if (!final && end > start && buf[end - 1] === CR) end--;
    if (final) {
      fields = 1;
      high = 0;
      const tabs = this.finalTabs;
      const row = 0;
      this.view.tabs = tabs;
      this.view.row = row;
      this.view.recorded = MAX_FIELDS;
      for (let i = start; i < end; i++) {
        const c = buf[i]!;
        high |= c;
        if (c === TAB) {
          if (fields <= MAX_FIELDS) tabs[row + fields++] = i;
          else fields = MAX_FIELDS + 2;
        }
      }
    }
    const stats = this.stats;
    if (end === start) {
      stats.lines++;
      return;
    }
    if (buf[start] === 35 /* # */ || (high & 0x80808080) !== 0) {
      // Headers, and lines with non-ASCII bytes (never seen in CloudFront's percent-encoded logs), go through
      // the string parser so that every length and comparison is made on the same characters.
      const record = this.parser.parse(buf.toString('utf8', start, end));
      if (record !== undefined) this.sink.record(record);
      return;
    }
    stats.lines++;
    const layout = this.parser.fieldLayout;
    if (layout === undefined) {
      this.parser.countSkip('no_fields_header');
      return;
    }
    // The string parser stops counting at MAX_FIELDS + 1.
    if (Math.min(fields, MAX_FIELDS + 1) !== layout.count) {
      this.parser.countSkip('field_count');
      return;
    }
    const view = this.view;
    const tabs = view.tabs;
    const row = view.row;
    tabs[row] = start - 1;
    tabs[row + Math.min(fields, MAX_FIELDS + 1)] = end;
    view.buf = buf;
    view.layout = layout;
    const timestampMs = this.timestamp(buf, layout.date, layout.time);
    if (Number.isNaN(timestampMs)) {
      this.parser.countSkip('bad_timestamp');
      return;
    }
    if (view.start(layout.clientIp) === view.end(layout.clientIp)) {
      this.parser.countSkip('missing_required_field');
      return;
    }
    const s = layout.status;
    const status = s < 0 ? 0 : uintAt(buf, tabs[row + s]! + 1, tabs[row + s + 1]!);
    if (status < 0) {
      this.parser.countSkip('bad_status');
      return;
    }
    stats.records++;
    view.timestampMs = timestampMs;
    view.status = status;
    this.sink.line(view);
  }

  private timestamp(buf: Buffer, dateField: number, timeField: number): number {
    const tabs = this.view.tabs;
    const row = this.view.row;
    const dateStart = tabs[row + dateField]! + 1;
    const dateEnd = tabs[row + dateField + 1]!;
    // A file spans one or two dates: compare in place and parse a date only when it changes.
    if (!sameBytes(buf, dateStart, dateEnd, this.lastDate)) {
      this.lastDate = Buffer.from(buf.subarray(dateStart, dateEnd));
      const date = this.lastDate.toString('latin1');
      this.lastDateMs = logDateMs(date);
    }
    const at = tabs[row + timeField]! + 1;
    if (Number.isNaN(this.lastDateMs) || tabs[row + timeField + 1]! - at !== 8) return Number.NaN;
    const h = twoDigitsAt(buf, at);
    const m = twoDigitsAt(buf, at + 3);
    const sec = twoDigitsAt(buf, at + 6);
    return this.lastDateMs + logTimeOfDayMs(h, m, sec);
  }
}

/**
 * Scans one CloudFront log file (plain or .gz) into `sink`; `onChunk` runs after each decompressed chunk (for
 * progress). The file is read chunk by chunk (file-chunks.ts); `inflation` chooses how a gzip file is
 * inflated, by default after the cores this process may use.
 */
export function scanCloudFrontLog(
  path: string,
  stats: ParseStats,
  sink: LogLineSink,
  onChunk?: () => void,
  inflation?: Inflation,
): Promise<void> {
  return scanCloudFrontLogs([path], stats, sink, onChunk, inflation);
}

/** An input of `scanCloudFrontLogs`: a file, or files whose lines are merged by time (one hour's edge servers). */
export type LogInput = string | readonly string[];

/**
 * Scans CloudFront log inputs one after another into `sink`, each as if alone (its own headers; a last line
 * without its newline ends with its input), as `scanCloudFrontLog` of each in turn would, but on a scanning
 * thread started once. An input of several files is read as their lines merged by time (merged-lines.ts). An
 * error names the file it came from.
 */
export async function scanCloudFrontLogs(
  inputs: readonly LogInput[],
  stats: ParseStats,
  sink: LogLineSink,
  onChunk?: () => void,
  inflation?: Inflation,
): Promise<void> {
  const lists = inputs.map((input) => (typeof input === 'string' ? [input] : input));
  let current = 0;
  let scanner = new CloudFrontByteScanner(stats, sink);
  const scannerOf = (input: number): CloudFrontByteScanner => {
    if (input !== current) {
      current = input;
      scanner = new CloudFrontByteScanner(stats, sink);
    }
    return scanner;
  };
  const onRead = (bytes: number) => {
    stats.bytesRead += bytes;
  };
  try {
    if (lists.length > 0 && (inflation ?? defaultInflation()) === 'scan-thread') {
      await scanOnThread(lists, scannerOf, stats, onChunk);
      return;
    }
    for (let input = 0; input < lists.length; input++) {
      scannerOf(input);
      const files = lists[input]!;
      const chunks =
        files.length === 1 ? fileChunks(files[0]!, onRead, inflation) : mergedChunks(files, onRead);
      for await (const chunk of chunks) {
        scanner.push(chunk);
        onChunk?.();
      }
      scanner.end();
    }
  } catch (error) {
    const named = error instanceof MergedFileError;
    const path = named ? error.path : lists[current]!.join(', ');
    const cause = named ? error.cause : error;
    throw new LogParseError(`cannot read CloudFront log ${path}: ${(cause as Error).message}`, { cause });
  }
}
