import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
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

export interface DynamoClients {
  /** Low-level commands of the hot path; middleware stacks resolved once per command type. */
  client: DynamoDBClient;
  /** Everything else. */
  doc: DynamoDBDocumentClient;
}

/**
 * The two clients every process uses, in AWS and locally alike. The DocumentClient refuses `cacheMiddleware`
 * (it resolves its own stack around the low-level command's), so it gets a client of its own with the same
 * settings; both share the request handler when the config passes one.
 */
export function createDynamoClients(config: DynamoDBClientConfig): DynamoClients {
  const client = new DynamoDBClient({ ...config, cacheMiddleware: true });
  const plain = new DynamoDBClient(config);
  for (const each of [client, plain]) {
    // No logger is configured (the SDK's default logs nothing), yet its logger middleware still builds a
    // redacted copy of every request and response to hand to it.
    each.middlewareStack.remove('loggerMiddleware');
  }
  return { client, doc: createDocumentClient(plain) };
}

/**
 * `client` defaults to the DocumentClient, which sends low-level commands too (without the middleware cache);
 * pass the client from `createDynamoClients` for the fast path.
 */
export function createDeliveryStore(
  doc: DynamoDBDocumentClient,
  tableName: string,
  client: DynamoDBClient = doc as unknown as DynamoDBClient,
): DeliveryStore {
  const table = { doc, client, tableName };
  return {
    table,
    accounts: new AccountsStore(table),
    catalog: new CatalogStore(table),
    access: new AccessStore(table),
    audit: new AuditStore(table),
  };
}
