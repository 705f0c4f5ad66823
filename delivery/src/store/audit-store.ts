import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/model.ts';
import { isConditionFailed, type TableRef } from './dynamo.ts';
import { GSI1, keys, stripKeys } from './keys.ts';

/**
 * The append-only audit trail (one item per entry, day-partitioned, indexed by subject). Idempotency records
 * of admin actions live in the same table, kept by Powertools Idempotency (api/admin-support.ts).
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
}
