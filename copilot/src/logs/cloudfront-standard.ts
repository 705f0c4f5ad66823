/**
 * Reading CloudFront standard logs from disk: plain or gzip files, directories of hourly files merged into
 * one event-time-ordered stream. Parsing itself lives in cloudfront-line.ts; this module is the I/O shell.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import {
  CloudFrontLineParser,
  type EdgeLogRecord,
  LogParseError,
  type ParseStats,
} from './cloudfront-line.ts';
import { fileChunks } from './file-chunks.ts';
import { siftDown, siftUp } from '@boundless/common/min-heap';

export {
  CloudFrontLineParser,
  type EdgeLogRecord,
  newParseStats,
  type ParseStats,
  parseCloudFrontLog,
  toPlainRecord,
} from './cloudfront-line.ts';

const MERGED_BATCH = 4096;

/** The file's text chunk by chunk (a character cut by a chunk boundary is held back, as a stream's would be). */
async function* textChunks(path: string, stats: ParseStats | undefined): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of fileChunks(path, stats && ((bytes) => (stats.bytesRead += bytes)))) {
    const text = decoder.write(chunk);
    if (text.length > 0) yield text;
  }
  const tail = decoder.end();
  if (tail.length > 0) yield tail;
}

/** Records of one file, one array per decoded chunk (far fewer awaits than one per record). */
async function* readCloudFrontLogBatches(path: string, stats?: ParseStats): AsyncGenerator<EdgeLogRecord[]> {
  const parser = new CloudFrontLineParser(stats);
  let rest = '';
  try {
    for await (const chunk of textChunks(path, stats)) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      const batch: EdgeLogRecord[] = [];
      for (const line of lines) {
        const record = parser.parse(line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);
        if (record !== undefined) batch.push(record);
      }
      if (batch.length > 0) yield batch;
    }
  } catch (error) {
    throw new LogParseError(`cannot read CloudFront log ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (rest.length > 0) {
    const record = parser.parse(rest);
    if (record !== undefined) yield [record];
  }
}

/** Records of one CloudFront log file (plain or .gz); malformed lines are counted in `stats` and skipped. */
export async function* readCloudFrontLog(path: string, stats?: ParseStats): AsyncGenerator<EdgeLogRecord> {
  for await (const batch of readCloudFrontLogBatches(path, stats)) yield* batch;
}

const LOG_NAME = /\.(gz|log|txt)$/;
const HOUR_IN_NAME = /(\d{4})-(\d{2})-(\d{2})-(\d{2})/;

/** Expands files and directories (recursively) into log files; names a missing path in its error. */
export async function listCloudFrontLogFiles(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch((error: unknown) => {
      throw new LogParseError(`input not found: ${input}`, { cause: error });
    });
    if (info.isDirectory()) {
      const entries = await readdir(input, { recursive: true, withFileTypes: true });
      for (const entry of entries) {
        if (entry.isFile() && LOG_NAME.test(entry.name)) files.push(join(entry.parentPath, entry.name));
      }
    } else {
      files.push(input);
    }
  }
  return [...new Set(files)].sort();
}

/** Start of the hour a CloudFront file name carries (`<dist>.YYYY-MM-DD-HH.<id>.gz`), or undefined. */
export function hourFromFileName(path: string): number | undefined {
  const m = HOUR_IN_NAME.exec(basename(path));
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
  return Number.isNaN(ms) ? undefined : ms;
}

async function firstTimestamp(path: string): Promise<number> {
  for await (const batch of readCloudFrontLogBatches(path)) return batch[0]!.timestampMs;
  return Number.POSITIVE_INFINITY;
}

interface Cursor {
  order: number;
  batches: AsyncGenerator<EdgeLogRecord[]>;
  batch: EdgeLogRecord[];
  index: number;
}

function before(a: Cursor, b: Cursor): boolean {
  const ta = a.batch[a.index]!.timestampMs;
  const tb = b.batch[b.index]!.timestampMs;
  return ta < tb || (ta === tb && a.order < b.order);
}

async function refill(cursor: Cursor): Promise<boolean> {
  const next = await cursor.batches.next();
  if (next.done) return false;
  cursor.batch = next.value;
  cursor.index = 0;
  return true;
}

/**
 * Records of many files and directories in event-time order, in batches. Each file is opened only when the
 * merge reaches its start time, so a day of hourly files from many edges keeps few files open at once.
 * Records are assumed ordered within a file, as CloudFront writes them (nearly; detectors tolerate jitter).
 */
export async function* readCloudFrontLogs(
  inputs: readonly string[],
  stats?: ParseStats,
): AsyncGenerator<EdgeLogRecord[]> {
  const files = await listCloudFrontLogFiles(inputs);
  if (files.length === 1) {
    yield* readCloudFrontLogBatches(files[0]!, stats);
    return;
  }
  const starts = await Promise.all(files.map(async (f) => hourFromFileName(f) ?? firstTimestamp(f)));
  const pending = files
    .map((path, order) => ({ path, order, start: starts[order]! }))
    .sort((a, b) => a.start - b.start || a.order - b.order);
  const heap: Cursor[] = [];
  let out: EdgeLogRecord[] = [];
  let next = 0;
  for (;;) {
    while (next < pending.length) {
      const file = pending[next]!;
      const top = heap[0];
      if (top !== undefined && file.start > top.batch[top.index]!.timestampMs) break;
      next++;
      const cursor: Cursor = {
        order: file.order,
        batches: readCloudFrontLogBatches(file.path, stats),
        batch: [],
        index: 0,
      };
      if (await refill(cursor)) {
        heap.push(cursor);
        siftUp(heap, heap.length - 1, before);
      }
    }
    const top = heap[0];
    if (top === undefined) break;
    out.push(top.batch[top.index]!);
    top.index++;
    if (top.index >= top.batch.length && !(await refill(top))) {
      const last = heap.pop()!;
      if (heap.length > 0) heap[0] = last;
    }
    if (heap.length > 0) siftDown(heap, 0, before);
    if (out.length >= MERGED_BATCH) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}
