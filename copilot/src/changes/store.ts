import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailed } from '@boundless/delivery/store';
import { deadline } from '../sources/aws-client.ts';
import { queryPartition } from '../state/query-partition.ts';
import { ChangeSetError } from './errors.ts';
import { hashOf } from './plan.ts';
import type { ChangeAuditEntry, ChangeSet } from './types.ts';

const PK = 'CHANGESET';
const auditPk = (id: string) => `CHANGESET_AUDIT#${id}`;
const GENESIS = 'sha256:genesis';

/**
 * Change sets and their audit trails in the copilot's table. A change set is one item written only when its
 * revision is still the one read (two approvers at once: one wins, the other gets `conflict`). The audit trail
 * is append-only: entries are numbered, each put only if its number is free, and each carries the hash of the
 * one before, so a removed or edited entry breaks the chain (`verifyChain`).
 */
export class ChangeSetStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(cs: ChangeSet): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: PK, sk: cs.id, status: cs.status, revision: cs.revision, body: JSON.stringify(cs) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
      deadline(),
    );
  }

  /** Writes `next` (revision + 1) if the stored revision is still `next.revision - 1`. */
  async update(next: ChangeSet): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: PK,
            sk: next.id,
            status: next.status,
            revision: next.revision,
            body: JSON.stringify(next),
          },
          ConditionExpression: 'revision = :previous',
          ExpressionAttributeValues: { ':previous': next.revision - 1 },
        }),
        deadline(),
      );
    } catch (error) {
      if (isConditionFailed(error))
        throw new ChangeSetError('conflict', `${next.id} changed meanwhile; read it again`, undefined, {
          cause: error,
        });
      throw error;
    }
  }

  async get(id: string): Promise<ChangeSet | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: PK, sk: id } }),
      deadline(),
    );
    return typeof result.Item?.body === 'string' ? (JSON.parse(result.Item.body) as ChangeSet) : undefined;
  }

  async list(): Promise<ChangeSet[]> {
    return this.readBodies<ChangeSet>(PK);
  }

  /** The JSON bodies of one partition. */
  private async readBodies<T>(pk: string): Promise<T[]> {
    const items = await queryPartition(this.doc, this.tableName, pk);
    return items.flatMap((item) => (typeof item.body === 'string' ? [JSON.parse(item.body) as T] : []));
  }

  /** Appends the next audit entry; a concurrent append of the same number fails and is retried on top of it. */
  async appendAudit(
    entry: Omit<ChangeAuditEntry, 'seq' | 'prevHash' | 'hash'>,
    attempts = 5,
  ): Promise<ChangeAuditEntry> {
    for (let attempt = 1; ; attempt++) {
      const trail = await this.audit(entry.changeSetId);
      const last = trail.at(-1);
      const seq = (last?.seq ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS;
      const full: ChangeAuditEntry = { ...entry, seq, prevHash, hash: '' };
      full.hash = hashOf({ ...full, hash: undefined });
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              pk: auditPk(entry.changeSetId),
              sk: String(seq).padStart(8, '0'),
              body: JSON.stringify(full),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
          deadline(),
        );
        return full;
      } catch (error) {
        if (!isConditionFailed(error) || attempt >= attempts) throw error;
      }
    }
  }

  async audit(id: string): Promise<ChangeAuditEntry[]> {
    return (await this.readBodies<ChangeAuditEntry>(auditPk(id))).sort((x, y) => x.seq - y.seq);
  }
}

/** Whether an audit trail is whole: numbered 1..n, each entry's hash its own, each linked to the one before. */
export function verifyChain(entries: readonly ChangeAuditEntry[]): { ok: boolean; brokenAt?: number } {
  let prev = GENESIS;
  for (const [index, entry] of entries.entries()) {
    const own = hashOf({ ...entry, hash: undefined });
    if (entry.seq !== index + 1 || entry.prevHash !== prev || entry.hash !== own)
      return { ok: false, brokenAt: entry.seq };
    prev = entry.hash;
  }
  return { ok: true };
}
