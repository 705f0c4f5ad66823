/**
 * Inside the scanning thread (see scan-thread.ts): reads and inflates the inputs one after another on this thread
 * (a file, or several files' lines merged by time: merged-lines.ts), copies their bytes into the shared blocks in
 * turn, indexes the whole lines of each block and posts it. A block's unfinished last line moves to the start of
 * the next block; a line longer than a block goes over as raw bytes. A block never holds two inputs: each input's
 * end is posted (`done`), and the next starts afresh.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { headFields } from './cloudfront-bytes.ts';
import { CloudFrontLineParser, MAX_FIELDS } from './cloudfront-line.ts';
import { newParseStats } from './cloudfront-standard.ts';
import { fileChunks, GunzipError } from './file-chunks.ts';
import { LineIndex } from './line-index.ts';
import { MergedFileError, mergedChunks } from './merged-lines.ts';
import { BLOCK_BYTES, BLOCK_LINES, type FromScanThread, HELD, type ScanThreadData } from './scan-thread.ts';

const port = parentPort;
if (!port) throw new Error('scan-thread-entry runs in a worker thread');
const { inputs, blocks, held: heldMemory } = workerData as ScanThreadData;
const held = new Int32Array(heldMemory);
const bytes = blocks.map((b) => Buffer.from(b.bytes));
const indexes = blocks.map((b) => LineIndex.over(b.index, BLOCK_LINES, 0));

let taken = 0;

/**
 * The next block in turn, once the detectors' thread has freed it. Waiting blocks this thread, which has
 * nothing else to do meanwhile (no read is in flight between chunks).
 */
function nextBlock(): number {
  const next = taken++ % blocks.length;
  while (Atomics.load(held, next) === HELD) Atomics.wait(held, next, HELD);
  Atomics.store(held, next, HELD);
  return next;
}

/** The layout of the file's last header (its fields tell how many tabs per line to record). */
let parser = new CloudFrontLineParser(newParseStats());
let head = MAX_FIELDS;
let block = nextBlock();
let used = 0;
let bytesRead = 0;
/** The current block starts inside a line begun in an earlier block (sent raw). */
let insideLongLine = false;

function post(message: FromScanThread): void {
  port!.postMessage(message);
}

/** Posts the current block's whole lines, then starts the next block with what is left (all of it: `final`). */
function emit(final: boolean): void {
  for (;;) {
    if (used === 0) return;
    const buf = bytes[block]!.subarray(0, used);
    let from = 0;
    if (insideLongLine) {
      const newline = buf.indexOf(10);
      from = newline < 0 ? used : newline + 1;
      insideLongLine = newline < 0;
    }
    const index = indexes[block]!;
    index.count = 0;
    const rest = from < used ? index.scan(buf, from, head, BLOCK_LINES) : from;
    if (index.count === 0) {
      // No whole line after `from` (emit runs on a full block): a line longer than a block, or the file's
      // last line without its newline.
      post({ kind: 'block', block, rawEnd: used, length: used, lines: 0, bytesRead });
      bytesRead = 0;
      insideLongLine = !final;
      block = nextBlock();
      used = 0;
      return;
    }
    post({ kind: 'block', block, rawEnd: from, length: rest, lines: index.count, bytesRead });
    bytesRead = 0;
    for (let k = 0; k < index.count; k++) {
      const start = index.starts[k]!;
      if (buf[start] !== 35) continue;
      let end = index.ends[k]!;
      if (end > start && buf[end - 1] === 13) end--;
      parser.parse(buf.toString('utf8', start, end));
      head = headFields(parser.fieldLayout);
    }
    const next = nextBlock();
    // The posted block is only read until freed, and is not taken again before this copy.
    buf.copy(bytes[next]!, 0, rest, used);
    used -= rest;
    block = next;
    if (!final || used === 0) return;
  }
}

let file = 0;
try {
  for (; file < inputs.length; file++) {
    const input = inputs[file]!;
    const onRead = (n: number) => {
      bytesRead += n;
    };
    const chunks =
      input.length === 1 ? fileChunks(input[0]!, onRead, 'reused-buffer') : mergedChunks(input, onRead);
    for await (const chunk of chunks) {
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(chunk.length - at, BLOCK_BYTES - used);
        chunk.copy(bytes[block]!, used, at, at + n);
        used += n;
        at += n;
        if (used === BLOCK_BYTES) emit(false);
      }
    }
    emit(true);
    post({ kind: 'done', file, bytesRead });
    bytesRead = 0;
    // The next file is read as if alone: no header of this one, no line of it unfinished.
    parser = new CloudFrontLineParser(newParseStats());
    head = MAX_FIELDS;
    insideLongLine = false;
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof MergedFileError ? error.cause : error;
  post({
    kind: 'failed',
    message,
    ...(cause instanceof GunzipError ? { code: cause.code } : {}),
    ...(error instanceof MergedFileError ? { path: error.path } : {}),
  });
}
