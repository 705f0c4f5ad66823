import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import {
  type EdgeLogRecord,
  newParseStats,
  type ParseStats,
  parseCloudFrontLog,
} from '../logs/cloudfront-standard.ts';
import { deadline } from './aws-client.ts';
import type { CheckpointStore } from './checkpoints.ts';
import { DeliveredLogLedger } from './delivered-logs.ts';
import { SourceError } from './errors.ts';

const gunzipAsync = promisify(gunzip);

export interface S3LogSourceOptions {
  bucket: string;
  /** The distribution's log prefix, e.g. `cloudfront/E2ABCDEF.`; CloudFront names objects `<prefix><id>.YYYY-MM-DD-HH.<unique>.gz`. */
  prefix: string;
  checkpoints: CheckpointStore;
  /** @default `cloudfront-s3:<bucket>/<prefix>` */
  sourceId?: string;
  /** Deadline of each call, retries included. @default OUTBOUND_TIMEOUT_MS (10 s) */
  timeoutMs?: number;
  /** Objects per poll at most, so one poll stays bounded. @default 100 */
  maxObjects?: number;
  /** Delivery hours kept open for files CloudFront delivers late. @default 3 */
  lateHours?: number;
}

export interface PollResult {
  objects: number;
  records: number;
  /** The first object that could not be read after retries; the checkpoint stays before it. */
  failed?: { key: string; error: string };
  stats: ParseStats;
}

/**
 * CloudFront standard logs delivered to S3. Object names carry the delivery hour and a random unique part, and an
 * hour's objects arrive over time, so the checkpoint is the set of objects handed on per open hour
 * (DeliveredLogLedger), listed from the first open hour on. A failing object stops the poll there: later
 * objects wait rather than being skipped, so nothing is lost or read twice.
 */
export class S3CloudFrontLogSource {
  readonly sourceId: string;

  constructor(
    private readonly client: S3Client,
    private readonly options: S3LogSourceOptions,
  ) {
    this.sourceId = options.sourceId ?? `cloudfront-s3:${options.bucket}/${options.prefix}`;
  }

  async poll(onRecords: (records: EdgeLogRecord[], key: string) => Promise<void>): Promise<PollResult> {
    const stats = newParseStats();
    const result: PollResult = { objects: 0, records: 0, stats };
    const saved = await this.options.checkpoints.load(this.sourceId);
    const ledger = new DeliveredLogLedger(saved, this.options.lateHours ?? 3);
    const keys = await this.listNewKeys(ledger);
    for (const key of keys) {
      let records: EdgeLogRecord[];
      try {
        records = await this.readObject(key, stats);
      } catch (error) {
        result.failed = { key, error: error instanceof Error ? error.message : String(error) };
        break;
      }
      await onRecords(records, key);
      // S3 objects never change, so one read is the whole object; at least 1 marks it done even when empty.
      ledger.record(key, Math.max(1, records.length));
      await this.options.checkpoints.save(this.sourceId, ledger.toPosition());
      result.objects += 1;
      result.records += records.length;
    }
    return result;
  }

  private async listNewKeys(ledger: DeliveredLogLedger): Promise<string[]> {
    const limit = this.options.maxObjects ?? 100;
    const keys: string[] = [];
    const startAfter = ledger.listStartAfter();
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: this.options.prefix,
          StartAfter: continuationToken ? undefined : startAfter,
          ContinuationToken: continuationToken,
        }),
        deadline(this.options.timeoutMs),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (key && ledger.isOpen(key) && ledger.linesRead(key) === 0) keys.push(key);
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken && keys.length < limit);
    return keys.sort().slice(0, limit);
  }

  private readObject(key: string, stats: ParseStats): Promise<EdgeLogRecord[]> {
    return readCloudFrontLogObject(this.client, this.options.bucket, key, stats, this.options.timeoutMs);
  }
}

/** An object that was fetched but is not a log: a corrupt or cut gzip member. Reading it again will not help. */
export class UnreadableLogObjectError extends SourceError {
  constructor(
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super('cloudfront-s3', `cannot decode ${key}`, options);
    this.name = 'UnreadableLogObjectError';
  }
}

/** One standard log object (gzip as CloudFront writes it, or plain), parsed; malformed lines counted in `stats`. */
export async function readCloudFrontLogObject(
  client: S3Client,
  bucket: string,
  key: string,
  stats: ParseStats,
  timeoutMs?: number,
): Promise<EdgeLogRecord[]> {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), deadline(timeoutMs));
  if (!object.Body) throw new Error(`object ${key} has no body`);
  const bytes = Buffer.from(await object.Body.transformToByteArray());
  stats.bytesRead += bytes.length;
  let text: string;
  try {
    text = key.endsWith('.gz') ? (await gunzipAsync(bytes)).toString('utf8') : bytes.toString('utf8');
  } catch (cause) {
    throw new UnreadableLogObjectError(key, { cause });
  }
  return parseCloudFrontLog(text, stats);
}
