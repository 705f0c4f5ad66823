import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  CloudFrontLineParser,
  type EdgeLogRecord,
  newParseStats,
  type ParseStats,
} from '../logs/cloudfront-standard.ts';
import type { CheckpointStore } from './checkpoints.ts';
import { DeliveredLogLedger } from './delivered-logs.ts';

const LOG_FILE = /\.\d{4}-\d{2}-\d{2}-\d{2}\.[^.]+(\.gz)?$/;

/**
 * The local edge's (or any folder's) CloudFront standard logs. Which files (and how many of their lines) were
 * handed on is kept per open delivery hour (DeliveredLogLedger), so a file that sorts before one already read
 * is still read; a file whose size has not changed since it was read is not opened again, and a gzip member
 * cut off mid-write is left for the next poll instead of being reported as corrupt.
 */
export class LocalCloudFrontLogSource {
  readonly sourceId: string;
  private readonly sizes = new Map<string, number>();

  constructor(
    private readonly dir: string,
    private readonly checkpoints: CheckpointStore,
    sourceId?: string,
    /** Delivery hours kept open for late files. @default 1 */
    private readonly lateHours = 1,
  ) {
    this.sourceId = sourceId ?? `cloudfront-local:${dir}`;
  }

  async poll(onRecords: (records: EdgeLogRecord[], file: string) => Promise<void>) {
    const stats = newParseStats();
    const ledger = new DeliveredLogLedger(await this.checkpoints.load(this.sourceId), this.lateHours);
    const files = (await readdir(this.dir))
      .filter((name) => LOG_FILE.test(name) && ledger.isOpen(name))
      .sort();
    let records = 0;
    for (const file of files) {
      const path = join(this.dir, file);
      const size = (await stat(path)).size;
      if (this.sizes.get(file) === size) continue;
      const skip = ledger.linesRead(file);
      const { batch, lines } = await this.readFrom(path, skip, stats);
      this.sizes.set(file, size);
      if (lines === skip) continue;
      await onRecords(batch, file);
      ledger.record(file, lines);
      await this.checkpoints.save(this.sourceId, ledger.toPosition());
      records += batch.length;
    }
    for (const name of this.sizes.keys()) if (!ledger.isOpen(name)) this.sizes.delete(name);
    return { files: files.length, records, stats };
  }

  private async readFrom(path: string, skip: number, stats: ParseStats) {
    const text = decode(await readFile(path), path.endsWith('.gz'));
    const all = text.split('\n');
    // The last piece has no newline yet: it is still being written.
    const complete = all.slice(0, -1);
    const parser = new CloudFrontLineParser(stats);
    const batch: EdgeLogRecord[] = [];
    complete.forEach((line, index) => {
      // Headers are always parsed so the field layout is known when resuming mid-file.
      if (index < skip && !line.startsWith('#')) return;
      const record = parser.parse(line);
      if (record !== undefined && index >= skip) batch.push(record);
    });
    return { batch, lines: complete.length };
  }
}

function decode(bytes: Buffer, gzipped: boolean): string {
  if (!gzipped) return bytes.toString('utf8');
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (error) {
    // A member still being written: decode what is complete, member by member.
    if (!(error instanceof Error) || !('code' in error)) throw error;
    return gunzipSync(bytes, { finishFlush: 2 /* Z_SYNC_FLUSH */ }).toString('utf8');
  }
}
