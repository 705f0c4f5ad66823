import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { REALTIME_LOG_FIELDS } from '@boundless/delivery';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import type { CheckpointStore } from '../sources/checkpoints.ts';
import { LocalCloudFrontLogSource } from '../sources/cloudfront-local.ts';
import { KinesisRealtimeLogSource } from '../sources/cloudfront-realtime.ts';
import { S3CloudFrontLogSource } from '../sources/cloudfront-s3.ts';
import { SourceError } from '../sources/errors.ts';
import { edgeRecordFromRealtime } from './edge-records.ts';

export type FeedKind = 'cloudfront-standard' | 'cloudfront-realtime';
export type FeedAdapter = 'local-folder' | 's3' | 'edge-sink' | 'kinesis';

export interface FeedPoll {
  /** Records handed on by this poll. */
  records: number;
  /** Lines or records that could not be read, by reason. */
  skipped: Record<string, number>;
}

/**
 * One stream of edge requests for the pipeline. `poll` hands records on in batches and resolves once the
 * source's checkpoint is saved behind them; a batch whose handler throws is not checkpointed, so it is read
 * again on the next poll.
 */
export interface RecordFeed {
  readonly id: string;
  readonly kind: FeedKind;
  readonly adapter: FeedAdapter;
  poll(onRecords: (records: EdgeLogRecord[]) => Promise<void>): Promise<FeedPoll>;
  /** Where the feed stands, as its checkpoint store holds it (opaque), when it has one. */
  checkpoint(): Promise<string | undefined>;
  /** Records waiting in memory and records dropped for lack of room (sinks only). */
  backlog?(): { queued: number; dropped: number };
}

/** The local edge's hourly gzip files: the durable record locally, read by (file, line) checkpoint. */
export function localStandardLogFeed(dir: string, checkpoints: CheckpointStore): RecordFeed {
  const source = new LocalCloudFrontLogSource(dir, checkpoints, 'cloudfront-local');
  return {
    id: source.sourceId,
    kind: 'cloudfront-standard',
    adapter: 'local-folder',
    async poll(onRecords) {
      const result = await source.poll((records) => onRecords(records));
      return { records: result.records, skipped: { ...result.stats.skipped } as Record<string, number> };
    },
    checkpoint: () => checkpoints.load(source.sourceId),
  };
}

/** Standard logs delivered to S3: the durable backfill in AWS. */
export function s3StandardLogFeed(
  client: S3Client,
  options: { bucket: string; prefix: string; checkpoints: CheckpointStore },
): RecordFeed {
  const source = new S3CloudFrontLogSource(client, options);
  return {
    id: source.sourceId,
    kind: 'cloudfront-standard',
    adapter: 's3',
    async poll(onRecords) {
      const result = await source.poll((records) => onRecords(records));
      if (result.failed)
        throw new SourceError(source.sourceId, `cannot read ${result.failed.key}: ${result.failed.error}`);
      return { records: result.records, skipped: { ...result.stats.skipped } as Record<string, number> };
    },
    checkpoint: () => options.checkpoints.load(source.sourceId),
  };
}

/** CloudFront real-time logs on Kinesis Data Streams, configured with the edge's full field list. */
export function kinesisRealtimeFeed(
  client: KinesisClient,
  options: { streamName: string; checkpoints: CheckpointStore; fieldNames?: readonly string[] },
): RecordFeed {
  const source = new KinesisRealtimeLogSource(client, {
    streamName: options.streamName,
    checkpoints: options.checkpoints,
    fieldNames: options.fieldNames ?? REALTIME_LOG_FIELDS,
  });
  return {
    id: `cloudfront-realtime:${options.streamName}`,
    kind: 'cloudfront-realtime',
    adapter: 'kinesis',
    async poll(onRecords) {
      let unreadable = 0;
      const result = await source.poll(async (events) => {
        const records: EdgeLogRecord[] = [];
        for (const event of events) {
          const record = edgeRecordFromRealtime(event.fields);
          if (record) records.push(record);
          else unreadable += 1;
        }
        await onRecords(records);
      });
      return { records: result.records - unreadable, skipped: skippedOf(result.skipped + unreadable) };
    },
    checkpoint: async () => undefined,
  };
}

function skippedOf(count: number): Record<string, number> {
  return count > 0 ? { unreadable_record: count } : {};
}

/**
 * The local edge's real-time records, pushed by its `realtimeLogSink` into a bounded queue. Nothing here is
 * durable: a record dropped for lack of room, or queued when the process stops, is read later from the
 * standard logs, which the pipeline dedupes by request id.
 */
export class EdgeSinkFeed implements RecordFeed {
  readonly id = 'cloudfront-realtime:local-edge';
  readonly kind = 'cloudfront-realtime' as const;
  readonly adapter = 'edge-sink' as const;
  private queue: Record<string, string>[] = [];
  private dropped = 0;
  private onArrival: (() => void) | undefined;

  constructor(private readonly capacity = 50_000) {}

  /** Pass this as the edge's `realtimeLogSink`. */
  readonly sink = (record: Readonly<Record<string, string>>): void => {
    if (this.queue.length >= this.capacity) {
      this.dropped += 1;
      return;
    }
    this.queue.push(record as Record<string, string>);
    this.onArrival?.();
  };

  /** Called on each arrival, so the pipeline can read soon instead of waiting for its interval. */
  notify(listener: (() => void) | undefined): void {
    this.onArrival = listener;
  }

  async poll(onRecords: (records: EdgeLogRecord[]) => Promise<void>): Promise<FeedPoll> {
    const taken = this.queue;
    this.queue = [];
    const records: EdgeLogRecord[] = [];
    let unreadable = 0;
    for (const fields of taken) {
      const record = edgeRecordFromRealtime(fields);
      if (record) records.push(record);
      else unreadable += 1;
    }
    if (records.length > 0) await onRecords(records);
    return { records: records.length, skipped: skippedOf(unreadable) };
  }

  async checkpoint(): Promise<string | undefined> {
    return undefined;
  }

  backlog() {
    return { queued: this.queue.length, dropped: this.dropped };
  }
}
