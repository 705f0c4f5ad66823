// The single-table DynamoDB store: clients, the table definition, bulk loading, and conditional-write helpers.
export { type BulkData, bulkLoad } from './bulk-load.ts';
export {
  createDeliveryStore,
  createDocumentClient,
  createDynamoClients,
  type DeliveryStore,
  type DynamoClients,
} from './delivery-store.ts';
export { isConditionFailed } from './dynamo.ts';
export { GSI1 } from './keys.ts';
export { createDeliveryTable, TTL_ATTRIBUTE } from './tables.ts';
