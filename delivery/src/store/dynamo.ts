import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Key } from './keys.ts';

export interface TableRef {
  doc: DynamoDBDocumentClient;
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
  const unique = [...new Map(wanted.map((k) => [keyOf(k), { pk: k.pk, sk: k.sk }])).values()];
  let pending: Record<string, unknown>[] = unique;
  for (let attempt = 0; pending.length > 0 && attempt < 5; attempt += 1) {
    const result = await table.doc.send(
      new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: pending } } }),
    );
    for (const item of result.Responses?.[table.tableName] ?? []) {
      found.set(keyOf(item as unknown as Key), item);
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
