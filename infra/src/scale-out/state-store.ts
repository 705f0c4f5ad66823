import type { FamilyKey } from './families.ts';
import { InfraError } from '../errors.ts';

/** The last pack applied from one router source (a real-time log shard). */
export interface AppliedPosition {
  sequence: string;
  part: number;
  /** Event time reached when it was applied: positions of long-quiet sources are forgotten. */
  atEventMs: number;
}

/** A bucket's durable state besides its replay log. */
export interface BucketCheckpoint {
  /** Incremented by every invocation that applied packs to the bucket. */
  version: number;
  /** Newest event time applied. */
  lastEventMs: number;
  applied: Record<string, AppliedPosition>;
}

/** What the consumer keeps in DynamoDB (or anything with conditional writes). */
export interface ConsumerStateStore {
  /** Checkpoints by `family#bucket`; buckets never seen are absent. Read consistently. */
  checkpoints(keys: readonly FamilyKey[]): Promise<Map<string, BucketCheckpoint>>;
  /**
   * The replay log's chunks (gzip of newline-separated records) written at versions up to `upToVersion`
   * whose newest record is at or after `fromEventMs`, in the order they were applied.
   */
  replayLog(key: FamilyKey, fromEventMs: number, upToVersion: number): Promise<Uint8Array[]>;
  /** Writes the chunks applied at `version`; writing the same version again overwrites it (retries). */
  appendLog(
    key: FamilyKey,
    version: number,
    lastEventMs: number,
    chunks: readonly Uint8Array[],
    expiresAtSeconds: number,
  ): Promise<void>;
  /** Saves `next` if the stored version is still `previousVersion` (absent for a new bucket). */
  saveCheckpoint(key: FamilyKey, previousVersion: number | undefined, next: BucketCheckpoint): Promise<void>;
}

/** The bucket's checkpoint moved on under us: another environment processed it. The batch is retried. */
export class StaleCheckpointError extends InfraError {
  constructor(key: FamilyKey, options?: ErrorOptions) {
    super(`checkpoint of ${key.family} bucket ${key.bucket} changed during processing`, options);
    this.name = 'StaleCheckpointError';
  }
}
