// Embedded DynamoDB: dynalite on its own thread, reached through the real AWS SDK clients.
export { type EmbeddedDynamo, EmbeddedDynamoError, startEmbeddedDynamo } from './embedded-dynamo.ts';
