import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { createDeliveryTable, isConditionFailed } from '@boundless/delivery/store';
import { ulid } from 'ulid';
import type { Finding, FindingRef } from '../findings.ts';
import type { FeedbackRule } from '../mitigation/feedback.ts';
import type { Guardrails, Mitigation } from '../mitigation/types.ts';
import type { CheckpointStore } from '../sources/checkpoints.ts';
import { deadline } from '../sources/aws-client.ts';
import { queryPartition } from './query-partition.ts';

export type MitigationStatus = 'active' | 'dry_run' | 'failed' | 'expired' | 'rolled_back';

export type StoredMitigation = Mitigation & {
  status: MitigationStatus;
  updatedAt: string;
  statusReason?: string;
};

/** What the policies made of a finding: applied (with the mitigation) or skipped, and why. */
export interface FindingDecision {
  outcome: 'apply' | 'skip';
  reason: string;
  detail: string;
  mitigationId?: string;
}

/**
 * A finding as readers see it: with the policies' decision, and, once its episode's evidence grew, the finding
 * that escalated it (the one now current for its subject).
 */
export type StoredFinding = Finding & { decision?: FindingDecision; escalatedBy?: FindingRef };

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
}

/**
 * The copilot's state in DynamoDB (dynalite locally): findings, mitigations, audit trail, source checkpoints,
 * operators' guardrails and feedback rules, one table with the delivery table's pk/sk shape. Writes are
 * single-item and conditional where a retry could otherwise double an effect; every call has a deadline.
 */
export class CopilotStore implements CheckpointStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Creates the table when missing and returns a store whose document client drops undefined attributes. Pass
   * `doc` when `client` cannot carry a DocumentClient (one built with `cacheMiddleware`, as the embedded
   * DynamoDB's is).
   */
  static async open(
    client: DynamoDBClient,
    tableName: string,
    doc: DynamoDBDocumentClient = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    }),
  ): Promise<CopilotStore> {
    await createDeliveryTable(client, tableName);
    return new CopilotStore(doc, tableName);
  }

  /** Stores a finding once; the same finding derived again (same id) is not duplicated. */
  async putFinding(finding: Finding): Promise<boolean> {
    return this.writeIfCondition(
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: 'FINDING', sk: `${finding.detectedAt}#${finding.id}`, ...finding },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
        deadline(),
      ),
    );
  }

  /** Records the policies' decision on a stored finding, for the dashboard and the incident chat. */
  async setFindingDecision(
    finding: Pick<Finding, 'id' | 'detectedAt'>,
    decision: FindingDecision,
  ): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: 'FINDING', sk: `${finding.detectedAt}#${finding.id}` },
        UpdateExpression: 'SET decision = :decision',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':decision': decision },
      }),
      deadline(),
    );
  }

  /**
   * Newest first, each escalated finding naming its escalation. An escalation is newer than what it escalates,
   * so a page that holds a finding holds its escalation too: derived here, no second write to fall behind.
   */
  async listFindings(limit = 200, sinceIso = ''): Promise<StoredFinding[]> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :since',
        ExpressionAttributeValues: { ':pk': 'FINDING', ':since': sinceIso },
        ScanIndexForward: false,
        Limit: limit,
      }),
      deadline(),
    );
    const findings = (result.Items ?? []).map(({ pk: _pk, sk: _sk, ...finding }) => finding as StoredFinding);
    return withEscalations(findings);
  }

  async putMitigation(mitigation: StoredMitigation): Promise<boolean> {
    return this.writeIfCondition(
      this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: 'MITIGATION', sk: mitigation.id, ...mitigation },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
        deadline(),
      ),
    );
  }

  async getMitigation(id: string): Promise<StoredMitigation | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: 'MITIGATION', sk: id } }),
      deadline(),
    );
    if (!result.Item) return undefined;
    const { pk: _pk, sk: _sk, ...mitigation } = result.Item;
    return mitigation as StoredMitigation;
  }

  /** Moves a mitigation from one status to another; false when it was not in `from` (someone else moved it). */
  async transitionMitigation(
    id: string,
    from: MitigationStatus,
    to: MitigationStatus,
    at: string,
    reason: string,
  ): Promise<boolean> {
    return this.writeIfCondition(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: 'MITIGATION', sk: id },
          UpdateExpression: 'SET #status = :to, updatedAt = :at, statusReason = :reason',
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':to': to, ':from': from, ':at': at, ':reason': reason },
        }),
        deadline(),
      ),
    );
  }

  async listMitigations(status?: MitigationStatus): Promise<StoredMitigation[]> {
    const items = await this.readPartition<StoredMitigation>('MITIGATION');
    return status ? items.filter((item) => item.status === status) : items;
  }

  /** A conditional single-item write: false when its condition failed (done before, or moved by someone else). */
  private async writeIfCondition(write: Promise<unknown>): Promise<boolean> {
    try {
      await write;
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** Every item of one partition, page after page, without its keys. */
  private async readPartition<T>(pk: string): Promise<T[]> {
    const items = await queryPartition(this.doc, this.tableName, pk);
    return items.map(({ pk: _pk, sk: _sk, ...item }) => item as T);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `AUDIT#${entry.at.slice(0, 10)}`, sk: `${entry.at}#${ulid()}`, ...entry },
      }),
      deadline(),
    );
  }

  async listAudit(day: string): Promise<AuditEntry[]> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `AUDIT#${day}` },
      }),
      deadline(),
    );
    return (result.Items ?? []).map(({ pk: _pk, sk: _sk, ...entry }) => entry as AuditEntry);
  }

  /** Guardrails as operators last set them; undefined until someone changes them (policies.json applies). */
  async loadGuardrails(): Promise<Partial<Guardrails> | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: 'CONFIG', sk: 'guardrails' } }),
      deadline(),
    );
    if (!result.Item) return undefined;
    const { pk: _pk, sk: _sk, updatedAt: _at, ...guardrails } = result.Item;
    return guardrails as Partial<Guardrails>;
  }

  async saveGuardrails(guardrails: Guardrails, at: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: 'CONFIG', sk: 'guardrails', ...guardrails, updatedAt: at },
      }),
      deadline(),
    );
  }

  async putFeedback(rule: FeedbackRule): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: 'FEEDBACK', sk: rule.id, ...rule } }),
      deadline(),
    );
  }

  async listFeedback(): Promise<FeedbackRule[]> {
    return this.readPartition<FeedbackRule>('FEEDBACK');
  }

  /** Ends a feedback rule early; false when it was already ended. */
  async endFeedback(id: string, at: string, actor: string): Promise<boolean> {
    return this.writeIfCondition(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: 'FEEDBACK', sk: id },
          UpdateExpression: 'SET #status = :ended, endedAt = :at, endedBy = :actor',
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':ended': 'ended', ':active': 'active', ':at': at, ':actor': actor },
        }),
        deadline(),
      ),
    );
  }

  async load(sourceId: string): Promise<string | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: 'CHECKPOINT', sk: sourceId } }),
      deadline(),
    );
    return typeof result.Item?.position === 'string' ? result.Item.position : undefined;
  }

  async save(sourceId: string, position: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: 'CHECKPOINT', sk: sourceId, position, updatedAt: new Date().toISOString() },
      }),
      deadline(),
    );
  }
}

/** Marks each finding that a later one in the list escalates. */
function withEscalations(findings: StoredFinding[]): StoredFinding[] {
  const escalatedBy = new Map<string, FindingRef>();
  for (const f of findings)
    if (f.escalates) escalatedBy.set(f.escalates.id, { id: f.id, detectedAt: f.detectedAt });
  if (escalatedBy.size === 0) return findings;
  return findings.map((f) => {
    const by = escalatedBy.get(f.id);
    return by ? { ...f, escalatedBy: by } : f;
  });
}
