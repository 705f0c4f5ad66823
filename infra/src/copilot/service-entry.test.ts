import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { type ChangeSet, DEPLOYED_TUNABLES_KEY } from '@boundless/copilot/changes';
import { buildDailyReport, S3ReportStore } from '@boundless/copilot/report';
import type { AwsCopilot } from '@boundless/copilot/service/aws';
import { FocusFileCostSource } from '@boundless/copilot/sources';
import {
  CloudWatchStandIn,
  LOCAL_AWS as local,
  NOWHERE as nowhere,
  S3StandIn,
} from '@boundless/copilot/testing';
import { cloudFrontLogHeader, formatCloudFrontLogLine } from '@boundless/delivery';
import { LocalIdentityIssuer } from '@boundless/delivery/identity';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFormationStandIn } from '../cloudformation-stand-in.ts';
import { loadTunables } from '../tunables.ts';
import { startDeployedCopilot } from './service-entry.ts';

const AUDIENCE = 'copilot-dashboard';
const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test';
const DAY_MS = 86_400_000;
const SERVICE = 'Amazon CloudFront';
const work = mkdtempSync(join(tmpdir(), 'deployed-copilot-'));
const focusPath = join(work, 'focus.csv');

const dynamo = dynalite({ createTableMs: 0 });
const s3 = new S3StandIn(['reports', 'logs']);
const cloudFormation = new CloudFormationStandIn({
  BoundlessDeliveryReplica: {},
  BoundlessDelivery: {},
  BoundlessObservability: {},
  BoundlessCopilot: {},
});
let jwks: Server;
let issuer: LocalIdentityIssuer;
let copilot: AwsCopilot;
let s3Client: S3Client;
// The flow's event time: approvals, verification windows and billing days follow it, not the wall clock.
let now = Date.parse('2026-11-02T10:00:00Z');
/** The distribution's CloudWatch metrics: a 60 % hit rate the hour before the apply (at `now`), 75 % after it. */
const cloudWatch = new CloudWatchStandIn();
for (let m = -60; m < 60; m += 1) {
  const dimensions = { DistributionId: 'E2DIST', Region: 'Global' };
  const atMs = now + m * 60_000;
  cloudWatch.publish(
    { namespace: 'AWS/CloudFront', name: 'Requests', dimensions, atMs, value: 100 },
    { namespace: 'AWS/CloudFront', name: 'CacheHitRate', dimensions, atMs, value: m < 0 ? 60 : 75 },
  );
}
/**
 * The same hours in the CloudFront standard logs of the logs bucket, where verification reads the edge from:
 * 50 % hits the hour before the apply, 80 % after it (so the numbers say which source answered).
 */
function standardLogHour(hourMs: number, hits: number): Buffer {
  let text = cloudFrontLogHeader();
  for (let i = 0; i < 100; i += 1) {
    const at = new Date(hourMs + i * 30_000).toISOString();
    const result = i < hits ? 'Hit' : 'Miss';
    text += formatCloudFrontLogLine({
      date: at.slice(0, 10),
      time: at.slice(11, 19),
      'x-edge-location': 'IAD89-P1',
      'c-ip': `198.51.100.${i}`,
      'cs-method': 'GET',
      'cs-uri-stem': `/public/page-${i}.html`,
      'sc-status': 200,
      'sc-bytes': 2000,
      'time-taken': 0.01,
      'x-edge-result-type': result,
      'x-edge-detailed-result-type': result,
    });
  }
  return gzipSync(text);
}
s3.put('logs', 'cloudfront/E2DIST.2026-11-02-09.b4f1.gz', standardLogHour(now - 3_600_000, 50));
s3.put('logs', 'cloudfront/E2DIST.2026-11-02-10.0c9e.gz', standardLogHour(now, 80));

/** FOCUS rows for CloudFront: $10 a day before `appliedDay`, $8 a day from it, up to (not with) `untilDay`. */
function writeBill(firstDay: string, appliedDay: string, untilDay: string) {
  const lines = ['ChargePeriodStart,ChargePeriodEnd,ServiceName,BilledCost,BillingCurrency'];
  for (let day = Date.parse(firstDay); day < Date.parse(untilDay); day += DAY_MS) {
    const start = new Date(day).toISOString();
    const cost = day < Date.parse(appliedDay) ? 10 : 8;
    lines.push(`${start},${new Date(day + DAY_MS).toISOString()},${SERVICE},${cost},USD`);
  }
  writeFileSync(focusPath, `${lines.join('\n')}\n`);
}

beforeAll(async () => {
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const s3Endpoint = await s3.start();
  const cfnEndpoint = await cloudFormation.start();
  const cloudWatchEndpoint = await cloudWatch.start();
  issuer = await LocalIdentityIssuer.create({
    keyDir: join(work, 'keys'),
    issuer: ISSUER,
    audience: AUDIENCE,
  });
  jwks = createServer((_req, res) =>
    res.setHeader('Content-Type', 'application/json').end(JSON.stringify(issuer.jwks())),
  );
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  s3Client = new S3Client({ ...local, endpoint: s3Endpoint, forcePathStyle: true });
  writeBill('2026-10-20', '2026-11-03', '2026-11-04');
  const env = {
    COPILOT_MODE: 'aws',
    COPILOT_PORT: '0',
    COPILOT_HOST: '127.0.0.1',
    COPILOT_TABLE: 'copilot',
    COPILOT_ADMIN_API_URL: 'https://api.example.com',
    COPILOT_IDENTITY_ISSUER: ISSUER,
    COPILOT_IDENTITY_AUDIENCE: AUDIENCE,
    COPILOT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    COPILOT_SERVICE_TOKEN_URL: 'https://readers.auth.us-east-1.amazoncognito.com/oauth2/token',
    COPILOT_SERVICE_CLIENT_ID: 'client',
    COPILOT_SERVICE_CLIENT_SECRET: 'secret',
    COPILOT_REPORT_BUCKET: 'reports',
    COPILOT_LOG_BUCKET: 'logs',
    COPILOT_LOG_PREFIX: 'cloudfront/',
    COPILOT_DISTRIBUTION_ID: 'E2DIST',
    COPILOT_HTTP_API_ID: 'api123',
    COPILOT_DEPLOYMENT_CONTEXT: JSON.stringify({ account: '123456789012', prefix: 'boundless' }),
  };
  copilot = await startDeployedCopilot(env, {
    clients: () => ({
      dynamo: new DynamoDBClient({
        ...local,
        endpoint: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
      }),
      s3: s3Client,
      kinesis: new KinesisClient({ ...local, endpoint: nowhere }),
      logs: new CloudWatchLogsClient({ ...local, endpoint: nowhere }),
      waf: new WAFV2Client({ ...local, endpoint: nowhere }),
      // Change sets are verified on these: the deployed copilot's own CloudWatch metric reader.
      cloudWatch: new CloudWatchClient({ ...local, endpoint: nowhere }),
      cloudWatchEdge: new CloudWatchClient({ ...local, endpoint: cloudWatchEndpoint }),
    }),
    // The real SDK client against the stand-in: the Query protocol as CloudFormation speaks it.
    cloudFormation: () => new CloudFormationClient({ ...local, endpoint: cfnEndpoint, maxAttempts: 3 }),
    tunables: {
      s3: s3Client,
      // Offline synthesis on the plan threads: bundling adds only the Lambda code's assets.
      synth: { context: { account: '123456789012' }, bundling: false },
      applier: { pollIntervalMs: 1 },
    },
    changeSets: {
      costs: new FocusFileCostSource(focusPath),
      billingDays: 3,
      clock: () => now,
      // The test ticks by hand.
      tickIntervalMs: 3_600_000,
    },
  });
}, 120_000);

afterAll(async () => {
  await copilot?.close();
  await s3.stop();
  await cloudFormation.stop();
  await cloudWatch.stop();
  await new Promise<void>((resolve) => jwks?.close(() => resolve()));
  await new Promise<void>((resolve) => dynamo.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

async function call(
  who: { sub: string; role: 'viewer' | 'on_call' | 'owner' },
  method: string,
  path: string,
  body?: unknown,
) {
  const token = await issuer.issue({ sub: who.sub, groups: [who.role] });
  const response = await fetch(`${copilot.service.url}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const alice = { sub: 'alice', role: 'on_call' } as const;
const bob = { sub: 'bob', role: 'on_call' } as const;

describe('the copilot as the CopilotStack deploys it', () => {
  let cs: ChangeSet;

  it('proposes a tunables change with the CloudFormation diff of two syntheses, the tunables seeded in S3', async () => {
    const proposed = await call(alice, 'POST', '/change-sets', {
      document: 'tunables',
      patch: [{ op: 'replace', path: '/cache/behaviors/~1public~1*/defaultTtlSeconds', value: 1800 }],
      title: 'Longer edge TTL for public pages',
      rationale: 'public pages change daily; origin fetches cost more than a stale hour',
      recommendation: {
        evidence: [{ label: 'origin bytes', value: '1.2 GB/day', ref: { service: SERVICE } }],
        estimate: { monthlySavingUsd: 45, assumptions: ['traffic as last week'] },
        risk: 'a page edit shows up to half an hour late',
        reversible: true,
        reversibility: 'roll back the change set',
      },
      verification: { metric: 'edge.hit_ratio', windowMinutes: 60, direction: 'increase', guardSlos: [] },
    });
    expect(proposed.status).toBe(201);
    cs = proposed.body.changeSet as ChangeSet;
    expect(cs.plan.diff.resources.map((r) => r.stack)).toContain('BoundlessDelivery');
    expect(cs.plan.diff.text).toMatch(/1800/);
    // The document was created from the repository's tunables on first read.
    const stored = JSON.parse(s3.object('reports', DEPLOYED_TUNABLES_KEY) ?? '{}');
    expect(stored.cache.behaviors['/public/*'].defaultTtlSeconds).toBe(
      loadTunables().cache.behaviors['/public/*']?.defaultTtlSeconds,
    );
  }, 120_000);

  it('refuses the proposer as approver and an apply before approval; another on-call approves', async () => {
    expect((await call(alice, 'POST', `/change-sets/${cs.id}/approve`, {})).status).toBe(403);
    expect((await call(bob, 'POST', `/change-sets/${cs.id}/apply`)).status).toBe(409);
    expect(
      (await call({ sub: 'vera', role: 'viewer' }, 'POST', `/change-sets/${cs.id}/approve`, {})).status,
    ).toBe(403);
    const approved = await call(bob, 'POST', `/change-sets/${cs.id}/approve`, { note: 'ok' });
    expect(approved.status).toBe(200);
    expect(cloudFormation.requests).toHaveLength(0);
  });

  it("applies through a CloudFormation change set per stack the diff names, guarded by that stack's alarms", async () => {
    const applied = await call(alice, 'POST', `/change-sets/${cs.id}/apply`);
    expect(applied.status).toBe(200);
    const created = cloudFormation.requests.filter((r) => r.action === 'CreateChangeSet');
    expect(created.map((r) => r.params.StackName)).toEqual(['BoundlessDelivery']);
    // The delivery core's: its SLOs' page roll-up and its functions' canary roll-up.
    expect(
      [1, 2, 3].map((i) => created[0]?.params[`RollbackConfiguration.RollbackTriggers.member.${i}.Arn`]),
    ).toEqual([
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:boundless-slo-page',
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:boundless-delivery-canary',
      undefined,
    ]);
    expect(cloudFormation.requests.map((r) => r.action)).toContain('ExecuteChangeSet');
    const result = (applied.body.changeSet as ChangeSet).application?.result as {
      stacks: { outcome: string }[];
    };
    expect(result.stacks.map((s) => s.outcome)).toEqual(['executed']);
    // Large templates went through S3 (CloudFormation's inline limit), under the change sets' prefix.
    expect(s3.requests.some((r) => r.startsWith('PUT reports/change-sets/templates/'))).toBe(
      created[0]?.params.TemplateURL !== undefined,
    );
    expect(
      JSON.parse(s3.object('reports', DEPLOYED_TUNABLES_KEY) ?? '{}').cache.behaviors['/public/*']
        .defaultTtlSeconds,
    ).toBe(1800);
    // Applying the same change set again is refused: it is no longer approved.
    expect((await call(bob, 'POST', `/change-sets/${cs.id}/apply`)).status).toBe(409);
    // Applying synthesizes the stacks again, as proposing does: the same allowance on a loaded machine.
  }, 120_000);

  it('verifies once the window has passed, then records the realised saving when the bill for the days after has arrived', async () => {
    now += 30 * 60_000;
    expect((await copilot.changeSets?.tick())?.verified).toEqual([]);
    now += 31 * 60_000;
    // The window has closed, but its standard logs may still be on their way: the reader asks for an hour more.
    expect((await copilot.changeSets?.tick())?.verified).toEqual([]);
    now += 60 * 60_000;
    expect((await copilot.changeSets?.tick())?.verified).toEqual([cs.id]);
    const verified = await copilot.changeSets?.get(cs.id);
    expect(verified?.status).toBe('verified');
    expect(verified?.verificationResult).toMatchObject({ outcome: 'verified', moved: true });
    // Read from the standard logs in the logs bucket, not CloudWatch's distribution-wide rate.
    expect(verified?.verificationResult?.baseline).toMatchObject({ value: 0.5, samples: 100 });
    expect(verified?.verificationResult?.observed).toEqual({ value: 0.8, samples: 100 });
    expect(cloudWatch.requests).toHaveLength(0);
    // Three full days after the apply day (11-03..11-05), but the bill stops at 11-03: not checked yet.
    now = Date.parse('2026-11-06T12:00:00Z');
    expect((await copilot.changeSets?.tick())?.billed).toEqual([]);
    writeBill('2026-10-20', '2026-11-03', '2026-11-06');
    expect((await copilot.changeSets?.tick())?.billed).toEqual([cs.id]);
    const billed = await copilot.changeSets?.get(cs.id);
    // $10/day before, $8/day after: $60 a month realised against the $45 estimated.
    expect(billed?.billing).toMatchObject({
      service: SERVICE,
      beforePerDay: 10,
      afterPerDay: 8,
      realisedMonthlySavingUsd: 60,
      estimatedMonthlySavingUsd: 45,
    });
    const read = await call(bob, 'GET', `/change-sets/${cs.id}`);
    const actions = (read.body.audit as { action: string }[]).map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'proposed',
        'approve_refused',
        'apply_refused',
        'approved',
        'applied',
        'verified',
        'billing_checked',
      ]),
    );
    expect(read.body.auditIntact).toBe(true);
  });

  it('serves the daily reports the report task stored in S3', async () => {
    const empty = mkdtempSync(join(work, 'telemetry-'));
    const report = await buildDailyReport({
      day: '2026-11-01',
      tunables: loadTunables(),
      edgeLogs: join(empty, 'cloudfront'),
      logsDir: join(empty, 'logs'),
      apiAccessLogGroup: '/aws/apigateway/delivery',
      handlerOf: () => undefined,
      lambdaTimeoutMs: 10_000,
      now: () => now,
    });
    const written = await new S3ReportStore(s3Client, { bucket: 'reports' }).write(report);
    expect(written.html).toBe('s3://reports/reports/2026-11-01.html');
    const list = await call(bob, 'GET', '/reports');
    expect(list.body.reports).toEqual([
      expect.objectContaining({ day: '2026-11-01', recommendations: report.recommendations.length }),
    ]);
    const token = await issuer.issue({ sub: 'vera', groups: ['viewer'] });
    const markdown = await fetch(`${copilot.service.url}/api/reports/2026-11-01?format=md`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(markdown.status).toBe(200);
    expect(await markdown.text()).toContain('2026-11-01');
    expect((await call(bob, 'GET', '/reports/2026-11-02')).status).toBe(404);
  });
});
