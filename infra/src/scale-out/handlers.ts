import type { KinesisStreamEvent } from 'aws-lambda';
import type { ScaleOutConsumer } from './consumer.ts';
import { decodePack, type Pack, PackError } from './packing.ts';
import { partitionKeyOf, routeBatch } from './router.ts';
import { encodePack } from './packing.ts';
import type { StreamRecord, StreamWriter } from './kinesis-writer.ts';

/** Structured log lines (Powertools logger in AWS). */
export interface HandlerLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
}

/** Powertools' logger takes the extra keys as an object after the message. */
export function powertoolsLogger(logger: {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
}): HandlerLogger {
  return {
    info: (message, extra = {}) => logger.info(message, extra),
    warn: (message, extra = {}) => logger.warn(message, extra),
  };
}

/** `shardId-000000000002:4959...` -> `shardId-000000000002`. */
function shardOf(eventId: string): string {
  const colon = eventId.indexOf(':');
  return colon < 0 ? eventId : eventId.slice(0, colon);
}

export interface RouterHandlerOptions {
  writer: StreamWriter;
  subjectStream: string;
  globalStream: string;
  buckets: number;
  logger: HandlerLogger;
}

/**
 * The router Lambda: reads a batch of the CloudFront real-time log stream (one shard), routes each record to
 * its families' buckets and writes the packs: account and address buckets to the subject stream, the global
 * bucket to its own stream. A failure throws, so Lambda retries the same batch; consumers skip packs they
 * already applied.
 */
export function createRouterHandler(options: RouterHandlerOptions) {
  return async (event: KinesisStreamEvent): Promise<void> => {
    const bySource = new Map<string, { data: Uint8Array; sequenceNumber: string }[]>();
    for (const record of event.Records) {
      const shard = shardOf(record.eventID);
      let list = bySource.get(shard);
      if (list === undefined) {
        list = [];
        bySource.set(shard, list);
      }
      list.push({
        data: Buffer.from(record.kinesis.data, 'base64'),
        sequenceNumber: record.kinesis.sequenceNumber,
      });
    }
    for (const [shardId, records] of bySource) {
      const routed = routeBatch(shardId, records, options.buckets);
      // Parts of one bucket go in successive rounds: PutRecords does not order the entries of one call.
      const rounds = { subject: [] as StreamRecord[][], global: [] as StreamRecord[][] };
      for (const pack of routed.packs) {
        const target = pack.family === 'global' ? rounds.global : rounds.subject;
        target[pack.source.part] ??= [];
        target[pack.source.part]!.push({
          partitionKey: partitionKeyOf(pack),
          data: encodePack(pack),
        });
      }
      await options.writer.write(options.subjectStream, rounds.subject);
      await options.writer.write(options.globalStream, rounds.global);
      options.logger.info('routed', {
        shardId,
        records: routed.records,
        unreadable: routed.unreadable,
        packs: routed.packs.length,
      });
    }
  };
}

/**
 * The consumer Lambda: decodes the packs of one subject-stream (or global-stream) shard and hands them to the
 * consumer. A pack that cannot be decoded is logged and skipped (it would fail every retry); anything else
 * that fails throws and Lambda retries the batch.
 */
export function createConsumerHandler(consumer: ScaleOutConsumer, logger: HandlerLogger) {
  return async (event: KinesisStreamEvent): Promise<void> => {
    const packs: Pack[] = [];
    let undecodable = 0;
    for (const record of event.Records) {
      try {
        packs.push(decodePack(Buffer.from(record.kinesis.data, 'base64')));
      } catch (error) {
        if (!(error instanceof PackError)) throw error;
        undecodable++;
        logger.warn('undecodable pack skipped', {
          eventId: record.eventID,
          error: error.message,
        });
      }
    }
    const result = await consumer.process(packs);
    logger.info('consumed', { ...result, detections: result.detections.length, undecodable });
  };
}
