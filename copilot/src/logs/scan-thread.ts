/**
 * `boundless detect` on two cores: a thread of its own reads the file, inflates it, finds its lines and their
 * tabs (LineIndex), and hands whole lines with their index to the detectors' thread, which only checks and
 * detects. The bytes and indexes travel through a few shared blocks, reused in turn (no copy and no garbage
 * per block): the thread fills the next block, posts its number, and the detectors' thread frees it when done.
 * Lines reach the sink exactly as `CloudFrontByteScanner.push` would hand them over (same order, same views).
 */
import { on } from 'node:events';
import { startTsWorker } from '@boundless/common/ts-worker';
import type { CloudFrontByteScanner } from './cloudfront-bytes.ts';
import type { ParseStats } from './cloudfront-line.ts';
import { FILE_CHUNK, GunzipError } from './file-chunks.ts';
import { LineIndex } from './line-index.ts';
import { MergedFileError } from './merged-lines.ts';

/** Blocks in turn: the scanning thread may run this many blocks ahead of the detectors. */
const BLOCKS = 4;
/** Bytes per block (at most: a block holds whole lines). */
export const BLOCK_BYTES = FILE_CHUNK;
/** Lines per block at most (the index's size; CloudFront lines are some hundred bytes). */
export const BLOCK_LINES = 8192;

/** One shared block: the bytes, and the index of the lines in them. */
interface SharedBlock {
  bytes: SharedArrayBuffer;
  index: SharedArrayBuffer;
}

/** What the scanning thread posts. */
export type FromScanThread =
  | {
      kind: 'block';
      block: number;
      /** Bytes [0, rawEnd) go through CloudFrontByteScanner.push (the rest of a line longer than a block). */
      rawEnd: number;
      /** Then `lines` indexed lines, all within [rawEnd, length). */
      length: number;
      lines: number;
      bytesRead: number;
    }
  /** The end of input `file` of `inputs`: its scanner ends, the next input's starts. */
  | { kind: 'done'; file: number; bytesRead: number }
  /** `path`: the file of a merged input that failed. */
  | { kind: 'failed'; message: string; code?: string; path?: string };

export interface ScanThreadData {
  /** Read one after another, each as if alone: a file, or several files' lines merged by time. */
  inputs: string[][];
  blocks: SharedBlock[];
  /**
   * One Int32 per block, 1 while the detectors' thread holds it: the scanning thread takes blocks in turn and
   * waits (Atomics.wait) for the next one to be freed; freeing is a store and a notify, not a message.
   */
  held: SharedArrayBuffer;
}

/** Block `block` of `held` is being filled or read. */
export const HELD = 1;

/**
 * Scans `inputs` one after another on one thread of its own: each a file (plain or .gz) or several files whose
 * lines are merged by time (merged-lines.ts). Input k's lines go to `scanners(k)`, which is ended at the input's
 * end, so each is read as if alone, by a thread started once. `onChunk` runs after each block (for progress).
 * Errors of a file (missing, not gzip, cut short) are thrown here as the single-threaded reader throws them (a
 * merged input's as a MergedFileError naming the file), while that input's scanner is the last one made.
 */
export async function scanOnThread(
  inputs: readonly (readonly string[])[],
  scanners: (input: number) => CloudFrontByteScanner,
  stats: ParseStats,
  onChunk?: () => void,
): Promise<void> {
  const blocks: SharedBlock[] = Array.from({ length: BLOCKS }, () => ({
    bytes: new SharedArrayBuffer(BLOCK_BYTES),
    index: new SharedArrayBuffer(LineIndex.bytesFor(BLOCK_LINES)),
  }));
  const views = blocks.map((b) => ({
    bytes: Buffer.from(b.bytes),
    index: LineIndex.over(b.index, BLOCK_LINES, 0),
  }));
  const held = new Int32Array(new SharedArrayBuffer(4 * BLOCKS));
  const data: ScanThreadData = {
    inputs: inputs.map((input) => [...input]),
    blocks,
    held: held.buffer as SharedArrayBuffer,
  };
  const worker = startTsWorker(new URL('./scan-thread-entry.ts', import.meta.url), {
    workerData: data as unknown as Record<string, unknown>,
  });
  const stop = new AbortController();
  let scanner = scanners(0);
  let done = false;
  worker.once('exit', (code) => {
    if (!done)
      stop.abort(new Error(`the scanning thread exited with code ${code} before the end of its files`));
  });
  try {
    for await (const [message] of on(worker, 'message', { signal: stop.signal }) as AsyncIterable<
      [FromScanThread]
    >) {
      if (message.kind === 'failed') {
        const cause =
          message.code === undefined
            ? new Error(message.message)
            : new GunzipError(message.message, message.code);
        throw message.path === undefined ? cause : new MergedFileError(message.path, cause);
      }
      stats.bytesRead += message.bytesRead;
      if (message.kind === 'done') {
        scanner.end();
        if (message.file === inputs.length - 1) break;
        scanner = scanners(message.file + 1);
        continue;
      }
      const view = views[message.block]!;
      const buf = view.bytes.subarray(0, message.length);
      if (message.rawEnd > 0) scanner.push(buf.subarray(0, message.rawEnd));
      if (message.lines > 0) {
        view.index.count = message.lines;
        scanner.pushIndexed(buf, view.index);
      }
      Atomics.store(held, message.block, 0);
      Atomics.notify(held, message.block);
      onChunk?.();
    }
    done = true;
  } catch (error) {
    throw unwrap(error);
  } finally {
    done = true;
    await worker.terminate();
  }
}

/** `events.on` rejects an aborted iteration with an AbortError whose cause is the reason. */
function unwrap(error: unknown): unknown {
  if (error instanceof Error && error.name === 'AbortError' && error.cause !== undefined) return error.cause;
  return error;
}
