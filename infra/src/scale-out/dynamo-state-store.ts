import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { FamilyKey } from './families.ts';
import { type BucketCheckpoint, type ConsumerStateStore, StaleCheckpointError } from './state-store.ts';

const pkOf = (key: FamilyKey) => `bucket#${key.family}#${key.bucket}`;
const CHECKPOINT = 'checkpoint';
const pad = (n: number, width: number) => String(Math.max(0, Math.floor(n))).padStart(width, '0');
/** Log items sort by the newest event they hold, then by version and chunk. */
const logSk = (lastEventMs: number, version: number, chunk: number) =>
  `log#${pad(lastEventMs, 15)}#${pad(version, 12)}#${pad(chunk, 4)}`;

/** BatchGetItem reads at most 100 keys a call. */
const BATCH_GET_LIMIT = 100;

/**
 * The consumer's state in one DynamoDB table (`pk`/`sk`, TTL on `expiresAt`): per bucket a checkpoint item
 * and replay-log items. Checkpoints are written conditionally on their version; log items are idempotent.
 */
export class DynamoConsumerStateStore implements ConsumerStateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async checkpoints(keys: readonly FamilyKey[]): Promise<Map<string, BucketCheckpoint>> {
    const found = new Map<string, BucketCheckpoint>();
    for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) {
      let pending: Record<string, unknown>[] = keys
        .slice(i, i + BATCH_GET_LIMIT)
        .map((key) => ({ pk: pkOf(key), sk: CHECKPOINT }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const answer = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of answer.Responses?.[this.tableName] ?? []) {
          const [, family, bucket] = String(item.pk).split('#');
          found.set(`${family}#${bucket}`, {
            version: Number(item.version),
            lastEventMs: Number(item.lastEventMs),
            applied: (item.applied ?? {}) as BucketCheckpoint['applied'],
          });
        }
        pending = (answer.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return found;
  }

  async replayLog(key: FamilyKey, fromEventMs: number, upToVersion: number): Promise<Uint8Array[]> {
    const items: { version: number; sk: string; data: Uint8Array }[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pkOf(key), ':from': logSk(fromEventMs, 0, 0), ':to': 'log#~' },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const version = Number(item.version);
        if (version <= upToVersion)
          items.push({ version, sk: String(item.sk), data: item.data as Uint8Array });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    // Applied order: by version, then chunk (the sort key's last part).
    items.sort((a, b) => a.version - b.version || a.sk.localeCompare(b.sk));
    return items.map((item) => item.data);
  }

  async appendLog(
    key: FamilyKey,
    version: number,
    lastEventMs: number,
    chunks: readonly Uint8Array[],
    expiresAtSeconds: number,
  ): Promise<void> {
    await Promise.all(
      chunks.map((data, chunk) =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: pkOf(key),
              sk: logSk(lastEventMs, version, chunk),
              version,
              data,
              expiresAt: expiresAtSeconds,
            },
          }),
        ),
      ),
    );
  }

  async saveCheckpoint(
    key: FamilyKey,
    previousVersion: number | undefined,
    next: BucketCheckpoint,
  ): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: pkOf(key), sk: CHECKPOINT, ...next },
          ...(previousVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#version = :previous',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':previous': previousVersion },
              }),
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException')
        throw new StaleCheckpointError(key, { cause: error });
      throw error;
    }
  }
}
