import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDeliveryTable } from '@boundless/delivery/store';
import { startTestDynamo, type TestDynamo } from '../state/test-dynamo.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchMetricReader } from '../sources/cloudwatch-metrics-aws.ts';
import { CloudWatchStandIn } from '../sources/cloudwatch-stand-in.ts';
import { JsonFileDocument, jsonDocumentPlanner } from './documents.ts';
import { ChangeSetService } from './service.ts';
import { ChangeSetStore } from './store.ts';
import type { VerificationSpec } from './types.ts';

// Change sets verified the way the copilot in AWS verifies them: the real CloudWatch client and adapter against a
// stand-in speaking GetMetricData, the service's own tick deciding.
const MIN = 60_000;
const local = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  maxAttempts: 1,
};
const dist = { DistributionId: 'E2DIST', Region: 'Global' };
const work = mkdtempSync(join(tmpdir(), 'verify-cw-'));
let dynamo: TestDynamo;
const cloudWatch = new CloudWatchStandIn();
let service: ChangeSetService;
let now = Date.parse('2026-11-02T10:00:00Z');
let burning: string[] = [];
const applied: unknown[] = [];
const documentPath = join(work, 'tunables.json');

/** The distribution's minutes from `fromMs`: `requests` a minute at `hitPercent`. */
function edgeMinutes(fromMs: number, minutes: number, hitPercent: number, requests = 100) {
  for (let m = 0; m < minutes; m += 1) {
    const atMs = fromMs + m * MIN;
    cloudWatch.publish(
      { namespace: 'AWS/CloudFront', name: 'Requests', dimensions: dist, atMs, value: requests },
      { namespace: 'AWS/CloudFront', name: 'CacheHitRate', dimensions: dist, atMs, value: hitPercent },
    );
  }
}

beforeAll(async () => {
  dynamo = await startTestDynamo();
  const client = dynamo.client;
  await createDeliveryTable(client, 'changes');
  writeFileSync(documentPath, JSON.stringify({ ttl: 300 }));
  const regional = new CloudWatchClient({ ...local, endpoint: await cloudWatch.start() });
  service = new ChangeSetService(new ChangeSetStore(DynamoDBDocumentClient.from(client), 'changes'), {
    documents: [
      {
        name: 'tunables',
        repository: new JsonFileDocument(documentPath),
        planner: jsonDocumentPlanner(() => undefined),
        applier: {
          apply: async (after) => {
            applied.push(after);
            return { reconfigured: true };
          },
        },
      },
    ],
    metrics: new CloudWatchMetricReader({ regional, distributionId: 'E2DIST' }),
    slo: { burning: async (ids) => ids.filter((id) => burning.includes(id)) },
    clock: () => now,
  });
});
afterAll(async () => {
  await cloudWatch.stop();
  await dynamo.close();
  rmSync(work, { recursive: true, force: true });
});

async function applyTtl(ttl: number, verification: Partial<VerificationSpec> = {}) {
  const cs = await service.propose({
    document: 'tunables',
    patch: [{ op: 'replace', path: '/ttl', value: ttl }],
    title: `edge TTL ${ttl}`,
    rationale: 'most misses are expired objects',
    origin: { kind: 'report', ref: 'test' },
    proposedBy: 'user:alice',
    verification: {
      metric: 'edge.hit_ratio',
      scope: { pattern: '/public/*' },
      windowMinutes: 30,
      direction: 'increase',
      expected: 0.7,
      guardSlos: ['edge-availability'],
      ...verification,
    },
  });
  await service.approve(cs.id, { actor: 'user:bob', roles: ['viewer', 'on_call'] });
  return service.apply(cs.id, { actor: 'user:bob', roles: ['viewer', 'on_call'] });
}

describe('change sets verified on CloudWatch metrics', () => {
  it('verifies a change whose hit ratio rose as estimated once its window has passed', async () => {
    edgeMinutes(now - 30 * MIN, 30, 50);
    const cs = await applyTtl(600);
    edgeMinutes(now, 30, 75);
    now += 20 * MIN;
    expect((await service.tick()).verified).toEqual([]);
    now += 11 * MIN;
    expect(await service.tick()).toMatchObject({ verified: [cs.id], rolledBack: [] });
    const result = (await service.get(cs.id)).verificationResult;
    expect(result).toMatchObject({ outcome: 'verified', moved: true, metEstimate: true, sloBurning: [] });
    expect(result?.baseline.value).toBeCloseTo(0.5, 10);
    expect(result?.observed).toEqual({ value: 0.75, samples: 3000 });
    expect(result?.unit).toMatch(/whole distribution/);
  });

  it('rolls back by itself a change whose guard SLO burns, with what CloudWatch measured so far', async () => {
    now += 60 * MIN;
    edgeMinutes(now - 30 * MIN, 30, 75);
    const cs = await applyTtl(1200);
    edgeMinutes(now, 10, 40);
    now += 10 * MIN;
    burning = ['edge-availability'];
    expect(await service.tick()).toMatchObject({ verified: [], rolledBack: [cs.id] });
    burning = [];
    const after = await service.get(cs.id);
    expect(after.status).toBe('rolled_back');
    expect(after.rollback).toMatchObject({ automatic: true, by: 'copilot' });
    expect(after.verificationResult).toMatchObject({ outcome: 'slo_hurt', moved: false });
    expect(after.verificationResult?.observed.value).toBeCloseTo(0.4, 10);
    // The document is back where it was before this change, and the applier was told so.
    expect(JSON.parse(readFileSync(documentPath, 'utf8'))).toEqual({ ttl: 600 });
    expect(applied.at(-1)).toEqual({ ttl: 600 });
  });

  it('records insufficient data, not a crash, when CloudWatch has nothing for the window or lacks the metric', async () => {
    now += 180 * MIN;
    const quiet = await applyTtl(900);
    const lacking = await applyTtl(901, { metric: 'lambda.gb_seconds', scope: { function: 'f' } });
    now += 31 * MIN;
    const done = await service.tick();
    expect(done.verified).toEqual(expect.arrayContaining([quiet.id, lacking.id]));
    const results = await Promise.all([quiet.id, lacking.id].map((id) => service.get(id)));
    for (const cs of results) {
      expect(cs.status).toBe('verified');
      expect(cs.verificationResult).toMatchObject({
        outcome: 'insufficient_data',
        moved: false,
        metEstimate: null,
      });
    }
    expect(results[1]?.verificationResult?.unit).toMatch(/^no data: Lambda publishes duration/);
  });
});
