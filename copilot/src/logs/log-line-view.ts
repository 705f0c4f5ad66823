/**
 * The reusable view of one line that the byte scanner (cloudfront-bytes.ts) hands to its sink: the line's
 * bytes and the positions of its tabs, with getters that decode a field only when asked for.
 */
import { decodeLogField, type EdgeLogRecord, type FieldLayout, MAX_FIELDS } from './cloudfront-line.ts';

const TAB = 9;
const DASH = 45;
export const NO_WORDS = new Int32Array(0);

/**
 * One parsed line, valid only during the sink call that receives it. Offsets are into `buf`; `tabs[row + i]` is
 * the position of the tab before field i (field 0: the line start minus one) and `tabs[row + count]` the line
 * end. The tabs are the scan's own rows (LineIndex), one per line: pointing the view at a line copies nothing.
 * Also an EdgeLogRecord whose getters decode on demand, for code that reads a field rarely.
 */
export class LogLineView implements EdgeLogRecord {
  buf: Buffer = Buffer.alloc(0);
  tabs: Int32Array<ArrayBufferLike> = new Int32Array(MAX_FIELDS + 2);
  row = 0;
  layout!: FieldLayout;
  timestampMs = 0;
  status = 0;
  /** The line's place in its batch if the sink previewed it (LogLineSink.preview), else -1. */
  index = -1;
  /** buf's aligned 32-bit words from byte `wordBase` on, for searching a field four bytes at a time. */
  words: Int32Array = NO_WORDS;
  wordBase = 0;
  /**
   * How many tab positions of the row the scanner recorded (tabs[row + 1 .. row + recorded]); the line end is
   * always at tabs[row + count]. The scanner records the tabs up to the last field it reads per line and only
   * counts the rest; a field past them has its tabs found when first asked for (`complete`).
   */
  recorded = MAX_FIELDS;

  /** Start of field i (i ≥ 0 and in the layout); the field is empty or absent when start === end. */
  start(i: number): number {
    if (i >= this.recorded) this.complete();
    const at = this.row + i;
    const start = this.tabs[at]! + 1;
    const end = this.tabs[at + 1]!;
    return end - start === 1 && this.buf[start] === DASH ? end : start;
  }

  end(i: number): number {
    if (i >= this.recorded) this.complete();
    return this.tabs[this.row + i + 1]!;
  }

  /** Records the tabs of the row past those the scanner recorded, up to the line end. */
  private complete(): void {
    const tabs = this.tabs;
    const row = this.row;
    const count = this.layout.count;
    const end = tabs[row + count]!;
    const buf = this.buf;
    let field = this.recorded + 1;
    for (let i = tabs[row + this.recorded]! + 1; i < end && field < count; i++) {
      if (buf[i] === TAB) tabs[row + field++] = i;
    }
    this.recorded = MAX_FIELDS;
  }

  /** The first position of `byte` in buf[from, to), or -1; four bytes at a time where the words cover it. */
  indexOfByte(byte: number, from: number, to: number): number {
    const buf = this.buf;
    const words = this.words;
    const base = this.wordBase;
    const wordsEnd = base + 4 * words.length;
    let i = from;
    if (i >= base && i < wordsEnd) {
      for (; i < to && ((i - base) & 3) !== 0; i++) if (buf[i] === byte) return i;
      const pattern = Math.imul(byte, 0x01010101);
      for (; i + 4 <= to && i + 4 <= wordsEnd; i += 4) {
        const y = words[(i - base) >> 2]! ^ pattern;
        // Non-zero when some byte of y is zero (the byte is in this word), and rarely otherwise.
        if (((y - 0x01010101) & ~y & 0x80808080) !== 0) break;
      }
    }
    for (; i < to; i++) if (buf[i] === byte) return i;
    return -1;
  }

  /** Field i as CloudFrontLineParser returns it: raw (still percent-encoded), '' when absent. */
  field(i: number): string {
    if (i < 0) return '';
    const start = this.start(i);
    const end = this.end(i);
    return start === end ? '' : this.buf.toString('latin1', start, end);
  }

  get edgeLocation(): string {
    return this.field(this.layout.edgeLocation);
  }
  get bytes(): number {
    const i = this.layout.bytes;
    if (i < 0) return 0;
    const end = this.end(i);
    return Math.max(0, uintAt(this.buf, this.tabs[this.row + i]! + 1, end));
  }
  get clientIp(): string {
    return this.field(this.layout.clientIp);
  }
  get method(): string {
    return this.field(this.layout.method);
  }
  get host(): string {
    return decodeLogField(this.field(this.layout.host));
  }
  get uriStem(): string {
    return decodeLogField(this.field(this.layout.uriStem));
  }
  get referer(): string {
    return decodeLogField(this.field(this.layout.referer));
  }
  get userAgent(): string {
    return decodeLogField(this.field(this.layout.userAgent));
  }
  get query(): string {
    return this.field(this.layout.query);
  }
  get edgeResultType(): string {
    return this.field(this.layout.edgeResultType);
  }
  get requestId(): string {
    return this.field(this.layout.requestId);
  }
  get timeTakenMs(): number {
    const raw = this.field(this.layout.timeTaken);
    if (raw.length === 0) return 0;
    const seconds = Number(raw);
    return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : 0;
  }
  get detailedResultType(): string {
    return this.field(this.layout.detailedResultType);
  }
  get contentType(): string {
    return this.field(this.layout.contentType);
  }
}

/** Non-negative integer in buf[start, end), or -1 (same rules as CloudFrontLineParser). */
export function uintAt(buf: Buffer, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let value = 0;
  for (let k = start; k < end; k++) {
    const digit = buf[k]! - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
