/**
 * Reads a log file chunk by chunk. A plain file is read into one reused buffer. A gzip file is inflated one of
 * two ways, chosen by the cores this process may use:
 * - on one core, into one reused buffer on this thread, between chunks. A zlib stream hands out a fresh 1 MB
 *   buffer per chunk, and V8 answers every 32 MB of such young buffers with a scavenge of its own ("external
 *   memory pressure"): on a 5 M-line log that was 112 of the run's 124 scavenges, and `boundless detect`,
 *   pinned to one core, took about 1 s longer;
 * - by Node's zlib stream, whose pool thread inflates while this thread reads: about 1 s faster on the same
 *   log with a core to spare, for about 1 s more CPU. `boundless detect` now does better with that core
 *   (`scan-thread`: the reading, inflating and splitting into lines all move to a thread of their own,
 *   scan-thread.ts); the stream stays for callers that ask for it.
 *
 * Node has no public call that inflates into a caller's buffer, so the first drives the native handle of a
 * Gunzip stream with `writeSync`, as Node's own `gunzipSync` does. The same native code runs, so concatenated
 * members, zero padding after the last one, and the errors ("unexpected end of file", "incorrect header
 * check") are Node's. Where the handle is missing (a runtime without it), the stream is used.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { constants, createGunzip } from 'node:zlib';

/** The parts of Node's zlib binding that `gunzipSync` uses. */
interface ZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    output: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
  onerror: (message: string, errno: number, code: string) => void;
}

interface GunzipInternals {
  _handle?: Partial<ZlibHandle>;
  /** [output bytes left, input bytes left] after each write. */
  _writeState?: unknown;
}

/** A gzip file that cannot be inflated; `code` is zlib's (Z_DATA_ERROR, Z_BUF_ERROR, ...). */
export class GunzipError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'GunzipError';
  }
}

export const FILE_CHUNK = 1 << 20;

/**
 * How a gzip file is inflated: into one reused buffer on this thread, or by Node's stream (pool thread), or
 * (scanCloudFrontLog only, scan-thread.ts) read, inflated and split into lines on a thread of its own, which
 * inflates into a reused buffer. Other readers given `scan-thread` use the stream.
 */
export type Inflation = 'reused-buffer' | 'stream' | 'scan-thread';

/** The scanning thread when another core can work beside the detectors, the reused buffer otherwise. */
export function defaultInflation(cores = availableParallelism()): Inflation {
  return cores > 1 ? 'scan-thread' : 'reused-buffer';
}

/** The first two bytes of every gzip member (RFC 1952). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * Whether the file at `path` is gzip: its name ends in `.gz` (a file so named that is not gzip is an error, not
 * text), or it starts with gzip's magic bytes whatever its name (a log renamed, or saved without `.gz`).
 */
async function isGzipFile(path: string): Promise<boolean> {
  if (path.endsWith('.gz')) return true;
  const file = await open(path);
  try {
    const head = Buffer.alloc(GZIP_MAGIC.length);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return bytesRead === head.length && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await file.close();
  }
}

/**
 * The bytes of the file at `path`, decompressed when it is gzip ({@link isGzipFile}: by name or by its first
 * bytes, looked at once when the file is opened), in order. A chunk is valid only until the next one is asked
 * for (its buffer is reused): copy what must outlive it. `onRead` sees the bytes read from disk (compressed
 * ones for a gzip file).
 */
export async function* fileChunks(
  path: string,
  onRead?: (bytes: number) => void,
  inflation: Inflation = defaultInflation(),
): AsyncGenerator<Buffer, void, undefined> {
  if (!(await isGzipFile(path))) yield* plainChunks(path, onRead);
  // `scan-thread` is a choice of scanCloudFrontLog's; a reader on this thread with a core to spare streams.
  else if (inflation === 'reused-buffer') yield* gunzipChunks(path, onRead);
  else yield* streamedGunzipChunks(path, onRead);
}

async function* plainChunks(path: string, onRead?: (bytes: number) => void): AsyncGenerator<Buffer> {
  const file = await open(path);
  try {
    const chunk = Buffer.allocUnsafe(FILE_CHUNK);
    for (;;) {
      const { bytesRead } = await file.read(chunk, 0, FILE_CHUNK, null);
      if (bytesRead === 0) return;
      onRead?.(bytesRead);
      yield chunk.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

async function* gunzipChunks(path: string, onRead?: (bytes: number) => void): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  const { _handle: handle, _writeState: state } = gunzip as unknown as GunzipInternals;
  if (typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array)) {
    gunzip.destroy();
    yield* streamedGunzipChunks(path, onRead);
    return;
  }
  let failure: GunzipError | undefined;
  handle.onerror = (message, _errno, code) => {
    failure = new GunzipError(message, code);
  };
  let file: FileHandle | undefined;
  try {
    file = await open(path);
    const input = Buffer.allocUnsafe(FILE_CHUNK);
    const output = Buffer.allocUnsafe(FILE_CHUNK);
    for (;;) {
      const { bytesRead } = await file.read(input, 0, FILE_CHUNK, null);
      onRead?.(bytesRead);
      // Z_FINISH on the empty read at the end is what reports a file cut short.
      const flush = bytesRead === 0 ? constants.Z_FINISH : constants.Z_NO_FLUSH;
      let inOffset = 0;
      let inLength = bytesRead;
      for (;;) {
        handle.writeSync(flush, input, inOffset, inLength, output, 0, FILE_CHUNK);
        if (failure !== undefined) throw failure;
        const outLeft = state[0]!;
        const inLeft = state[1]!;
        inOffset += inLength - inLeft;
        inLength = inLeft;
        if (outLeft < FILE_CHUNK) yield output.subarray(0, FILE_CHUNK - outLeft);
        // A full output buffer may hold back more output for this input. Otherwise zlib took all it will:
        // anything left is padding after the last member, which Node's stream drops too.
        if (outLeft !== 0) break;
      }
      if (bytesRead === 0) return;
    }
  } finally {
    gunzip.destroy();
    await file?.close();
  }
}

async function* streamedGunzipChunks(path: string, onRead?: (bytes: number) => void): AsyncGenerator<Buffer> {
  const raw = createReadStream(path, { highWaterMark: FILE_CHUNK });
  const gunzip = createGunzip({ chunkSize: FILE_CHUNK });
  if (onRead) raw.on('data', (chunk) => onRead(chunk.length));
  raw.on('error', (error) => gunzip.destroy(error));
  raw.pipe(gunzip);
  try {
    yield* gunzip;
  } finally {
    gunzip.destroy();
    raw.destroy();
  }
}
