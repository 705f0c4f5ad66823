import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Asset, Entitlement, EntitlementTarget, Title } from '../domain/model.ts';
import { bulkLoad } from './bulk-load.ts';
import type { TableRef } from './dynamo.ts';
import { keys, stripKeys } from './keys.ts';

/** Titles, their assets, and entitlements (account -> title or collection). */
export class CatalogStore {
  constructor(private readonly table: TableRef) {}

  async getTitle(titleId: string): Promise<Title | undefined> {
    const { Item } = await this.table.doc.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.title(titleId) }),
    );
    return Item ? stripKeys<Title>(Item) : undefined;
  }

  async listAssets(titleId: string): Promise<Asset[]> {
    const { Items = [] } = await this.table.doc.send(
      new QueryCommand({
        TableName: this.table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.title(titleId).pk, ':prefix': keys.assetPrefix },
      }),
    );
    return Items.map((item) => stripKeys<Asset>(item));
  }

  async putCatalog(titles: readonly Title[], assets: readonly Asset[]): Promise<void> {
    await bulkLoad(this.table, { titles, assets });
  }

  async getEntitlement(accountId: string, target: EntitlementTarget): Promise<Entitlement | undefined> {
    const { Item } = await this.table.doc.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: keys.entitlement(accountId, target.type, target.id),
      }),
    );
    return Item ? stripKeys<Entitlement>(Item) : undefined;
  }

  /** Natural key (account, target): granting again replaces; returns the previous grant if any. */
  async putEntitlement(entitlement: Entitlement): Promise<Entitlement | undefined> {
    const { target, accountId } = entitlement;
    const { Attributes } = await this.table.doc.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: { ...keys.entitlement(accountId, target.type, target.id), ...entitlement },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes ? stripKeys<Entitlement>(Attributes) : undefined;
  }

  async deleteEntitlement(accountId: string, target: EntitlementTarget): Promise<Entitlement | undefined> {
    const { Attributes } = await this.table.doc.send(
      new DeleteCommand({
        TableName: this.table.tableName,
        Key: keys.entitlement(accountId, target.type, target.id),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes ? stripKeys<Entitlement>(Attributes) : undefined;
  }

  async listEntitlements(accountId: string): Promise<Entitlement[]> {
    const items: Record<string, unknown>[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.table.doc.send(
        new QueryCommand({
          TableName: this.table.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.account(accountId).pk, ':prefix': keys.entitlementPrefix },
          ExclusiveStartKey: cursor,
        }),
      );
      items.push(...(page.Items ?? []));
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return items.map((item) => stripKeys<Entitlement>(item));
  }
}
