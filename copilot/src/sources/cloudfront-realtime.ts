import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { deadline } from './aws-client.ts';
import type { CheckpointStore } from './checkpoints.ts';

/**
 * CloudFront real-time log records. CloudFront writes each record as tab-separated values in the order of the
 * fields chosen in the real-time log configuration, without a header, so the reader needs that field list.
 */
export interface RealtimeLogEvent {
  timestampMs: number;
  clientIp: string;
  country: string;
  asn: string;
  method: string;
  uriStem: string;
  query: string;
  status: number;
  timeTakenMs: number;
  edgeResultType: string;
  userAgent: string;
  deviceId: string;
  fields: Record<string, string>;
}

const DEFAULT_REALTIME_FIELDS = [
  'timestamp',
  'c-ip',
  'c-country',
  'asn',
  'cs-method',
  'cs-uri-stem',
  'cs-uri-query',
  'sc-status',
  'time-taken',
  'x-edge-result-type',
  'cs-user-agent',
  'cs-headers',
] as const;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    // A stray % in a logged field: keep the text as logged rather than lose the record.
    if (error instanceof URIError) return text;
    throw error;
  }
}

function header(headers: string | undefined, name: string): string {
  if (!headers) return '';
  const decoded = safeDecode(headers);
  const match = new RegExp(`(?:^|\\n|%0A)${name}:\\s*([^\\n]*)`, 'i').exec(decoded);
  return match?.[1]?.trim() ?? '';
}

/** Parses one record; returns undefined for a record whose field count does not match the configuration. */
export function parseRealtimeRecord(
  line: string,
  fieldNames: readonly string[],
): RealtimeLogEvent | undefined {
  const values = line.replace(/\n$/, '').split('\t');
  if (values.length !== fieldNames.length) return undefined;
  const fields: Record<string, string> = {};
  fieldNames.forEach((name, index) => {
    const value = values[index] ?? '-';
    fields[name] = value === '-' ? '' : value;
  });
  const timestampMs = Math.round(Number(fields.timestamp) * 1000);
  if (!Number.isFinite(timestampMs) || !fields['c-ip']) return undefined;
  return {
    timestampMs,
    clientIp: fields['c-ip'] ?? '',
    country: fields['c-country'] ?? '',
    asn: fields.asn ?? '',
    method: fields['cs-method'] ?? '',
    uriStem: fields['cs-uri-stem'] ?? '',
    query: fields['cs-uri-query'] ?? '',
    status: Number(fields['sc-status'] ?? 0) || 0,
    timeTakenMs: Math.round(Number(fields['time-taken'] ?? 0) * 1000) || 0,
    edgeResultType: fields['x-edge-result-type'] ?? '',
    userAgent: safeDecode(fields['cs-user-agent'] ?? ''),
    deviceId: header(fields['cs-headers'], 'x-bb-device'),
    fields,
  };
}

export interface KinesisRealtimeOptions {
  streamName: string;
  fieldNames?: readonly string[];
  checkpoints: CheckpointStore;
  /** Deadline of each call, retries included. @default OUTBOUND_TIMEOUT_MS (10 s) */
  timeoutMs?: number;
  /** GetRecords calls per shard per poll. @default 10 */
  maxBatchesPerShard?: number;
}

/**
 * Reads every shard from its checkpointed sequence number (or the trim horizon). An expired iterator is
 * re-acquired from the checkpoint; throttling backs off; a record that does not parse is counted, not fatal.
 */
export class KinesisRealtimeLogSource {
  constructor(
    private readonly client: KinesisClient,
    private readonly options: KinesisRealtimeOptions,
  ) {}

  private checkpointId(shardId: string) {
    return `cloudfront-realtime:${this.options.streamName}:${shardId}`;
  }

  async poll(onEvents: (events: RealtimeLogEvent[]) => Promise<void>) {
    const fields = this.options.fieldNames ?? DEFAULT_REALTIME_FIELDS;
    let records = 0;
    let skipped = 0;
    for (const shardId of await this.listShards()) {
      let iterator = await this.iterator(shardId);
      for (let batch = 0; iterator && batch < (this.options.maxBatchesPerShard ?? 10); batch++) {
        const current = iterator;
        const page = await this.client
          .send(new GetRecordsCommand({ ShardIterator: current }), deadline(this.options.timeoutMs))
          .catch(async (error: { name?: string }) => {
            if (error.name !== 'ExpiredIteratorException') throw error;
            iterator = await this.iterator(shardId);
            return undefined;
          });
        if (!page) continue;
        const events: RealtimeLogEvent[] = [];
        for (const record of page.Records ?? []) {
          const event = parseRealtimeRecord(
            Buffer.from(record.Data ?? new Uint8Array()).toString('utf8'),
            fields,
          );
          if (event) events.push(event);
          else skipped += 1;
        }
        const last = page.Records?.at(-1)?.SequenceNumber;
        if (events.length > 0) await onEvents(events);
        if (last) await this.options.checkpoints.save(this.checkpointId(shardId), last);
        records += events.length;
        iterator = page.NextShardIterator;
        if ((page.Records ?? []).length === 0 && page.MillisBehindLatest === 0) break;
      }
    }
    return { records, skipped };
  }

  private async listShards(): Promise<string[]> {
    const shards: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: this.options.streamName }),
        deadline(this.options.timeoutMs),
      );
      for (const shard of page.Shards ?? []) if (shard.ShardId) shards.push(shard.ShardId);
      nextToken = page.NextToken;
    } while (nextToken);
    return shards;
  }

  private async iterator(shardId: string): Promise<string | undefined> {
    const after = await this.options.checkpoints.load(this.checkpointId(shardId));
    const result = await this.client.send(
      new GetShardIteratorCommand({
        StreamName: this.options.streamName,
        ShardId: shardId,
        ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON',
        StartingSequenceNumber: after,
      }),
      deadline(this.options.timeoutMs),
    );
    return result.ShardIterator;
  }
}
