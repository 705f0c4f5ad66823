import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Account, Asset, Device, Entitlement, Title } from '../domain/model.ts';
import type { TableRef } from './dynamo.ts';
import { keys } from './keys.ts';

export interface BulkData {
  titles?: readonly Title[];
  assets?: readonly Asset[];
  accounts?: readonly Account[];
  devices?: readonly Device[];
  entitlements?: readonly Entitlement[];
  /** Organisation seats already held: (orgId, memberId). */
  members?: ReadonlyArray<{ orgId: string; memberId: string; claimedAt: number }>;
}

/**
 * Loads a consistent data set in 25-item BatchWriteItem requests (the API maximum). Counters on profiles are
 * derived from the devices and members given, so the bounded-slot invariants hold from the first request.
 * For seeding an empty table; live changes go through the stores' conditional writes.
 */
export async function bulkLoad(table: Pick<TableRef, 'doc' | 'tableName'>, data: BulkData): Promise<number> {
  const deviceCount = countBy(data.devices ?? [], (d) => d.accountId);
  const seatCount = countBy(data.members ?? [], (m) => m.orgId);
  const items: Record<string, unknown>[] = [
    ...(data.titles ?? []).map((t) => ({ ...keys.title(t.titleId), ...keys.titleIndex(t.titleId), ...t })),
    ...(data.assets ?? []).map((a) => ({ ...keys.asset(a.titleId, a.name), ...a })),
    ...(data.accounts ?? []).map((a) => ({
      ...keys.account(a.accountId),
      ...a,
      ...(a.kind === 'reader' ? { deviceCount: deviceCount.get(a.accountId) ?? 0 } : {}),
      ...(a.kind === 'organisation' ? { seatCount: seatCount.get(a.accountId) ?? 0 } : {}),
    })),
    ...(data.devices ?? []).map((d) => ({ ...keys.device(d.accountId, d.deviceId), ...d })),
    ...(data.entitlements ?? []).map((e) => ({
      ...keys.entitlement(e.accountId, e.target.type, e.target.id),
      ...e,
    })),
    ...(data.members ?? []).map((m) => ({ ...keys.member(m.orgId, m.memberId), ...m })),
  ];
  await batchPut(table, items);
  return items.length;
}

async function batchPut(
  table: Pick<TableRef, 'doc' | 'tableName'>,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0 && attempt < 8; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const result = await table.doc.send(
        new BatchWriteCommand({ RequestItems: { [table.tableName]: pending } }),
      );
      pending = (result.UnprocessedItems?.[table.tableName] ?? []) as typeof pending;
    }
    if (pending.length > 0)
      throw new Error(`bulk load left ${pending.length} items unprocessed after retries`);
  }
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
