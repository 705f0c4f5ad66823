import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/model.ts';
import { isConditionFailed, type TableRef } from './dynamo.ts';
import { GSI1, keys, stripKeys } from './keys.ts';

export type IdempotencyClaim =
  | { state: 'new' }
  | { state: 'done'; response: { statusCode: number; body: unknown } }
  | { state: 'in_progress' }
  | { state: 'key_reused' };

/** How long a retried admin request replays its first response. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/**
 * The append-only audit trail (one item per entry, day-partitioned, indexed by subject) and idempotency
 * records for admin actions that have no natural key.
 */
export class AuditStore {
  constructor(private readonly table: TableRef) {}

  /** Conditional put: an entry is never overwritten; writing the same auditId twice is a no-op. */
  async append(entry: AuditEntry): Promise<void> {
    const at = new Date(entry.at * 1000).toISOString();
    const subjectId =
      entry.subject.accountId ??
      entry.subject.orgId ??
      entry.subject.tokenId ??
      entry.subject.titleId ??
      'system';
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.audit(at.slice(0, 10), at, entry.auditId),
            ...keys.auditIndex(subjectId, at, entry.auditId),
            ...entry,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  async listBySubject(subjectId: string, limit = 100): Promise<AuditEntry[]> {
    const { Items = [] } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.auditIndex(subjectId, '', '').gsi1pk },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => stripKeys<AuditEntry>(item));
  }

  /** `day` is YYYY-MM-DD (UTC). */
  async listByDay(day: string, limit = 100): Promise<AuditEntry[]> {
    const { Items = [] } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.audit(day, '', '').pk },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => stripKeys<AuditEntry>(item));
  }

  /**
   * Claims an idempotency key with a conditional put. A second caller sees the stored response once the first
   * finished, `in_progress` while it runs, and `key_reused` if it sends a different request under the same key.
   */
  async claimIdempotencyKey(
    actor: string,
    key: string,
    requestHash: string,
    now: number,
  ): Promise<IdempotencyClaim> {
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...keys.idempotency(actor, key),
            requestHash,
            status: 'in_progress',
            expiresAt: now + IDEMPOTENCY_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return { state: 'new' };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
    const { Item } = await this.table.doc.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.idempotency(actor, key),
        ConsistentRead: true,
      }),
    );
    if (!Item) return this.claimIdempotencyKey(actor, key, requestHash, now);
    if (Item.requestHash !== requestHash) return { state: 'key_reused' };
    if (Item.status !== 'done') return { state: 'in_progress' };
    return { state: 'done', response: Item.response as { statusCode: number; body: unknown } };
  }

  async completeIdempotencyKey(
    actor: string,
    key: string,
    response: { statusCode: number; body: unknown },
  ): Promise<void> {
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.idempotency(actor, key),
        UpdateExpression: 'SET #status = :done, #response = :response',
        ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
        ExpressionAttributeValues: { ':done': 'done', ':response': response },
      }),
    );
  }

  /** A failed action releases its key so that the retry runs it again rather than replaying a failure. */
  async releaseIdempotencyKey(actor: string, key: string): Promise<void> {
    await this.table.doc.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: keys.idempotency(actor, key) }),
    );
  }
}
