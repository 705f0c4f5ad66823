import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Account, Device } from '../domain/model.ts';
import { isConditionFailed, type TableRef } from './dynamo.ts';
import { type Key, keys, stripKeys } from './keys.ts';

export type SlotClaim = 'claimed' | 'already_held' | 'limit_reached';

/**
 * Accounts, their devices and organisation seats. Device and seat limits are bounded slots: a counter on the
 * profile item is raised with a conditional update (`count < limit`) before the slot item is written, and
 * lowered again if the slot item turns out to exist. Single-item conditional writes only, because that is what
 * DynamoDB Global Tables (and dynalite, which has no transactions) keep safe under concurrency.
 */
export class AccountsStore {
  constructor(private readonly table: TableRef) {}

  async getAccount(accountId: string): Promise<Account | undefined> {
    const { Item } = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.account(accountId) }),
    );
    return Item && typeof Item.kind === 'string' ? toAccount(Item) : undefined;
  }

  /** Writes the profile without touching its counters, so re-seeding never resets live device counts. */
  async putAccount(account: Account): Promise<void> {
    const { accountId, ...fields } = account;
    const names: Record<string, string> = { '#accountId': 'accountId' };
    const values: Record<string, unknown> = { ':accountId': accountId };
    const sets = ['#accountId = :accountId'];
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    await this.table.doc.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: keys.account(accountId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async getDevice(accountId: string, deviceId: string): Promise<Device | undefined> {
    const { Item } = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.device(accountId, deviceId) }),
    );
    return Item ? stripKeys<Device>(Item) : undefined;
  }

  async listDevices(accountId: string): Promise<Device[]> {
    const { Items = [] } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.account(accountId).pk, ':prefix': keys.devicePrefix },
      }),
    );
    return Items.map((item) => stripKeys<Device>(item));
  }

  async registerDevice(device: Device, limit: number): Promise<SlotClaim> {
    if (await this.getDevice(device.accountId, device.deviceId)) return 'already_held';
    const claim = await this.claimSlot(keys.account(device.accountId), 'deviceCount', limit, {
      ...keys.device(device.accountId, device.deviceId),
      ...device,
    });
    // Parallel claims for this very device may have filled the counter in flight; if one of them landed, the
    // device is registered and this call is a retry, not a new device.
    if (claim === 'limit_reached' && (await this.getDevice(device.accountId, device.deviceId)))
      return 'already_held';
    return claim;
  }

  /** Returns false when the device was not registered. */
  async removeDevice(accountId: string, deviceId: string): Promise<boolean> {
    const { Attributes } = await this.table.doc.send(
      new DeleteCommand({
        TableName: this.table.tableName,
        Key: keys.device(accountId, deviceId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (!Attributes) return false;
    await this.releaseSlot(keys.account(accountId), 'deviceCount');
    return true;
  }

  async hasSeat(orgId: string, memberId: string): Promise<boolean> {
    const { Item } = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.member(orgId, memberId) }),
    );
    return Item !== undefined;
  }

  async claimSeat(orgId: string, memberId: string, seats: number, now: number): Promise<SlotClaim> {
    return this.claimSlot(keys.account(orgId), 'seatCount', seats, {
      ...keys.member(orgId, memberId),
      orgId,
      memberId,
      claimedAt: now,
    });
  }

  private async claimSlot(
    counter: Key,
    attribute: string,
    limit: number,
    slot: Record<string, unknown> & Key,
  ): Promise<SlotClaim> {
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: counter,
          UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': attribute },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':limit': limit },
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) return 'limit_reached';
      throw error;
    }
    try {
      await this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: slot,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'claimed';
    } catch (error) {
      // Either a parallel claim of the same slot won (keep theirs) or the write failed: give the count back.
      await this.releaseSlot(counter, attribute);
      if (isConditionFailed(error)) return 'already_held';
      throw error;
    }
  }

  private async releaseSlot(counter: Key, attribute: string): Promise<void> {
    await this.table.doc
      .send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: counter,
          UpdateExpression: 'SET #count = #count - :one',
          ConditionExpression: '#count > :zero',
          ExpressionAttributeNames: { '#count': attribute },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailed(error)) throw error;
      });
  }
}

export function toAccount(item: Record<string, unknown>): Account {
  const { deviceCount: _d, seatCount: _s, ...account } = stripKeys<Record<string, unknown>>(item);
  return account as unknown as Account;
}
