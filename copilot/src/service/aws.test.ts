import type { AddressInfo } from 'node:net';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsCopilot, startAwsCopilot } from './aws.ts';
import { AWS_TEST_ENV, LOCAL_AWS, NOWHERE } from './aws-test-support.ts';

const server = dynalite({ createTableMs: 0 });
const local = LOCAL_AWS;
const nowhere = NOWHERE;
const env = {
  ...AWS_TEST_ENV,
  COPILOT_KINESIS_STREAM: 'edge-realtime-logs',
  COPILOT_API_LOG_GROUPS: '/aws/lambda/delivery-grant-access',
};
let copilot: AwsCopilot;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dynamo = new DynamoDBClient({
    ...local,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
  copilot = await startAwsCopilot(env, () => ({
    dynamo,
    s3: new S3Client({ ...local, endpoint: nowhere, forcePathStyle: true }),
    kinesis: new KinesisClient({ ...local, endpoint: nowhere }),
    logs: new CloudWatchLogsClient({ ...local, endpoint: nowhere }),
    waf: new WAFV2Client({ ...local, endpoint: nowhere }),
  }));
});

afterAll(async () => {
  await copilot?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('startAwsCopilot', () => {
  it('serves the API with Cognito tokens required, whatever its sources answer', async () => {
    expect((await fetch(`${copilot.service.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${copilot.service.url}/api/findings`)).status).toBe(401);
    // The incident chat is mounted too (offline: no model is configured here).
    expect((await fetch(`${copilot.service.url}/api/incidents`)).status).toBe(401);
  });

  it('refuses to start without the service token settings the admin API needs', async () => {
    const { COPILOT_SERVICE_CLIENT_SECRET: _, ...without } = env;
    await expect(startAwsCopilot(without, () => ({}) as never)).rejects.toThrow(
      /COPILOT_SERVICE_CLIENT_SECRET/,
    );
  });
});
