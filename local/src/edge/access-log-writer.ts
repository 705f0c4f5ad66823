import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type CloudFrontLogRecord, cloudFrontLogHeader, formatCloudFrontLogLine } from '@boundless/delivery';

const gzipAsync = promisify(gzip);

export interface AccessLogWriterOptions {
  logDir: string;
  distributionId: string;
  /** Flush once this many lines are buffered. */
  maxBufferedLines?: number;
  /** Also flush on this wall-clock period; 0 disables the timer (tests flush explicitly). */
  flushIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export interface AccessLogStats {
  linesWritten: number;
  filesWritten: number;
  buffered: number;
  flushErrors: number;
}

/** `YYYY-MM-DD-HH` in UTC: CloudFront names log files by the hour in which the requests happened. */
export function logHourOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 13).replace('T', '-');
}

/**
 * Buffers standard log lines by event hour and writes each flush as its own complete gzip file
 * `<distributionId>.YYYY-MM-DD-HH.<unique>.gz` (temp file + rename, so a reader never sees half a file), each
 * with the `#Version`/`#Fields` header, as CloudFront delivers several files per hour.
 */
export class AccessLogWriter {
  readonly #options: Required<Omit<AccessLogWriterOptions, 'onError'>> &
    Pick<AccessLogWriterOptions, 'onError'>;
  readonly #buffers = new Map<string, string[]>();
  readonly #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #sequence = 0;
  #stats: AccessLogStats = { linesWritten: 0, filesWritten: 0, buffered: 0, flushErrors: 0 };

  constructor(options: AccessLogWriterOptions) {
    this.#options = { maxBufferedLines: 500, flushIntervalMs: 5_000, ...options };
    if (this.#options.flushIntervalMs > 0) {
      this.#timer = setInterval(() => void this.flush(), this.#options.flushIntervalMs);
      this.#timer.unref();
    }
  }

  append(record: CloudFrontLogRecord, epochMs: number): void {
    const hour = logHourOf(epochMs);
    let lines = this.#buffers.get(hour);
    if (!lines) {
      lines = [];
      this.#buffers.set(hour, lines);
    }
    lines.push(formatCloudFrontLogLine(record));
    this.#stats.buffered += 1;
    if (this.#stats.buffered >= this.#options.maxBufferedLines) void this.flush();
  }

  /** Writes everything buffered so far; concurrent calls queue behind each other. Never rejects. */
  flush(): Promise<void> {
    const batches = [...this.#buffers.entries()];
    this.#buffers.clear();
    this.#stats.buffered = 0;
    if (batches.length === 0) return this.#flushing;
    this.#flushing = this.#flushing.then(() => this.#write(batches));
    return this.#flushing;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.flush();
  }

  stats(): AccessLogStats {
    return { ...this.#stats };
  }

  async #write(batches: [string, string[]][]): Promise<void> {
    for (const [hour, lines] of batches) {
      try {
        await mkdir(this.#options.logDir, { recursive: true });
        const unique = `${process.pid.toString(36)}${(this.#sequence++).toString(36)}${randomBytes(3).toString('hex')}`;
        const name = `${this.#options.distributionId}.${hour}.${unique}.gz`;
        const tmp = join(this.#options.logDir, `.${name}.tmp`);
        await writeFile(tmp, await gzipAsync(cloudFrontLogHeader() + lines.join('')));
        await rename(tmp, join(this.#options.logDir, name));
        this.#stats.linesWritten += lines.length;
        this.#stats.filesWritten += 1;
      } catch (error) {
        // Logs are telemetry: a full disk must not take the edge down; the loss is counted and reported.
        this.#stats.flushErrors += 1;
        this.#options.onError?.(error);
      }
    }
  }
}
