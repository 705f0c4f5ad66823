import { BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AttributeMap, keyAttributes, unmarshallItem } from './attribute-values.ts';
import type { Key } from './keys.ts';

export interface TableRef {
  /** Everything but the access hot path: generic marshalling is worth its cost there. */
  doc: DynamoDBDocumentClient;
  /**
   * The access hot path (one BatchGetItem and one PutItem per grant): low-level commands with hand-built
   * attribute values on a client that resolves each command's middleware stack once (`cacheMiddleware`).
   */
  client: DynamoDBClient;
  tableName: string;
}

export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

const keyOf = (k: Key) => `${k.pk}\u0000${k.sk}`;

/**
 * Reads up to 100 keys, retrying unprocessed keys (throttling returns them rather than failing), and returns
 * the items by key so callers can look up what they asked for without caring about order.
 */
export async function batchGet(
  table: TableRef,
  wanted: Key[],
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const unique = new Map<string, AttributeMap>();
  for (const key of wanted) unique.set(keyOf(key), keyAttributes(key));
  let pending: AttributeMap[] = [...unique.values()];
  for (let attempt = 0; pending.length > 0 && attempt < 5; attempt += 1) {
    const result = await table.client.send(
      new BatchGetItemCommand({ RequestItems: { [table.tableName]: { Keys: pending } } }),
    );
    for (const item of result.Responses?.[table.tableName] ?? []) {
      const record = unmarshallItem(item);
      found.set(keyOf(record as unknown as Key), record);
    }
    pending = result.UnprocessedKeys?.[table.tableName]?.Keys ?? [];
  }
  if (pending.length > 0) throw new Error(`DynamoDB left ${pending.length} keys unprocessed after retries`);
  return found;
}

export function pick(
  found: Map<string, Record<string, unknown>>,
  key: Key,
): Record<string, unknown> | undefined {
  return found.get(keyOf(key));
}
