import type { AddressInfo } from 'node:net';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { type AwsCopilot, startAwsCopilot } from '@boundless/copilot/service/aws';
import {
  EventBusStandIn,
  LOCAL_AWS as local,
  NOWHERE as nowhere,
  S3StandIn,
} from '@boundless/copilot/testing';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeDetectionSink } from '../scale-out/detection-sink.ts';
import type { EmittedDetection } from '../scale-out/consumer.ts';
import { DeliveryAdminStandIn, startOperatorPool } from './delivery-admin-stand-in.ts';
import { routeDetectionsToQueue } from './test-support.ts';

const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Operators';
const BUS = 'boundless-detections';
const QUEUE = 'boundless-copilot-detections';

const dynamo = dynalite({ createTableMs: 0 });
const s3 = new S3StandIn(['logs']);
const events = new EventBusStandIn();
const admin = new DeliveryAdminStandIn({
  id: 'copilotservice0client',
  secret: 'service-secret',
  scope: 'boundless-delivery/admin',
});
let operators: Awaited<ReturnType<typeof startOperatorPool>>;
let copilot: AwsCopilot;
let eventBridge: EventBridgeClient;

const shared = (id: string, tokenId: string, score: number): EmittedDetection => ({
  id,
  family: 'subject' as EmittedDetection['family'],
  kind: 'token_sharing',
  subject: { tokenId, accountId: `acct-${tokenId}` },
  firstSeen: '2026-11-02T10:00:00.000Z',
  detectedAt: '2026-11-02T10:04:00.000Z',
  score,
  evidence: { devices: 5, countries: ['FR', 'BR', 'JP'] },
  mitigation: 'revoke_token',
});

beforeAll(async () => {
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const s3Endpoint = await s3.start();
  const eventsEndpoint = await events.start();
  const queueUrl = routeDetectionsToQueue(events, BUS, QUEUE);
  await admin.start();
  operators = await startOperatorPool(ISSUER, 'copilot-dashboard');
  eventBridge = new EventBridgeClient({ ...local, endpoint: eventsEndpoint });
  copilot = await startAwsCopilot(
    {
      COPILOT_MODE: 'aws',
      COPILOT_PORT: '0',
      COPILOT_HOST: '127.0.0.1',
      COPILOT_TABLE: 'copilot',
      ...admin.copilotEnv(),
      ...operators.env,
      COPILOT_LOG_BUCKET: 'logs',
      COPILOT_DETECTION_QUEUE_URL: queueUrl,
      // The test ticks the pipeline by hand.
      COPILOT_POLL_MS: '600000',
    },
    () => ({
      dynamo: new DynamoDBClient({
        ...local,
        endpoint: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
      }),
      s3: new S3Client({ ...local, endpoint: s3Endpoint, forcePathStyle: true }),
      kinesis: new KinesisClient({ ...local, endpoint: nowhere }),
      logs: new CloudWatchLogsClient({ ...local, endpoint: nowhere }),
      waf: new WAFV2Client({ ...local, endpoint: nowhere }),
      sqs: new SQSClient({ ...local, endpoint: eventsEndpoint }),
    }),
  );
}, 60_000);

afterAll(async () => {
  await copilot?.close();
  await s3.stop();
  await events.stop();
  await admin.stop();
  await operators?.close();
  await new Promise<void>((resolve) => dynamo.close(() => resolve()));
});

async function api(path: string) {
  const token = await operators.issuer.issue({ sub: 'vera', groups: ['viewer'] });
  const response = await fetch(`${copilot.service.url}/api${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await response.json()) as Record<string, unknown[]>;
}

describe('scale-out detections reach the copilot through EventBridge and SQS', () => {
  it('turns a detection on the bus into a finding and a mitigation through the admin API', async () => {
    const sink = new EventBridgeDetectionSink(eventBridge, BUS);
    await sink.emit([shared('d-1', 'tok-1', 0.97)]);
    expect(events.depth(QUEUE)).toBe(1);
    await copilot.pipeline.tick();
    expect(events.depth(QUEUE)).toBe(0);

    const { findings } = await api('/findings');
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'token_sharing',
        subject: { tokenId: 'tok-1', accountId: 'acct-tok-1' },
      }),
    ]);
    const { mitigations } = await api('/mitigations');
    expect(mitigations).toEqual([expect.objectContaining({ action: 'revoke_token', status: 'active' })]);
    // The delivery API saw the copilot's client-credentials token and verified it to the copilot role.
    expect(admin.refused).toEqual([]);
    expect(admin.calls).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/v1/admin/tokens/tok-1/revoke',
        roles: ['copilot'],
        clientId: admin.client.id,
      }),
    ]);
  });

  it('decides once on a detection delivered twice (at least once), and skips what is not a detection', async () => {
    const sink = new EventBridgeDetectionSink(eventBridge, BUS);
    await sink.emit([shared('d-2', 'tok-2', 0.97), shared('d-2', 'tok-2', 0.97)]);
    events.send(QUEUE, '{"source":"somewhere.else"}');
    await copilot.pipeline.tick();
    expect(events.depth(QUEUE)).toBe(0);
    expect(admin.calls.filter((c) => c.path === '/v1/admin/tokens/tok-2/revoke')).toHaveLength(1);
    const { findings } = await api('/findings');
    expect((findings ?? []).filter((f) => JSON.stringify(f).includes('tok-2'))).toHaveLength(1);
  });
});
