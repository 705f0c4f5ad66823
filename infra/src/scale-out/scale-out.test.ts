/**
 * The scale-out path of DESIGN §6 against `boundless detect`: the same simulated CloudFront logs go once
 * through `detectFiles` (what the command runs) and once, as real-time log records, through the router Lambda
 * handler, a 4-shard subject stream and a 1-shard global stream, and the consumer Lambda handler per shard with
 * its state in dynalite, with cold starts, a redelivered batch and a retried router batch on the way. The
 * detections must be the same set.
 */
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { detectFiles } from '@boundless/copilot/detect';
import type { Detection } from '@boundless/copilot/detect';
import { embeddedGeo } from '@boundless/copilot/geo';
import type { EdgeLogRecord } from '@boundless/copilot/logs';
import { readCloudFrontLogs } from '@boundless/copilot/logs';
import { simulateToFiles } from '@boundless/datasets/simulator';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmittedDetection, ScaleOutConsumer } from './consumer.ts';
import { DynamoConsumerStateStore } from './dynamo-state-store.ts';
import { ownerOf } from './families.ts';
import { createConsumerHandler, createRouterHandler, type HandlerLogger } from './handlers.ts';
import { decodePack } from './packing.ts';
import { InMemoryStream, InMemoryStreams, kinesisEvent, realtimeLineOf } from './test-support.ts';

const SHARDS = 4;
const BUCKETS = 8;
const RAW_BATCH = 1500;
const CONSUMER_BATCH = 25;
const TABLE = 'scale-out';

const quiet: HandlerLogger = { info: () => {}, warn: () => {} };
const work = mkdtempSync(join(tmpdir(), 'scale-out-'));
const server = dynalite({ createTableMs: 0 });
let doc: DynamoDBDocumentClient;

/** A detection as `boundless detect` writes it (the consumer adds its id and family). */
function asWritten(d: Detection | EmittedDetection): string {
  const { kind, subject, firstSeen, detectedAt, score, evidence, mitigation } = d;
  return JSON.stringify({ kind, subject, firstSeen, detectedAt, score, evidence, mitigation });
}

interface Run {
  expected: Detection[];
  emitted: EmittedDetection[];
  shardsWithPacks: number;
  restoredBuckets: number;
  duplicatePacks: number;
  records: number;
}

async function runPipeline(): Promise<Run> {
  const logs = join(work, 'logs');
  await simulateToFiles({ seed: 11, outDir: logs, durationHours: 2, readers: 800 });
  const expected = (await detectFiles([logs])).detections;

  const raw: EdgeLogRecord[] = [];
  for await (const batch of readCloudFrontLogs([logs])) raw.push(...batch);
  const subject = new InMemoryStream('subject', SHARDS);
  const global = new InMemoryStream('global', 1);
  const router = createRouterHandler({
    writer: new InMemoryStreams({ subject, global }),
    subjectStream: 'subject',
    globalStream: 'global',
    buckets: BUCKETS,
    logger: quiet,
  });

  const emitted: EmittedDetection[] = [];
  const store = new DynamoConsumerStateStore(doc, TABLE);
  const geo = embeddedGeo();
  // One Lambda execution environment per shard; replacing one is a cold start.
  const newConsumer = () =>
    new ScaleOutConsumer({
      store,
      geo,
      replayHorizonMs: 24 * 3_600_000,
      sink: { emit: async (detections) => void emitted.push(...detections) },
    });
  const consumers = new Map<InMemoryStream, ScaleOutConsumer[]>([
    [subject, Array.from({ length: SHARDS }, newConsumer)],
    [global, [newConsumer()]],
  ]);
  const stats = { restoredBuckets: 0, duplicatePacks: 0, records: 0 };
  const handlerOf = (consumer: ScaleOutConsumer) =>
    createConsumerHandler(consumer, {
      info: (_message, extra) => {
        stats.restoredBuckets += Number(extra?.restoredBuckets ?? 0);
        stats.duplicatePacks += Number(extra?.duplicatePacks ?? 0);
        stats.records += Number(extra?.records ?? 0);
      },
      warn: () => {},
    });
  const read = new Map<InMemoryStream, number[]>([
    [subject, Array(SHARDS).fill(0)],
    [global, [0]],
  ]);
  let drains = 0;
  const drain = async () => {
    drains++;
    for (const [stream, positions] of read) {
      for (let shard = 0; shard < positions.length; shard++) {
        // Every 5th drain, environment 1 of the subject stream is replaced, and every 7th the global one.
        if (
          (stream === subject && shard === 1 && drains % 5 === 0) ||
          (stream === global && drains % 7 === 0)
        )
          consumers.get(stream)![shard] = newConsumer();
        const handler = handlerOf(consumers.get(stream)![shard]!);
        const records = stream.shards[shard]!;
        while (positions[shard]! < records.length) {
          const from = positions[shard]!;
          const to = Math.min(records.length, from + CONSUMER_BATCH);
          await handler(stream.event(shard, from, to));
          // A batch Lambda delivers again (its invocation timed out after the work was done).
          if (drains === 3 && shard === 0) await handler(stream.event(shard, from, to));
          positions[shard] = to;
        }
      }
    }
  };
  // Two real-time log shards, read in turn; the router's batches arrive in event-time order.
  for (let i = 0, batch = 0; i < raw.length; i += RAW_BATCH, batch++) {
    const shardId = `shardId-00000000000${batch % 2}`;
    const records = raw.slice(i, i + RAW_BATCH).map((record, j) => ({
      sequenceNumber: String(BigInt(i + j + 1) * 1000n),
      partitionKey: record.requestId,
      data: Buffer.from(`${realtimeLineOf(record)}\n`),
    }));
    const event = kinesisEvent('edge-realtime-logs', shardId, records);
    await router(event);
    // The router's batch retried after its packs were written: the consumers must skip the copies.
    if (batch === 4) await router(event);
    await drain();
  }
  return {
    expected,
    emitted,
    shardsWithPacks: subject.shards.filter((s) => s.length > 0).length,
    ...stats,
  };
}

let run: Run;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  doc = DynamoDBDocumentClient.from(client);
  run = await runPipeline();
}, 240_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

describe('Scale-out: router and consumer handlers over 4 shards', () => {
  it('spreads the buckets over every shard and carries every request to its consumers', () => {
    expect(run.shardsWithPacks).toBe(SHARDS);
    // Each request reaches its address and global buckets, and its account bucket when it has a token.
    expect(run.records).toBeGreaterThan(2 * 30_000);
  });

  it('detects exactly what boundless detect detects on the same logs', () => {
    expect(run.expected.length).toBeGreaterThan(10);
    expect(new Set(run.expected.map((d) => d.kind))).toEqual(
      new Set(['token_sharing', 'scraping', 'geo_spike']),
    );
    expect(run.emitted.map(asWritten).sort()).toEqual(run.expected.map(asWritten).sort());
  });

  it('reports each detection from the family that owns its subject, with a unique id', () => {
    for (const d of run.emitted) expect(d.family).toBe(ownerOf(d));
    expect(new Set(run.emitted.map((d) => d.family))).toEqual(new Set(['account', 'address', 'global']));
    expect(new Set(run.emitted.map((d) => d.id)).size).toBe(run.emitted.length);
  });

  it('rebuilt buckets from the replay log after cold starts and skipped the redelivered packs', () => {
    expect(run.restoredBuckets).toBeGreaterThan(0);
    expect(run.duplicatePacks).toBeGreaterThan(0);
  });
});

describe('decodePack', () => {
  it('refuses data that is not a pack', () => {
    expect(() => decodePack(Buffer.from('not gzip'))).toThrow(/not gzip/);
  });
});
