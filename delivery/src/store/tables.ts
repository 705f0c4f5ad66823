import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { GSI1 } from './keys.ts';

/** The DynamoDB TTL attribute: unix seconds on every item that should disappear on its own. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * Creates the delivery table if it does not exist. Idempotent, so the local runtime, tests and the seed can all
 * call it. In AWS the table is owned by infra/ and this is only used against local endpoints.
 */
export async function createDeliveryTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const exists = await client.send(new DescribeTableCommand({ TableName: tableName })).then(
    () => true,
    (error: unknown) => {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return false;
      throw error;
    },
  );
  if (exists) return;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: GSI1,
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (error) {
    // Another process created it between our describe and create: that is the outcome we wanted.
    if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
  }
  await waitForActive(client, tableName);
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    )
    .catch((error: unknown) => {
      // dynalite has no TTL (UnknownOperation); expiry is filtered in code everywhere anyway.
      if (!(error instanceof Error && /UnknownOperation|ValidationException/.test(error.name))) throw error;
    });
}

async function waitForActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
