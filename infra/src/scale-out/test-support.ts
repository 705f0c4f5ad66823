import { createHash } from 'node:crypto';
import { buildRealtimeLogRecord, REALTIME_LOG_FIELDS, realtimeTimestamp } from '@boundless/delivery';
import type { EdgeLogRecord } from '@boundless/copilot/logs';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { StreamRecord, StreamWriter } from './kinesis-writer.ts';

/** The real-time log record CloudFront would have sent for a request its standard log holds. */
export function realtimeLineOf(record: EdgeLogRecord): string {
  const values = buildRealtimeLogRecord({
    timestamp: realtimeTimestamp(record.timestampMs),
    'c-ip': record.clientIp,
    'sc-status': record.status,
    'sc-bytes': record.bytes,
    'cs-method': record.method,
    'cs-host': record.host,
    'x-host-header': record.host,
    // The real-time stem carries the query string too.
    'cs-uri-stem': record.query ? `${record.uriStem}?${record.query}` : record.uriStem,
    'cs-uri-query': record.query,
    'x-edge-location': record.edgeLocation,
    'x-edge-request-id': record.requestId,
    'time-taken': (record.timeTakenMs / 1000).toFixed(3),
    'cs-user-agent': encodeURIComponent(record.userAgent),
    'cs-referer': encodeURIComponent(record.referer),
    'x-edge-result-type': record.edgeResultType,
    'x-edge-detailed-result-type': record.detailedResultType,
    'sc-content-type': record.contentType,
  });
  return REALTIME_LOG_FIELDS.map((field) => values[field]).join('\t');
}

export interface StoredRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
}

/**
 * Kinesis Data Streams as far as routing goes: a partition key's MD5, read as a 128-bit number, falls into one
 * of `shards` equal hash-key ranges; each shard keeps its records in order with increasing sequence numbers.
 */
export class InMemoryStream {
  readonly shards: StoredRecord[][];
  private sequence = 49_000_000_000_000_000_000n;

  constructor(
    readonly name: string,
    shardCount: number,
  ) {
    this.shards = Array.from({ length: shardCount }, () => []);
  }

  shardIdOf(index: number): string {
    return `shardId-${String(index).padStart(12, '0')}`;
  }

  put(record: StreamRecord): void {
    const hash = BigInt(`0x${createHash('md5').update(record.partitionKey).digest('hex')}`);
    const index = Number((hash * BigInt(this.shards.length)) >> 128n);
    this.sequence += 1_000_000n;
    this.shards[index]!.push({
      sequenceNumber: String(this.sequence),
      partitionKey: record.partitionKey,
      data: record.data,
    });
  }

  /** The Lambda event for records [from, to) of one shard. */
  event(index: number, from: number, to: number): KinesisStreamEvent {
    return kinesisEvent(this.name, this.shardIdOf(index), this.shards[index]!.slice(from, to));
  }
}

export function kinesisEvent(
  streamName: string,
  shardId: string,
  records: readonly StoredRecord[],
): KinesisStreamEvent {
  return {
    Records: records.map(
      (r): KinesisStreamRecord => ({
        eventID: `${shardId}:${r.sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${streamName}`,
        awsRegion: 'us-east-1',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/test',
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: r.partitionKey,
          sequenceNumber: r.sequenceNumber,
          data: Buffer.from(r.data).toString('base64'),
          approximateArrivalTimestamp: 0,
        },
      }),
    ),
  };
}

/** Writes to in-memory streams by name. */
export class InMemoryStreams implements StreamWriter {
  constructor(private readonly streams: Record<string, InMemoryStream>) {}

  async write(streamName: string, rounds: readonly (readonly StreamRecord[])[]): Promise<void> {
    const stream = this.streams[streamName];
    if (stream === undefined) throw new Error(`no stream ${streamName}`);
    for (const round of rounds) for (const record of round) stream.put(record);
  }
}
