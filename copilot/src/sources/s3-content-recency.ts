import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseS3AccessLine } from '../logs/s3-access-log.ts';
import type { StoredObject, StoredObjectScan } from '../report/recommend-cache.ts';
import { deadline } from './aws-client.ts';
import { SourceError } from './errors.ts';
import { listObjects } from './s3-list.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface S3ContentRecencyOptions {
  /** The content bucket: each object's size and age (ListObjectsV2: `Size`, `LastModified`). */
  contentBucket: string;
  /** Only objects under this prefix. @default '' (all) */
  contentPrefix?: string;
  /** Where the content bucket's server access logs are delivered, in S3's simple key format (`<prefix>YYYY-MM-DD-HH-MM-SS-<unique>`). */
  logBucket: string;
  logPrefix: string;
  /** How long after its last request a log object may still arrive (delivery is best effort). @default 6 h */
  deliveryLagMs?: number;
  /** Deadline of each call, retries included. @default OUTBOUND_TIMEOUT_MS (10 s) */
  timeoutMs?: number;
  /** Log objects fetched at once. @default 8 */
  concurrency?: number;
}

/** `YYYY-MM-DD-HH-MM-SS`, the time part of an access log object's name. */
const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/[T:]/g, '-');

/**
 * The storage-class section's input in AWS, S3 access recency of the content bucket: which objects there are
 * (size, age since written) from a listing, and how often each was read over the lookback from the bucket's
 * server access logs in the logs bucket. A read is a `REST.GET.OBJECT` answered 200 or 206, counted in whole-
 * object equivalents (bytes sent / object size), since Standard-IA and Glacier IR bill retrieval per byte.
 * Server access logs over CloudTrail data events: their delivery is free (storage only) where data events cost
 * per request, and every read of a title is a request. Lines that are not access log lines are counted as skipped.
 */
export class S3ContentRecency {
  constructor(
    private readonly client: S3Client,
    private readonly options: S3ContentRecencyOptions,
  ) {}

  private get listing() {
    return { source: 's3', timeoutMs: this.options.timeoutMs };
  }

  async scan(endMs: number, lookbackDays: number): Promise<StoredObjectScan> {
    const fromMs = endMs - lookbackDays * DAY_MS;
    const reads = new Map<string, number>();
    const counts = { read: 0, skipped: 0 };
    const logKeys = await this.listAccessLogs(fromMs, endMs);
    for (let i = 0; i < logKeys.length; i += this.options.concurrency ?? 8) {
      const texts = await Promise.all(
        logKeys.slice(i, i + (this.options.concurrency ?? 8)).map((key) => this.text(key)),
      );
      for (const text of texts) {
        for (const line of text.split('\n')) {
          if (line.trim() === '') continue;
          const record = parseS3AccessLine(line);
          if (!record) {
            counts.skipped += 1;
            continue;
          }
          counts.read += 1;
          if (record.atMs < fromMs || record.atMs >= endMs || record.key === undefined) continue;
          if (record.operation !== 'REST.GET.OBJECT' || (record.status !== 200 && record.status !== 206))
            continue;
          const share = record.objectSize ? Math.min(1, record.bytesSent / record.objectSize) : 1;
          reads.set(record.key, (reads.get(record.key) ?? 0) + share);
        }
      }
    }
    const objects: StoredObject[] = [];
    const content = { bucket: this.options.contentBucket, prefix: this.options.contentPrefix ?? '' };
    for await (const o of listObjects(this.client, content, this.listing)) {
      if (!o.Key || o.Key.endsWith('/')) continue;
      const written = o.LastModified?.getTime() ?? endMs;
      objects.push({
        key: `/${o.Key}`,
        bytes: o.Size ?? 0,
        reads: Math.round((reads.get(o.Key) ?? 0) * 1000) / 1000,
        ageDays: Math.max(0, (endMs - written) / DAY_MS),
      });
    }
    return { objects, ...counts };
  }

  /** Access log objects that can hold requests of `[fromMs, toMs)`, by the delivery time in their names. */
  private async listAccessLogs(fromMs: number, toMs: number): Promise<string[]> {
    const { logBucket, logPrefix } = this.options;
    const last = `${logPrefix}${stamp(toMs + (this.options.deliveryLagMs ?? 6 * HOUR_MS))}`;
    const keys: string[] = [];
    const logs = { bucket: logBucket, prefix: logPrefix, startAfter: `${logPrefix}${stamp(fromMs)}` };
    for await (const o of listObjects(this.client, logs, this.listing)) {
      if (!o.Key || o.Key > last) break;
      keys.push(o.Key);
    }
    return keys;
  }

  private async text(key: string): Promise<string> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.logBucket, Key: key }),
        deadline(this.options.timeoutMs),
      );
      return object.Body ? await object.Body.transformToString('utf8') : '';
    } catch (error) {
      throw new SourceError('s3', `reading ${this.options.logBucket}/${key} failed`, { cause: error });
    }
  }
}
