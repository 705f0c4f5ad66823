import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  CloudFrontLineParser,
  type EdgeLogRecord,
  newParseStats,
  type ParseStats,
} from '../logs/cloudfront-standard.ts';
import type { CheckpointStore } from './checkpoints.ts';

interface LocalPosition {
  file: string;
  /** Lines of `file` already handed on, headers included. */
  lines: number;
}

const LOG_FILE = /\.\d{4}-\d{2}-\d{2}-\d{2}\.[^.]+(\.gz)?$/;

/**
 * The local edge's (or any folder's) CloudFront standard logs. Files are named by delivery hour, so they are
 * read in name order; the newest file may still be growing, so the checkpoint is (file, lines read) and a
 * gzip member cut off mid-write is left for the next poll instead of being reported as corrupt.
 */
export class LocalCloudFrontLogSource {
  readonly sourceId: string;

  constructor(
    private readonly dir: string,
    private readonly checkpoints: CheckpointStore,
    sourceId?: string,
  ) {
    this.sourceId = sourceId ?? `cloudfront-local:${dir}`;
  }

  async poll(onRecords: (records: EdgeLogRecord[], file: string) => Promise<void>) {
    const stats = newParseStats();
    const saved = await this.checkpoints.load(this.sourceId);
    const position: LocalPosition = saved ? (JSON.parse(saved) as LocalPosition) : { file: '', lines: 0 };
    const files = (await readdir(this.dir))
      .filter((name) => LOG_FILE.test(name) && name >= position.file)
      .sort();
    let records = 0;
    for (const file of files) {
      const skip = file === position.file ? position.lines : 0;
      const { batch, lines } = await this.readFrom(join(this.dir, file), skip, stats);
      if (lines === skip) continue;
      await onRecords(batch, file);
      await this.checkpoints.save(this.sourceId, JSON.stringify({ file, lines } satisfies LocalPosition));
      records += batch.length;
    }
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
  } catch {
    // A member still being written: decode what is complete, member by member.
    return gunzipSync(bytes, { finishFlush: 2 /* Z_SYNC_FLUSH */ }).toString('utf8');
  }
}
