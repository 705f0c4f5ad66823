import type { AddressInfo } from 'node:net';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaStandIn } from '../prewarm/lambda-stand-in.ts';
import { CloudWatchStandIn } from '../sources/cloudwatch-stand-in.ts';
import { CopilotStore } from '../state/copilot-store.ts';
import { type AwsCopilot, startAwsCopilot } from './aws.ts';
import { AWS_TEST_ENV, LOCAL_AWS, NOWHERE } from './aws-test-support.ts';

const MIN = 60_000;
const NOW = Date.parse('2026-11-03T10:00:30Z');
const server = dynalite({ createTableMs: 0 });
const cloudWatch = new CloudWatchStandIn();
// `delivery-other` exists but is not approved: the loop never touches it.
const lambda = new LambdaStandIn(['delivery-busy', 'delivery-quiet', 'delivery-other']);
const local = LOCAL_AWS;
const nowhere = NOWHERE;
const env = {
  ...AWS_TEST_ENV,
  // The bounds a person approved (the tunables' lambda.prewarm, as CopilotStack hands them over).
  COPILOT_PREWARM_MODE: 'live',
  COPILOT_PREWARM_FUNCTIONS: 'delivery-busy,delivery-quiet',
  COPILOT_PREWARM_ALIAS: 'live',
  COPILOT_PREWARM_MIN_CAPACITY: '1',
  COPILOT_PREWARM_MAX_CAPACITY: '8',
};
let clients: () => {
  dynamo: DynamoDBClient;
  s3: S3Client;
  kinesis: KinesisClient;
  logs: CloudWatchLogsClient;
  waf: WAFV2Client;
  cloudWatch: CloudWatchClient;
  lambda: LambdaClient;
};
const started: AwsCopilot[] = [];

/** A day of steady demand: `concurrency` environments busy all minute, 250 ms requests. */
function publishDay(functionName: string, concurrency: number) {
  // Per alias, as Lambda emits them for the alias the API invokes (Resource = function:alias).
  const dimensions = { FunctionName: functionName, Resource: `${functionName}:live` };
  const requests = concurrency * 4 * 60;
  for (let t = Math.floor(NOW / MIN) * MIN - 1440 * MIN; t < NOW - MIN; t += MIN) {
    cloudWatch.publish(
      { namespace: 'AWS/Lambda', name: 'Invocations', dimensions, atMs: t, value: requests },
      { namespace: 'AWS/Lambda', name: 'Duration', dimensions, atMs: t, value: requests * 250 },
      { namespace: 'AWS/Lambda', name: 'ConcurrentExecutions', dimensions, atMs: t, value: concurrency },
    );
  }
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  publishDay('delivery-busy', 40);
  publishDay('delivery-quiet', 3);
  publishDay('delivery-other', 40);
  const dynamo = new DynamoDBClient({
    ...local,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
  const cw = new CloudWatchClient({ ...local, endpoint: await cloudWatch.start() });
  const lambdaClient = new LambdaClient({ ...local, endpoint: await lambda.start() });
  clients = () => ({
    dynamo,
    s3: new S3Client({ ...local, endpoint: nowhere, forcePathStyle: true }),
    kinesis: new KinesisClient({ ...local, endpoint: nowhere }),
    logs: new CloudWatchLogsClient({ ...local, endpoint: nowhere }),
    waf: new WAFV2Client({ ...local, endpoint: nowhere }),
    cloudWatch: cw,
    lambda: lambdaClient,
  });
});

afterAll(async () => {
  for (const copilot of started) await copilot.close();
  await lambda.stop();
  await cloudWatch.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function start(overrides: Record<string, string | undefined>) {
  const copilot = await startAwsCopilot({ ...env, ...overrides }, clients);
  started.push(copilot);
  return copilot;
}

describe('startAwsCopilot: pre-warming within the approved bounds', () => {
  it('sets provisioned concurrency on the approved functions’ alias, clamped to the approved capacities, and audits it', async () => {
    const copilot = await start({});
    expect(copilot.prewarm?.settings).toMatchObject({ minCapacity: 1, maxCapacity: 8, dryRun: false });
    // CloudWatch completes a minute late: no minute is read until two minutes after it ended.
    expect(copilot.prewarm?.settings).toMatchObject({
      settleMinutes: 2,
      leadMinutes: 6,
      allocationMinutes: 3,
    });
    const decisions = await copilot.prewarm!.tick(NOW);
    expect(decisions.map((d) => d.functionName)).toEqual(['delivery-busy', 'delivery-quiet']);
    // 40 busy environments forecast: the request is held at the approved maximum.
    const busy = decisions[0]!;
    expect(busy.upper).toBeGreaterThan(8);
    expect(busy).toMatchObject({ requested: 8, applied: true });
    expect(lambda.configs.get('delivery-busy:live')?.requested).toBe(8);
    const quiet = lambda.configs.get('delivery-quiet:live')?.requested;
    expect(quiet).toBeGreaterThanOrEqual(1);
    expect(quiet).toBeLessThanOrEqual(8);
    // Only approved functions, only on the approved alias.
    expect(lambda.requests.every((r) => r.qualifier === 'live' && r.functionName !== 'delivery-other')).toBe(
      true,
    );
    const store = await CopilotStore.open(clients().dynamo, 'copilot');
    const audit = await store.listAudit('2026-11-03');
    expect(
      audit.filter((e) => e.action === 'prewarm_set_provisioned_concurrency').map((e) => e.subject),
    ).toEqual(expect.arrayContaining(['delivery-busy', 'delivery-quiet']));
  });

  it('starts no loop in mode off, and refuses a mode other than off without bounds', async () => {
    const before = lambda.requests.length;
    const off = await start({ COPILOT_PREWARM_MODE: 'off' });
    expect(off.prewarm).toBeUndefined();
    expect(lambda.requests.length).toBe(before);
    await expect(start({ COPILOT_PREWARM_MAX_CAPACITY: undefined })).rejects.toThrow(
      /COPILOT_PREWARM_MAX_CAPACITY/,
    );
    await expect(start({ COPILOT_PREWARM_MIN_CAPACITY: '9' })).rejects.toThrow(/must not exceed/);
  });

  it('plans with the approved release calendar, and refuses a start time that is not ISO-8601', async () => {
    const copilot = await start({
      COPILOT_PREWARM_EVENTS: '2026-11-03T18:00:00Z, 2026-11-10T18:00:00+01:00',
    });
    expect(copilot.prewarm?.settings.events).toEqual([
      Date.parse('2026-11-03T18:00:00Z'),
      Date.parse('2026-11-10T17:00:00Z'),
    ]);
    await expect(start({ COPILOT_PREWARM_EVENTS: '2026-11-03T18:00:00Z,next tuesday' })).rejects.toThrow(
      /prewarm\.events/,
    );
  });

  it('plans and audits but changes nothing in dry-run', async () => {
    const copilot = await start({
      COPILOT_PREWARM_MODE: 'dry-run',
      COPILOT_PREWARM_FUNCTIONS: 'delivery-other',
    });
    const [decision] = await copilot.prewarm!.tick(NOW);
    expect(decision).toMatchObject({ functionName: 'delivery-other', requested: 8, applied: false });
    expect(lambda.configs.has('delivery-other:live')).toBe(false);
  });
  it('reads the request back on the next tick and audits, once, an allocation Lambda failed, with its reason', async () => {
    const copilot = await start({ COPILOT_PREWARM_FUNCTIONS: 'delivery-busy' });
    const [first] = await copilot.prewarm!.tick(NOW);
    expect(first).toMatchObject({ requested: 8, applied: true });
    expect(first!.allocationFailed).toBeUndefined();
    const config = lambda.configs.get('delivery-busy:live')!;
    config.status = 'FAILED';
    config.statusReason = 'Insufficient unreserved concurrency in the account';
    const [second] = await copilot.prewarm!.tick(NOW + MIN);
    expect(second!.allocationFailed).toBe('Insufficient unreserved concurrency in the account');
    expect(lambda.requests.some((r) => r.method === 'GET' && r.functionName === 'delivery-busy')).toBe(true);
    const [third] = await copilot.prewarm!.tick(NOW + 2 * MIN);
    expect(third!.allocationFailed).toBeUndefined();
    const store = await CopilotStore.open(clients().dynamo, 'copilot');
    const failures = (await store.listAudit('2026-11-03')).filter(
      (e) => e.action === 'prewarm_allocation_failed',
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      subject: 'delivery-busy',
      detail: { requested: 8, allocated: 0, reason: 'Insufficient unreserved concurrency in the account' },
    });
  });
});
