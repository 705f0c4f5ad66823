import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { HOUR_MS } from '@boundless/common/time';
import { cloudFrontLogHeader } from '@boundless/delivery';

const FLUSH_CHARS = 256 * 1024;
const BACKLOG_CHARS = 8 * FLUSH_CHARS;

/**
 * CloudFront standard log files, one gzip file per hour named as CloudFront names them
 * (`<distribution>.YYYY-MM-DD-HH.<unique>.gz`). Lines must arrive in event-time order; the writer keeps one
 * buffered chunk in memory and waits for the compressor when it falls behind.
 */
export class HourlyLogWriter {
  private hour = -1;
  private gzip: Gzip | undefined;
  private done: Promise<void> | undefined;
  private buffer = '';
  readonly files: string[] = [];

  constructor(
    private readonly outDir: string,
    private readonly distributionId: string,
    private readonly uniqueFor: (hourStart: number) => string,
    private readonly level = 1,
  ) {}

  /** Adds a line; returns a promise only when the caller has to wait (file roll or back-pressure). */
  add(epochMs: number, line: string): Promise<void> | undefined {
    const hour = Math.floor(epochMs / HOUR_MS);
    if (hour !== this.hour) return this.roll(hour).then(() => this.append(line));
    return this.append(line);
  }

  async close(): Promise<string[]> {
    await this.finishFile();
    return this.files;
  }

  private append(line: string): Promise<void> | undefined {
    this.buffer += line;
    if (this.buffer.length < FLUSH_CHARS) return undefined;
    return this.flush();
  }

  private flush(): Promise<void> | undefined {
    const chunk = this.buffer;
    this.buffer = '';
    if (chunk.length === 0 || !this.gzip) return undefined;
    this.gzip.write(chunk);
    // Waiting only past a deep backlog lets compression (on the libuv pool) overlap with generation.
    if (this.gzip.writableLength < BACKLOG_CHARS) return undefined;
    return once(this.gzip, 'drain').then(() => undefined);
  }

  private async roll(hour: number): Promise<void> {
    await this.finishFile();
    this.hour = hour;
    const stamp = new Date(hour * HOUR_MS).toISOString();
    const name = `${this.distributionId}.${stamp.slice(0, 10)}-${stamp.slice(11, 13)}.${this.uniqueFor(hour * HOUR_MS)}.gz`;
    const path = join(this.outDir, name);
    this.files.push(path);
    this.gzip = createGzip({ level: this.level });
    this.done = pipeline(this.gzip, createWriteStream(path));
    this.buffer = cloudFrontLogHeader();
  }

  private async finishFile(): Promise<void> {
    if (!this.gzip) return;
    await this.flush();
    this.gzip.end();
    await this.done;
    this.gzip = undefined;
    this.done = undefined;
  }
}
