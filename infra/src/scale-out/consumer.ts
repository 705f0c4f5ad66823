import { gunzipSync, gzipSync } from 'node:zlib';
import type { DetectorOptions } from '@boundless/copilot/detect';
import { AbuseDetectors } from '@boundless/copilot/detect';
import type { Detection } from '@boundless/copilot/detect';
import type { GeoLookup } from '@boundless/copilot/geo';
import { detectionId, type Family, type FamilyKey, ownerOf } from './families.ts';
import { chunkLines, type Pack, type PackSource } from './packing.ts';
import { recordFromRealtimeLine } from './realtime-records.ts';
import type { AppliedPosition, BucketCheckpoint, ConsumerStateStore } from './state-store.ts';

/** A detection as the consumer emits it: DESIGN §4.2's object plus a deterministic id and its family. */
export type EmittedDetection = Detection & { id: string; family: Family };

/** Where detections go: EventBridge in AWS, an array in tests. Delivery is at least once (ids repeat). */
export interface DetectionSink {
  emit(detections: readonly EmittedDetection[]): Promise<void>;
}

export interface ConsumerOptions {
  store: ConsumerStateStore;
  sink: DetectionSink;
  geo: GeoLookup;
  /** How far back (event time) a bucket's replay log is read to rebuild its detectors after a cold start. */
  replayHorizonMs: number;
  detectors?: DetectorOptions;
  /** Buckets kept in memory; the least recently used beyond this are dropped (and rebuilt if they return). */
  maxBuckets?: number;
}

export interface ConsumerResult {
  packs: number;
  /** Packs already applied (a retried batch, or a router retry): skipped. */
  duplicatePacks: number;
  records: number;
  unreadable: number;
  /** Buckets whose detectors were rebuilt from the replay log, and the lines that took. */
  restoredBuckets: number;
  replayedLines: number;
  detections: EmittedDetection[];
}

interface BucketState {
  engine: AbuseDetectors;
  /** The checkpoint version this engine's state corresponds to. */
  version: number;
}

/** Replay-log items stay under DynamoDB's 400 KB item limit whatever the compression. */
const MAX_LOG_ITEM_BYTES = 350_000;
/** Applied positions of raw shards quiet this long (event time) are forgotten: Kinesis keeps 24 h at most. */
const FORGET_SOURCE_MS = 48 * 3_600_000;

const keyOf = (k: FamilyKey) => `${k.family}#${k.bucket}`;

/** Order of a pack against the last applied position of its source: negative, zero or positive. */
function comparePosition(source: PackSource, applied: AppliedPosition): number {
  const last = BigInt(source.lastSequence);
  const seen = BigInt(applied.sequence);
  if (last !== seen) return last < seen ? -1 : 1;
  return source.part - applied.part;
}

/**
 * The scale-out consumer of DESIGN §6: runs the copilot's abuse detectors over the packs of a Kinesis shard,
 * one detector engine per family bucket, and emits the detections that bucket's family owns. State is kept
 * in memory between invocations and made durable per bucket in DynamoDB: a checkpoint (a version, the event
 * time reached, the last pack applied per router source) and a replay log of the applied records. An engine
 * whose version differs from its checkpoint (a cold start, another environment moved on) is rebuilt by
 * replaying the log; a pack already applied is skipped, so retries neither double-count nor lose records.
 */
export class ScaleOutConsumer {
  private readonly buckets = new Map<string, BucketState>();

  constructor(private readonly options: ConsumerOptions) {}

  async process(packs: readonly Pack[]): Promise<ConsumerResult> {
    const result: ConsumerResult = {
      packs: packs.length,
      duplicatePacks: 0,
      records: 0,
      unreadable: 0,
      restoredBuckets: 0,
      replayedLines: 0,
      detections: [],
    };
    const groups = new Map<string, { key: FamilyKey; packs: Pack[] }>();
    for (const pack of packs) {
      const id = keyOf(pack);
      let group = groups.get(id);
      if (group === undefined) {
        group = { key: { family: pack.family, bucket: pack.bucket }, packs: [] };
        groups.set(id, group);
      }
      group.packs.push(pack);
    }
    if (groups.size === 0) return result;
    const checkpoints = await this.options.store.checkpoints([...groups.values()].map((g) => g.key));
    for (const [id, group] of groups) {
      await this.processBucket(id, group.key, group.packs, checkpoints.get(id), result);
    }
    return result;
  }

  private async processBucket(
    id: string,
    key: FamilyKey,
    packs: readonly Pack[],
    checkpoint: BucketCheckpoint | undefined,
    result: ConsumerResult,
  ): Promise<void> {
    // A pack is new if neither the checkpoint nor an earlier pack of this batch reached its position: a router
    // retry can put the copy in the same batch as the original.
    const reached: Record<string, AppliedPosition> = { ...checkpoint?.applied };
    const fresh = packs.filter((p) => {
      const seen = reached[p.source.shardId];
      if (seen !== undefined && comparePosition(p.source, seen) <= 0) return false;
      reached[p.source.shardId] = { sequence: p.source.lastSequence, part: p.source.part, atEventMs: 0 };
      return true;
    });
    result.duplicatePacks += packs.length - fresh.length;
    if (fresh.length === 0) return;
    let state = this.buckets.get(id);
    if (state === undefined || state.version !== (checkpoint?.version ?? 0)) {
      state = await this.restore(key, checkpoint, result);
    }
    this.buckets.delete(id);
    this.buckets.set(id, state);
    this.evict();

    try {
      state.version = await this.apply(key, state.engine, fresh, checkpoint, result);
    } catch (error) {
      // The engine has seen records no checkpoint holds: it must not be used again as it is.
      this.buckets.delete(id);
      throw error;
    }
  }

  /** Feeds the packs to the engine, then logs, emits and checkpoints; returns the new version. */
  private async apply(
    key: FamilyKey,
    engine: AbuseDetectors,
    fresh: readonly Pack[],
    checkpoint: BucketCheckpoint | undefined,
    result: ConsumerResult,
  ): Promise<number> {
    const out: Detection[] = [];
    const lines: string[] = [];
    let lastEventMs = checkpoint?.lastEventMs ?? 0;
    for (const pack of fresh) {
      for (const line of pack.lines) {
        const record = recordFromRealtimeLine(line);
        if (record === undefined) {
          result.unreadable++;
          continue;
        }
        result.records++;
        lines.push(line);
        if (record.timestampMs > lastEventMs) lastEventMs = record.timestampMs;
        engine.observe(record, out);
      }
    }
    const version = (checkpoint?.version ?? 0) + 1;
    const { store, sink, replayHorizonMs } = this.options;
    await store.appendLog(
      key,
      version,
      lastEventMs,
      chunkLines(lines, MAX_LOG_ITEM_BYTES).map((chunk) => gzipSync(chunk.join('\n'))),
      Math.floor((lastEventMs + replayHorizonMs) / 1000) + 3600,
    );
    const owned: EmittedDetection[] = out
      .filter((d) => ownerOf(d) === key.family)
      .map((d) => ({ ...d, id: detectionId(d), family: key.family }));
    // Before the checkpoint: a failure in between re-emits on retry (same ids) rather than losing detections.
    if (owned.length > 0) await sink.emit(owned);
    result.detections.push(...owned);
    const applied = { ...checkpoint?.applied };
    for (const pack of fresh) {
      const seen = applied[pack.source.shardId];
      if (seen === undefined || comparePosition(pack.source, seen) > 0) {
        applied[pack.source.shardId] = {
          sequence: pack.source.lastSequence,
          part: pack.source.part,
          atEventMs: lastEventMs,
        };
      }
    }
    for (const [shardId, seen] of Object.entries(applied)) {
      if (lastEventMs - seen.atEventMs > FORGET_SOURCE_MS) delete applied[shardId];
    }
    await store.saveCheckpoint(key, checkpoint?.version, { version, lastEventMs, applied });
    return version;
  }

  private async restore(
    key: FamilyKey,
    checkpoint: BucketCheckpoint | undefined,
    result: ConsumerResult,
  ): Promise<BucketState> {
    const engine = new AbuseDetectors(this.options.geo, this.options.detectors);
    if (checkpoint === undefined) return { engine, version: 0 };
    result.restoredBuckets++;
    const items = await this.options.store.replayLog(
      key,
      checkpoint.lastEventMs - this.options.replayHorizonMs,
      checkpoint.version,
    );
    // Detections of replayed records were emitted when the records were first applied.
    const discarded: Detection[] = [];
    for (const item of items) {
      const text = gunzipSync(item).toString('utf8');
      if (text.length === 0) continue;
      for (const line of text.split('\n')) {
        const record = recordFromRealtimeLine(line);
        if (record === undefined) continue;
        engine.observe(record, discarded);
        result.replayedLines++;
        discarded.length = 0;
      }
    }
    return { engine, version: checkpoint.version };
  }

  private evict(): void {
    const max = this.options.maxBuckets ?? 512;
    while (this.buckets.size > max) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) break;
      this.buckets.delete(oldest);
    }
  }
}
