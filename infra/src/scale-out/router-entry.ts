/** Lambda entry of the router (see handlers.ts): configuration and clients are made once per environment. */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { Logger } from '@aws-lambda-powertools/logger';
import { routerEnvironment } from './environment.ts';
import { createRouterHandler, powertoolsLogger } from './handlers.ts';
import { KinesisStreamWriter } from './kinesis-writer.ts';

const env = routerEnvironment();
const powertools = new Logger({ serviceName: 'scale-out-router' });
const logger = powertoolsLogger(powertools);

export const handler = createRouterHandler({
  writer: new KinesisStreamWriter(new KinesisClient({ region: env.AWS_REGION })),
  subjectStream: env.BOUNDLESS_SUBJECT_STREAM,
  globalStream: env.BOUNDLESS_GLOBAL_STREAM,
  buckets: env.BOUNDLESS_BUCKETS,
  logger,
});
