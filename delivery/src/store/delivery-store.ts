import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AccessStore } from './access-store.ts';
import { AccountsStore } from './accounts-store.ts';
import { AuditStore } from './audit-store.ts';
import { CatalogStore } from './catalog-store.ts';
import type { TableRef } from './dynamo.ts';

export interface DeliveryStore {
  table: TableRef;
  accounts: AccountsStore;
  catalog: CatalogStore;
  access: AccessStore;
  audit: AuditStore;
}

/** One DocumentClient per process: create it at module scope in a Lambda, once per runtime locally. */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function createDeliveryStore(doc: DynamoDBDocumentClient, tableName: string): DeliveryStore {
  const table = { doc, tableName };
  return {
    table,
    accounts: new AccountsStore(table),
    catalog: new CatalogStore(table),
    access: new AccessStore(table),
    audit: new AuditStore(table),
  };
}
