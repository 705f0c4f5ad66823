import type { S3Client } from '@aws-sdk/client-s3';
import { type EdgeLogRecord, newParseStats, type ParseStats } from '../logs/cloudfront-standard.ts';
import { hourFromFileName } from '../logs/cloudfront-standard.ts';
import { type EdgeLogWindowResult, type EdgeLogWindowSource, hourMayHold } from '../report/edge-logs.ts';
import { readCloudFrontLogObject, UnreadableLogObjectError } from './cloudfront-s3.ts';
import { SourceError } from './errors.ts';
import { listObjects } from './s3-list.ts';

const HOUR_MS = 3_600_000;

export interface S3LogWindowOptions {
  bucket: string;
  /** The distribution's log prefix (`cloudfront/`); objects are `<prefix><distribution>.YYYY-MM-DD-HH.<unique>.gz`. */
  prefix: string;
  /** When known, each hour is listed under its own prefix instead of listing every object under `prefix`. */
  distributionId?: string;
  /** Deadline of each call, retries included. @default OUTBOUND_TIMEOUT_MS (10 s) */
  timeoutMs?: number;
  /** Objects fetched at once (handed on in key order all the same). @default 4 */
  concurrency?: number;
}

/** Never a rejected promise: fetches run ahead of the one awaited, so a failure waits for its turn to be thrown. */
type Fetched =
  | { key: string; records: EdgeLogRecord[] }
  | { key: string; unreadable: UnreadableLogObjectError }
  | { key: string; failed: SourceError };

/**
 * A window of CloudFront standard logs read from the logs bucket, as the daily report and verification in AWS
 * need them (`readEdgeLogWindow` over a folder is the local side): the objects whose delivery hour can hold
 * records of the window (one hour either side, as for files), in key order. A corrupt object is counted in
 * `unreadableFiles` and skipped; a failing S3 call (after the SDK's retries) fails the read, so a report never
 * passes a partial window off as a whole one.
 */
export class S3CloudFrontLogWindow implements EdgeLogWindowSource {
  constructor(
    private readonly client: S3Client,
    private readonly options: S3LogWindowOptions,
  ) {}

  async readWindow(
    fromMs: number,
    toMs: number,
    onRecord: (record: EdgeLogRecord) => void,
    stats: ParseStats = newParseStats(),
  ): Promise<EdgeLogWindowResult> {
    const keys = await this.keysFor(fromMs, toMs);
    const result: EdgeLogWindowResult = { files: 0, unreadableFiles: 0, stats };
    const inFlight: Promise<Fetched>[] = [];
    let next = 0;
    const fill = () => {
      while (next < keys.length && inFlight.length < (this.options.concurrency ?? 4))
        inFlight.push(this.fetch(keys[next++] as string, stats));
    };
    fill();
    while (inFlight.length > 0) {
      const fetched = await (inFlight.shift() as Promise<Fetched>);
      fill();
      if ('failed' in fetched) throw fetched.failed;
      result.files += 1;
      if ('unreadable' in fetched) {
        result.unreadableFiles += 1;
        continue;
      }
      for (const record of fetched.records)
        if (record.timestampMs >= fromMs && record.timestampMs < toMs) onRecord(record);
    }
    return result;
  }

  private async fetch(key: string, stats: ParseStats): Promise<Fetched> {
    try {
      const { bucket, timeoutMs } = this.options;
      return { key, records: await readCloudFrontLogObject(this.client, bucket, key, stats, timeoutMs) };
    } catch (error) {
      if (error instanceof UnreadableLogObjectError) return { key, unreadable: error };
      return { key, failed: new SourceError('cloudfront-s3', `reading ${key} failed`, { cause: error }) };
    }
  }

  /** The keys whose delivery hour may hold the window's records, sorted. */
  private async keysFor(fromMs: number, toMs: number): Promise<string[]> {
    const { prefix, distributionId } = this.options;
    if (!distributionId) {
      const all = await this.list(prefix);
      return all.filter((key) => {
        const hour = hourFromFileName(key);
        return hour !== undefined && hourMayHold(hour, fromMs, toMs);
      });
    }
    const keys: string[] = [];
    for (let hour = Math.floor(fromMs / HOUR_MS - 2) * HOUR_MS; hour < toMs + HOUR_MS; hour += HOUR_MS) {
      if (!hourMayHold(hour, fromMs, toMs)) continue;
      const stamp = new Date(hour).toISOString().slice(0, 13).replace('T', '-');
      keys.push(...(await this.list(`${prefix}${distributionId}.${stamp}.`)));
    }
    return keys.sort();
  }

  private async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const where = { bucket: this.options.bucket, prefix };
    const options = { source: 'cloudfront-s3', timeoutMs: this.options.timeoutMs };
    for await (const object of listObjects(this.client, where, options))
      if (object.Key) keys.push(object.Key);
    return keys.sort();
  }
}
