/**
 * The byte scan behind `boundless detect`: finds the lines of a buffer and, per line, its bounds, its field
 * count, the OR of its bytes (the high-bit check) and the positions of its tabs. Pure arithmetic over bytes, so
 * the same scan runs on the detectors' thread (cloudfront-bytes.ts) or on a thread of its own beside them
 * (scan-thread.ts), which hands its index over with the bytes.
 */
import { MAX_FIELDS } from './cloudfront-line.ts';
import { NO_WORDS } from './log-line-view.ts';

const TAB = 9;
const NEWLINE = 10;
/** Tab positions are read from a word's bits in the order of its bytes in memory, which needs little endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Numbers per line in `tabs`: the tab before each field (field 0: line start - 1) and the line end. */
export const ROW = MAX_FIELDS + 2;

/** The aligned 32-bit words of buf from byte `from` on: where they start, and the words. */
export function wordsOf(buf: Buffer, from: number): { wordStart: number; words: Int32Array } {
  const length = buf.length;
  const wordStart = from + ((4 - ((buf.byteOffset + from) & 3)) & 3);
  const wordCount = wordStart < length ? (length - wordStart) >> 2 : 0;
  const words = wordCount > 0 ? new Int32Array(buf.buffer, buf.byteOffset + wordStart, wordCount) : NO_WORDS;
  return { wordStart, words };
}

/**
 * The lines found so far: line k spans [starts[k], ends[k]) (its newline excluded), has `fields[k]` fields
 * (counting stops past MAX_FIELDS + 1), `high[k]` is the OR of its bytes' words, and tabs[k * ROW + 1 ..
 * k * ROW + recorded[k]] are its first tabs. Arrays are either owned (growing) or views of memory handed over
 * by another thread (`over`).
 */
export class LineIndex {
  starts: Int32Array<ArrayBufferLike>;
  ends: Int32Array<ArrayBufferLike>;
  fields: Int32Array<ArrayBufferLike>;
  high: Int32Array<ArrayBufferLike>;
  recorded: Int32Array<ArrayBufferLike>;
  tabs: Int32Array<ArrayBufferLike>;
  count = 0;

  constructor(capacity = 64) {
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.fields = new Int32Array(capacity);
    this.high = new Int32Array(capacity);
    this.recorded = new Int32Array(capacity);
    this.tabs = new Int32Array(capacity * ROW);
  }

  /** An index over memory laid out by `layoutIndex` (for `lines` lines), holding `count` lines. */
  static over(memory: ArrayBufferLike, lines: number, count: number): LineIndex {
    const index = new LineIndex(0);
    index.starts = new Int32Array(memory, 0, lines);
    index.ends = new Int32Array(memory, 4 * lines, lines);
    index.fields = new Int32Array(memory, 8 * lines, lines);
    index.high = new Int32Array(memory, 12 * lines, lines);
    index.recorded = new Int32Array(memory, 16 * lines, lines);
    index.tabs = new Int32Array(memory, 20 * lines, lines * ROW);
    index.count = count;
    return index;
  }

  /** Bytes of memory `over` needs for `lines` lines. */
  static bytesFor(lines: number): number {
    return 4 * lines * (5 + ROW);
  }

  get capacity(): number {
    return this.starts.length;
  }

  /** Room for twice the lines (owned arrays only). */
  private grow(): void {
    const capacity = Math.max(64, 2 * this.capacity);
    const widen = (a: Int32Array<ArrayBufferLike>, size: number) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.starts = widen(this.starts, capacity);
    this.ends = widen(this.ends, capacity);
    this.fields = widen(this.fields, capacity);
    this.high = widen(this.high, capacity);
    this.recorded = widen(this.recorded, capacity);
    this.tabs = widen(this.tabs, capacity * ROW);
  }

  /**
   * Appends the lines of buf[from, length) that end with a newline, at most `maxLines` in all (growing the
   * arrays when `maxLines` is larger than they are); returns where the first line not taken starts. `head`:
   * how many fields' tabs to record per line; past them tabs are only counted.
   *
   * Four bytes at a time: a word without a byte below 11 (no tab, no newline) only adds its bits to the
   * line's high-bit check, and only words with one are looked at byte by byte. Past the fields it records, a
   * line's tabs are counted a word at a time without a branch per tab, until the word holding its newline.
   */
  scan(buf: Buffer, from: number, head: number, maxLines = Number.POSITIVE_INFINITY): number {
    if (this.count >= maxLines) return from;
    let tabs = this.tabs;
    let row = this.count * ROW;
    const length = buf.length;
    const { wordStart, words } = wordsOf(buf, from);
    const wordCount = words.length;
    const wordEnd = wordStart + 4 * wordCount;
    let lineStart = from;
    let fields = 1;
    let high = 0;
    let i = from;
    while (i < length) {
      let stop = i + 1;
      if (i >= wordStart && i < wordEnd) {
        let w = (i - wordStart) >> 2;
        let x = words[w]!;
        if (fields > head) {
          // The line's tail: tabs counted from each word's exact mask, up to the word with a newline.
          for (;;) {
            if (((x - 0x0b0b0b0b) & ~x & 0x80808080) !== 0) {
              const newlines = x ^ 0x0a0a0a0a;
              if ((((newlines & 0x7f7f7f7f) + 0x7f7f7f7f) | newlines | 0x7f7f7f7f) !== -1) break;
              const xt = x ^ 0x09090909;
              const mask = ~(((xt & 0x7f7f7f7f) + 0x7f7f7f7f) | xt | 0x7f7f7f7f);
              fields += Math.imul(mask >>> 7, 0x01010101) >>> 24;
            }
            high |= x;
            if (++w === wordCount) break;
            x = words[w]!;
          }
          i = wordStart + 4 * w;
          if (w === wordCount) continue;
          stop = i + 4;
        } else {
          // Words without a byte below 11 (most of a line) are skipped in a loop of their own.
          // Some byte of x is below 11 exactly when this is non-zero (bytes of 0x80 and above never trip it).
          while (((x - 0x0b0b0b0b) & ~x & 0x80808080) === 0) {
            high |= x;
            if (++w === wordCount) break;
            x = words[w]!;
          }
          i = wordStart + 4 * w;
          if (w === wordCount) continue;
          // Exactly the tab bytes and the newline bytes of x (0x80 in each).
          const xt = x ^ 0x09090909;
          const newlines = x ^ 0x0a0a0a0a;
          if (LITTLE_ENDIAN && ~(((newlines & 0x7f7f7f7f) + 0x7f7f7f7f) | newlines | 0x7f7f7f7f) === 0) {
            // Tabs only (most such words): their positions from the mask's bits, without a branch per byte.
            let mask = ~(((xt & 0x7f7f7f7f) + 0x7f7f7f7f) | xt | 0x7f7f7f7f);
            while (mask !== 0) {
              if (fields <= MAX_FIELDS) tabs[row + fields++] = i + ((31 - Math.clz32(mask & -mask)) >> 3);
              else fields = MAX_FIELDS + 2;
              mask &= mask - 1;
            }
            high |= x;
            i += 4;
            continue;
          }
          stop = i + 4;
        }
      }
      for (; i < stop; i++) {
        const c = buf[i]!;
        if (c > TAB + 1) {
          high |= c;
          continue;
        }
        if (c === TAB) {
          if (fields <= MAX_FIELDS) tabs[row + fields++] = i;
          else fields = MAX_FIELDS + 2;
        } else if (c === NEWLINE) {
          const k = this.count++;
          this.starts[k] = lineStart;
          this.ends[k] = i;
          this.fields[k] = fields;
          this.high[k] = high;
          this.recorded[k] = Math.min(fields - 1, head, MAX_FIELDS);
          lineStart = i + 1;
          if (this.count === maxLines) return lineStart;
          if (this.count === this.capacity) this.grow();
          tabs = this.tabs;
          row = this.count * ROW;
          fields = 1;
          high = 0;
        }
      }
    }
    return lineStart;
  }
}
