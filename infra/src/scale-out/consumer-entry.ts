/** Lambda entry of the consumer (see handlers.ts): configuration, clients and geolocation are made once. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { embeddedGeo } from '@boundless/copilot/geo';
import { ScaleOutConsumer } from './consumer.ts';
import { EventBridgeDetectionSink } from './detection-sink.ts';
import { DynamoConsumerStateStore } from './dynamo-state-store.ts';
import { consumerEnvironment } from './environment.ts';
import { createConsumerHandler, powertoolsLogger } from './handlers.ts';

const env = consumerEnvironment();
const powertools = new Logger({ serviceName: 'scale-out-consumer' });
const logger = powertoolsLogger(powertools);
const dynamo = new DynamoDBClient({
  region: env.AWS_REGION,
  ...(env.BOUNDLESS_DYNAMODB_ENDPOINT ? { endpoint: env.BOUNDLESS_DYNAMODB_ENDPOINT } : {}),
});

export const handler = createConsumerHandler(
  new ScaleOutConsumer({
    store: new DynamoConsumerStateStore(
      DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
      env.BOUNDLESS_SCALE_OUT_TABLE,
    ),
    sink: new EventBridgeDetectionSink(
      new EventBridgeClient({ region: env.AWS_REGION }),
      env.BOUNDLESS_EVENT_BUS,
    ),
    geo: embeddedGeo(),
    replayHorizonMs: env.BOUNDLESS_REPLAY_HORIZON_MINUTES * 60_000,
  }),
  logger,
);
