import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailed } from '@boundless/delivery/store';
import { addUsage, NO_USAGE, type UsageTotals } from '../chat/budget.ts';
import type { Citation } from '../chat/evidence.ts';
import type { ShieldState } from '../chat/injection.ts';
import type { MaskVault } from '../chat/masking.ts';
import { isFresh, type ToolResultCache } from '../chat/tool-cache.ts';
import type { ToolResult } from '../chat/tools.ts';
import type { ChatMessage, Incident, StoredSuggestion } from './types.ts';

/**
 * Incidents and their conversations in the copilot's table (DynamoDB; dynalite locally), so a conversation
 * survives a restart: the incident, its messages, its numbered evidence, its suggestions, its masking vault and
 * shield state, its model usage (atomic counters) and its cached tool results. Bodies are stored as JSON text:
 * telemetry nests deeper than DynamoDB's 32 levels and holds values it would refuse (empty sets, NaN).
 */
const MAX_ITEM_BYTES = 350_000;

export interface IncidentState {
  vault?: MaskVault;
  shield?: ShieldState;
  usage: UsageTotals;
  messages: number;
}

const pad = (n: number) => String(n).padStart(6, '0');

export class IncidentStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Stores a new incident; false when one with that id exists. */
  async createIncident(incident: Incident): Promise<boolean> {
    return this.put('INCIDENT', incident.id, incident, { status: incident.status }, true);
  }

  async saveIncident(incident: Incident): Promise<void> {
    await this.put('INCIDENT', incident.id, incident, { status: incident.status }, false);
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    return this.get<Incident>('INCIDENT', id);
  }

  /** Newest first (ids sort by opening time). */
  async listIncidents(limit = 200): Promise<Incident[]> {
    return this.query<Incident>('INCIDENT', '', { limit, newestFirst: true });
  }

  async state(incidentId: string): Promise<IncidentState> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `INC#${incidentId}`, sk: 'STATE' } }),
    );
    const item = result.Item ?? {};
    const usage: UsageTotals = { ...NO_USAGE };
    for (const key of Object.keys(NO_USAGE) as (keyof UsageTotals)[])
      if (typeof item[key] === 'number') usage[key] = item[key];
    return {
      ...(typeof item.vault === 'string' ? { vault: JSON.parse(item.vault) as MaskVault } : {}),
      ...(typeof item.shield === 'string' ? { shield: JSON.parse(item.shield) as ShieldState } : {}),
      usage,
      messages: typeof item.messages === 'number' ? item.messages : 0,
    };
  }

  async saveMasking(incidentId: string, vault: MaskVault, shield: ShieldState): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `INC#${incidentId}`, sk: 'STATE' },
        UpdateExpression: 'SET vault = :vault, shield = :shield',
        ExpressionAttributeValues: { ':vault': JSON.stringify(vault), ':shield': JSON.stringify(shield) },
      }),
    );
  }

  /** Adds an answer's usage to the incident's counters atomically; returns the new totals. */
  async addUsage(incidentId: string, delta: UsageTotals): Promise<UsageTotals> {
    const keys = Object.keys(NO_USAGE) as (keyof UsageTotals)[];
    const result = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `INC#${incidentId}`, sk: 'STATE' },
        UpdateExpression: `ADD ${keys.map((k) => `${k} :${k}`).join(', ')}`,
        ExpressionAttributeValues: Object.fromEntries(keys.map((k) => [`:${k}`, delta[k]])),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return addUsage(NO_USAGE, { ...NO_USAGE, ...(result.Attributes as Partial<UsageTotals>) });
  }

  /** The next message number of the incident (atomic, so two writers never share one). */
  async nextSeq(incidentId: string): Promise<number> {
    const result = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `INC#${incidentId}`, sk: 'STATE' },
        UpdateExpression: 'ADD messages :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes?.messages);
  }

  async putMessage(message: ChatMessage): Promise<void> {
    await this.put(`INC#${message.incidentId}`, `MSG#${pad(message.seq)}`, message, {}, true);
  }

  async listMessages(incidentId: string): Promise<ChatMessage[]> {
    return this.query<ChatMessage>(`INC#${incidentId}`, 'MSG#');
  }

  async putCitations(incidentId: string, citations: readonly Citation[]): Promise<void> {
    for (const citation of citations) {
      const stored =
        citation.excerpt && citation.excerpt.length > 2_000
          ? { ...citation, excerpt: `${citation.excerpt.slice(0, 2_000)}…` }
          : citation;
      await this.put(`INC#${incidentId}`, `CITE#${pad(Number(citation.id.slice(1)))}`, stored, {}, false);
    }
  }

  async listCitations(incidentId: string): Promise<Citation[]> {
    return this.query<Citation>(`INC#${incidentId}`, 'CITE#');
  }

  async getCitation(incidentId: string, id: string): Promise<Citation | undefined> {
    const n = /^E(\d+)$/.exec(id)?.[1];
    return n ? this.get<Citation>(`INC#${incidentId}`, `CITE#${pad(Number(n))}`) : undefined;
  }

  async putSuggestion(suggestion: StoredSuggestion): Promise<void> {
    await this.put(
      `INC#${suggestion.incidentId}`,
      `SUG#${suggestion.id}`,
      suggestion,
      { status: suggestion.status },
      true,
    );
  }

  async getSuggestion(incidentId: string, id: string): Promise<StoredSuggestion | undefined> {
    return this.get<StoredSuggestion>(`INC#${incidentId}`, `SUG#${id}`);
  }

  async listSuggestions(incidentId: string): Promise<StoredSuggestion[]> {
    return this.query<StoredSuggestion>(`INC#${incidentId}`, 'SUG#');
  }

  /** Marks a suggestion proposed; false when it already was (someone else proposed it first). */
  async markProposed(suggestion: StoredSuggestion, proposalId: string): Promise<boolean> {
    const updated: StoredSuggestion = { ...suggestion, status: 'proposed', proposalId };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `INC#${suggestion.incidentId}`,
            sk: `SUG#${suggestion.id}`,
            status: 'proposed',
            body: JSON.stringify(updated),
          },
          ConditionExpression: '#status = :suggested',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':suggested': 'suggested' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** The incident's tool results: closed ranges kept for good, ranges up to "now" for a minute. */
  toolCache(incidentId: string, clock: () => number = Date.now): ToolResultCache {
    return {
      get: async (key) => {
        const result = await this.doc.send(
          new GetCommand({ TableName: this.tableName, Key: { pk: `INC#${incidentId}`, sk: `TOOL#${key}` } }),
        );
        const item = result.Item;
        if (!item || typeof item.body !== 'string') return undefined;
        const cached = JSON.parse(item.body) as ToolResult;
        return isFresh(cached, Number(item.storedAt), clock()) ? cached : undefined;
      },
      put: async (key, value) => {
        const body = JSON.stringify(value);
        // A result too large for one item is simply not cached: the next call runs the query again.
        if (body.length > MAX_ITEM_BYTES) return;
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: `INC#${incidentId}`, sk: `TOOL#${key}`, storedAt: clock(), body },
          }),
        );
      },
    };
  }

  private async put(
    pk: string,
    sk: string,
    value: unknown,
    attributes: Record<string, unknown>,
    onlyNew: boolean,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk, ...attributes, body: JSON.stringify(value) },
          ...(onlyNew ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (onlyNew && isConditionFailed(error)) return false;
      throw error;
    }
  }

  private async get<T>(pk: string, sk: string): Promise<T | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk } }));
    return typeof result.Item?.body === 'string' ? (JSON.parse(result.Item.body) as T) : undefined;
  }

  private query<T>(
    pk: string,
    prefix: string,
    options: { limit?: number; newestFirst?: boolean } = {},
  ): Promise<T[]> {
    return queryBodies<T>(this.doc, this.tableName, pk, { prefix, ...options });
  }
}

/** The JSON bodies of a partition (optionally of one sort-key prefix), every page, oldest first unless asked. */
export async function queryBodies<T>(
  doc: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  options: { prefix?: string; limit?: number; newestFirst?: boolean } = {},
): Promise<T[]> {
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: options.prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(options.prefix ? { ':prefix': options.prefix } : {}) },
        ScanIndexForward: !options.newestFirst,
        ExclusiveStartKey: startKey,
        ...(options.limit ? { Limit: options.limit - items.length } : {}),
      }),
    );
    for (const item of page.Items ?? [])
      if (typeof item.body === 'string') items.push(JSON.parse(item.body) as T);
    startKey = page.LastEvaluatedKey;
  } while (startKey && (!options.limit || items.length < options.limit));
  return items;
}
