/**
 * The lines of several CloudFront log files merged by time into one stream of bytes, as one file would hold them:
 * the files of one hour from several edge servers, read by the byte scanner without making records. Each file is
 * read in its own order, and the next line is always the earliest of the files' next lines (the earlier file on
 * a tie), so the records come in the order the record merge (`readCloudFrontLogs`) gives them. Lines with no time
 * to order by (headers, blanks, lines the scanner will skip) go out as soon as their file reaches them. Every
 * line leaves with a newline, the last line of a file without one too.
 *
 * Files of one distribution share one header. Should a file's `#Fields` differ from the one last sent, it is sent
 * again before that file's next line, so each line is read with its own file's fields, and a file with no header
 * is sent an empty one (either then counts as a line read).
 */
import { CloudFrontLineParser, newParseStats } from './cloudfront-line.ts';
import { logDateMs, logTimeOfDayMs } from './cloudfront-time.ts';
import { FILE_CHUNK, fileChunks } from './file-chunks.ts';
import { siftDown } from '@boundless/common/min-heap';

const NEWLINE = 10;
const TAB = 9;
const HASH = 35;
const CR = 13;
/** Lines go out in chunks of about this many bytes. */
const OUT_BYTES = FILE_CHUNK;

/** A file of the merge could not be read: which one, the reader's error as the cause. */
export class MergedFileError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'MergedFileError';
  }
}

/** One file's lines, one at a time, with the time each is ordered by. */
class LineSource {
  private readonly chunks: AsyncGenerator<Buffer>;
  private buf = Buffer.allocUnsafe(1 << 16);
  private start = 0;
  private end = 0;
  private done = false;
  private readonly parser = new CloudFrontLineParser(newParseStats());
  private lastDate = Buffer.alloc(0);
  private lastDateMs = Number.NaN;
  /** The current line is buf[lineStart, lineEnd) (without its newline). */
  lineStart = 0;
  lineEnd = 0;
  /** Its time (ms), or -Infinity for a line with none (sent at once). */
  key = Number.NEGATIVE_INFINITY;
  /** The text of this file's last `#Fields` header. */
  fields = '';

  constructor(
    readonly path: string,
    readonly order: number,
    onRead?: (bytes: number) => void,
  ) {
    this.chunks = fileChunks(path, onRead, 'reused-buffer');
  }

  /** The current line's bytes. */
  get line(): Buffer {
    return this.buf.subarray(this.lineStart, this.lineEnd);
  }

  /** Moves to the next line; false at the end of the file. */
  async next(): Promise<boolean> {
    for (;;) {
      const moved = this.nextRead();
      if (moved !== undefined) return moved;
      await this.fill();
    }
  }

  /**
   * Moves to the next line when the bytes read so far hold it (no wait: most lines), false at the end of the
   * file, undefined when more of the file must be read first (`next`).
   */
  nextRead(): boolean | undefined {
    const newline = this.buf.indexOf(NEWLINE, this.start);
    if (newline >= 0 && newline < this.end) {
      this.take(newline, newline + 1);
      return true;
    }
    if (!this.done) return undefined;
    if (this.start >= this.end) return false;
    this.take(this.end, this.end);
    return true;
  }

  private take(lineEnd: number, nextStart: number): void {
    this.lineStart = this.start;
    this.lineEnd = lineEnd > this.start && this.buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    this.start = nextStart;
    this.key = this.keyOf();
  }

  /** Appends the next chunk of the file after the unread bytes (the chunk's buffer is reused by its reader). */
  private async fill(): Promise<void> {
    let step: IteratorResult<Buffer>;
    try {
      step = await this.chunks.next();
    } catch (error) {
      throw new MergedFileError(this.path, error);
    }
    if (step.done === true) {
      this.done = true;
      return;
    }
    const chunk = step.value;
    const unread = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      const room = unread + chunk.length;
      const target = room > this.buf.length ? Buffer.allocUnsafe(2 * room) : this.buf;
      this.buf.copy(target, 0, this.start, this.end);
      this.buf = target;
      this.start = 0;
      this.end = unread;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  /** The current line's time from its `date` and `time` fields, after this file's header; -Infinity when none. */
  private keyOf(): number {
    const buf = this.buf;
    const from = this.lineStart;
    const to = this.lineEnd;
    if (from === to) return Number.NEGATIVE_INFINITY;
    if (buf[from] === HASH) {
      const text = buf.toString('utf8', from, to);
      this.parser.parse(text);
      if (text.startsWith('#Fields:')) this.fields = text;
      return Number.NEGATIVE_INFINITY;
    }
    const layout = this.parser.fieldLayout;
    if (layout === undefined) return Number.NEGATIVE_INFINITY;
    const dateStart = fieldStart(buf, from, to, layout.date);
    const timeStart = fieldStart(buf, from, to, layout.time);
    if (dateStart < 0 || timeStart < 0) return Number.NEGATIVE_INFINITY;
    const dateEnd = fieldEnd(buf, dateStart, to);
    if (fieldEnd(buf, timeStart, to) - timeStart !== 8) return Number.NEGATIVE_INFINITY;
    // A file spans an hour: its date is compared in place and parsed only when it changes.
    const last = this.lastDate;
    if (dateEnd - dateStart !== last.length || buf.compare(last, 0, last.length, dateStart, dateEnd) !== 0) {
      this.lastDate = Buffer.from(buf.subarray(dateStart, dateEnd));
      this.lastDateMs = logDateMs(this.lastDate.toString('latin1'));
    }
    const ms =
      this.lastDateMs +
      logTimeOfDayMs(digits(buf, timeStart), digits(buf, timeStart + 3), digits(buf, timeStart + 6));
    return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
  }
}

/** Where field `field` (0-based) of the line buf[from, to) starts, or -1 when the line has fewer fields. */
function fieldStart(buf: Buffer, from: number, to: number, field: number): number {
  let start = from;
  for (let k = 0; k < field; k++) {
    const tab = buf.indexOf(TAB, start);
    if (tab < 0 || tab >= to) return -1;
    start = tab + 1;
  }
  return start;
}

/** Where the field starting at `start` ends (its tab, or the line's end). */
function fieldEnd(buf: Buffer, start: number, to: number): number {
  for (let i = start; i < to; i++) if (buf[i] === TAB) return i;
  return to;
}

/** Two decimal digits at `at` of `buf`, or -1. */
function digits(buf: Buffer, at: number): number {
  const a = buf[at]! - 48;
  const b = buf[at + 1]! - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Whether source a's line goes before source b's: the earlier time, then the earlier file. */
function before(a: LineSource, b: LineSource): boolean {
  return a.key < b.key || (a.key === b.key && a.order < b.order);
}

/**
 * The lines of the files at `paths` (plain or .gz) merged by time, in chunks of whole lines; a chunk's buffer is
 * reused once the next is asked for. `onRead` counts the bytes read from the files. A file that cannot be read
 * fails the merge with a MergedFileError naming it.
 */
export async function* mergedChunks(
  paths: readonly string[],
  onRead?: (bytes: number) => void,
): AsyncGenerator<Buffer, void, undefined> {
  const heap: LineSource[] = [];
  for (let order = 0; order < paths.length; order++) {
    const source = new LineSource(paths[order]!, order, onRead);
    if (await source.next()) heap.push(source);
  }
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i, before);
  const out = Buffer.allocUnsafe(OUT_BYTES);
  let used = 0;
  let sentFields = '';
  const send = function* (line: Buffer): Generator<Buffer> {
    if (used + line.length + 1 > out.length) {
      if (used > 0) yield out.subarray(0, used);
      used = 0;
      if (line.length + 1 > out.length) {
        yield Buffer.concat([line, Buffer.of(NEWLINE)]);
        return;
      }
    }
    line.copy(out, used);
    used += line.length;
    out[used++] = NEWLINE;
  };
  while (heap.length > 0) {
    const top = heap[0]!;
    const line = top.line;
    if (line.length > 0 && line[0] === HASH) {
      // The source parsed this header when it reached it: a `#Fields` line is now its fields.
      if (line.toString('latin1', 0, 8) === '#Fields:') sentFields = top.fields;
    } else if (line.length > 0 && top.fields !== sentFields) {
      // A file without a header of its own is sent an empty one, which reads its lines as having none.
      yield* send(Buffer.from(top.fields === '' ? '#Fields:' : top.fields, 'utf8'));
      sentFields = top.fields;
    }
    // The common case inline (send's generator is for the rare repeated header).
    if (used + line.length + 1 <= out.length) {
      line.copy(out, used);
      used += line.length;
      out[used++] = NEWLINE;
    } else yield* send(line);
    if (top.nextRead() ?? (await top.next())) siftDown(heap, 0, before);
    else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown(heap, 0, before);
      }
    }
  }
  if (used > 0) yield out.subarray(0, used);
}
