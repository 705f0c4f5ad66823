import { gzipSync } from 'node:zlib';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';
import { cloudFrontLogHeader, formatCloudFrontLogLine } from '@boundless/delivery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCopilotConfig } from '../config/copilot-config.ts';
import { CloudWatchLogsStandIn } from '../sources/cloudwatch-logs-stand-in.ts';
import { CloudWatchStandIn } from '../sources/cloudwatch-stand-in.ts';
import { S3StandIn } from '../sources/s3-stand-in.ts';
import { awsMetricReader } from './aws-telemetry.ts';

// Verification in AWS through the real SDK clients: the logs bucket (S3), the functions' log groups (CloudWatch
// Logs) and CloudWatch metrics, each a stand-in speaking the service's wire format.
const T0 = Date.parse('2026-11-02T10:00:00Z');
const HOUR = 3_600_000;
const local = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  maxAttempts: 1,
};
const s3 = new S3StandIn(['logs']);
const logs = new CloudWatchLogsStandIn(2);
const cloudWatch = new CloudWatchStandIn();
const clients = {} as { s3: S3Client; logs: CloudWatchLogsClient; cloudWatch: CloudWatchClient };

function edge(second: number, uri: string, result: string, bytes: number): string {
  const at = new Date(T0 + second * 1000).toISOString();
  return formatCloudFrontLogLine({
    date: at.slice(0, 10),
    time: at.slice(11, 19),
    'x-edge-location': 'IAD89-P1',
    'c-ip': '198.51.100.9',
    'cs-method': 'GET',
    'cs-uri-stem': uri,
    'sc-status': 200,
    'sc-bytes': bytes,
    'time-taken': 0.01,
    'x-edge-result-type': result,
    'x-edge-detailed-result-type': result,
  });
}

function report(second: number, billedMs: number, memoryMb: number, initMs?: number) {
  return {
    timestamp: T0 + second * 1000,
    message: JSON.stringify({
      time: new Date(T0 + second * 1000).toISOString(),
      type: 'platform.report',
      record: {
        requestId: `r-${second}`,
        status: 'success',
        metrics: {
          durationMs: billedMs - 0.5,
          billedDurationMs: billedMs,
          memorySizeMB: memoryMb,
          maxMemoryUsedMB: 90,
          ...(initMs ? { initDurationMs: initMs } : {}),
        },
      },
    }),
  };
}

beforeAll(async () => {
  clients.s3 = new S3Client({ ...local, endpoint: await s3.start(), forcePathStyle: true });
  clients.logs = new CloudWatchLogsClient({ ...local, endpoint: await logs.start() });
  clients.cloudWatch = new CloudWatchClient({ ...local, endpoint: await cloudWatch.start() });
  s3.put(
    'logs',
    'cloudfront/E2DIST.2026-11-02-10.a.gz',
    gzipSync(
      cloudFrontLogHeader() +
        edge(1, '/titles/t/book.epub', 'Hit', 1000) +
        edge(2, '/titles/t/book.epub', 'Miss', 4000) +
        edge(3, '/public/cover.jpg', 'Miss', 300) +
        edge(4, '/public/cover.jpg', 'Miss', 300),
    ),
  );
  logs.putEvents('/aws/lambda/boundless-grant-access', '2026/11/02/[$LATEST]a', [
    report(1, 100, 1024, 350),
    { timestamp: T0 + 1500, message: 'START RequestId: r-1 Version: $LATEST' },
    report(2, 100, 1024),
    report(3, 300, 512),
  ]);
  // The stage's access log: per route, 429s among other client errors.
  logs.putEvents(
    '/aws/apigateway/access',
    'stage',
    [429, 200, 404, 429, 403, 200].map((status, i) => ({
      timestamp: T0 + i * 1000,
      message: JSON.stringify({ routeKey: i < 5 ? 'POST /v1/access' : 'GET /x', status, responseLatency: 5 }),
    })),
  );
  // CloudWatch's distribution-wide hit rate: what the logs replace for a behaviour's change.
  for (let m = 0; m < 60; m += 1) {
    const dims = { DistributionId: 'E2DIST', Region: 'Global' };
    const atMs = T0 + m * 60_000;
    cloudWatch.publish(
      { namespace: 'AWS/CloudFront', name: 'Requests', dimensions: dims, atMs, value: 10 },
      { namespace: 'AWS/CloudFront', name: 'CacheHitRate', dimensions: dims, atMs, value: 90 },
    );
  }
});
afterAll(async () => {
  await s3.stop();
  await logs.stop();
  await cloudWatch.stop();
});

function reader(aws: Record<string, unknown>) {
  const config = loadCopilotConfig({ region: 'us-east-1', aws: { distributionId: 'E2DIST', ...aws } }, {});
  return awsMetricReader(config, { ...clients, cloudWatchEdge: clients.cloudWatch });
}

describe('awsMetricReader', () => {
  const withLogs = () =>
    reader({
      logBucket: 'logs',
      logPrefix: 'cloudfront/',
      cachePatterns: ['/titles/*.epub', '/titles/*', '/public/*', 'default'],
    });

  it('measures the edge per cache behaviour from the standard logs in the logs bucket', async () => {
    const metrics = withLogs();
    const epub = { pattern: '/titles/*.epub' };
    expect(await metrics.measure('edge.hit_ratio', epub, T0, T0 + HOUR)).toEqual({
      value: 0.5,
      samples: 2,
      unit: 'ratio',
    });
    expect(await metrics.measure('edge.origin_bytes', epub, T0, T0 + HOUR)).toMatchObject({ value: 4000 });
    expect(
      await metrics.measure('edge.origin_fetches', { pattern: '/public/*' }, T0, T0 + HOUR),
    ).toMatchObject({
      value: 2,
    });
    expect(await metrics.measure('edge.upstream_requests', {}, T0, T0 + HOUR)).toMatchObject({ value: 3 });
  });

  it("reads the logs bucket's objects once for verification's baseline and observed windows", async () => {
    const metrics = withLogs();
    const epub = { pattern: '/titles/*.epub' };
    const windows = [
      [T0, T0 + 2000],
      [T0 + 2000, T0 + HOUR],
    ] as const;
    const gets = () => s3.requests.filter((r) => r.startsWith('GET logs/cloudfront/')).length;
    const before = gets();
    const [baseline, observed] = await metrics.measureWindows('edge.hit_ratio', epub, windows);
    expect(gets() - before).toBe(1);
    // The same as each window measured on its own (which reads the object again).
    expect(baseline).toEqual({ value: 1, samples: 1, unit: 'ratio' });
    expect(observed).toEqual({ value: 0, samples: 1, unit: 'ratio' });
    expect(baseline).toEqual(await metrics.measure('edge.hit_ratio', epub, ...windows[0]));
    expect(observed).toEqual(await metrics.measure('edge.hit_ratio', epub, ...windows[1]));
    expect(gets() - before).toBe(3);
  });

  it('asks verification to wait for late standard logs only where it reads them', () => {
    const metrics = withLogs();
    expect(metrics.settleMs('edge.origin_bytes', { pattern: '/public/*' })).toBe(HOUR);
    expect(metrics.settleMs('edge.hit_ratio', { pattern: '/other/*' })).toBe(0);
    expect(metrics.settleMs('lambda.cold_starts', {})).toBe(0);
    expect(reader({}).settleMs('edge.hit_ratio', {})).toBe(0);
  });

  it("measures GB-seconds and cold starts from the functions' platform.report records in CloudWatch Logs", async () => {
    const metrics = withLogs();
    const fn = { function: 'boundless-grant-access' };
    // 2 x 1 GB x 0.1 s + 0.5 GB x 0.3 s; the START line is not a report.
    const gb = await metrics.measure('lambda.gb_seconds', fn, T0, T0 + HOUR);
    expect(gb.value).toBeCloseTo(0.35, 10);
    expect(gb.samples).toBe(3);
    expect(await metrics.measure('lambda.cold_starts', fn, T0, T0 + HOUR)).toMatchObject({
      value: 1,
      samples: 3,
    });
    // Each page of FilterLogEvents was read (pages of 2 events).
    expect(
      logs.requests.filter((r) => r.logGroupName === '/aws/lambda/boundless-grant-access').length,
    ).toBeGreaterThan(1);
    // A function without a log group is an error of the source, not a silent zero.
    await expect(metrics.measure('lambda.cold_starts', { function: 'nope' }, T0, T0 + HOUR)).rejects.toThrow(
      /FilterLogEvents/,
    );
  });

  it("counts a route's throttles (429s) from the stage's access log, not CloudWatch's 4xx", async () => {
    const metrics = reader({ apiAccessLogGroup: '/aws/apigateway/access' });
    const route = { route: 'POST /v1/access' };
    expect(await metrics.measure('api.throttles', route, T0, T0 + HOUR)).toEqual({
      value: 2,
      samples: 5,
      unit: 'requests',
    });
    // Without the access log, CloudWatch answers (no API metrics published here: no data).
    expect(
      (await reader({ httpApiId: 'api1' }).measure('api.throttles', route, T0, T0 + HOUR)).value,
    ).toBeNull();
  });

  it("falls back to CloudWatch's distribution-wide hit ratio where the logs cannot place a path", async () => {
    const unknown = await withLogs().measure('edge.hit_ratio', { pattern: '/other/*' }, T0, T0 + HOUR);
    expect(unknown).toMatchObject({ value: 0.9, unit: expect.stringMatching(/whole distribution/) });
    const noBucket = reader({});
    expect((await noBucket.measure('edge.hit_ratio', {}, T0, T0 + HOUR)).value).toBeCloseTo(0.9, 10);
    expect(await noBucket.measure('edge.origin_bytes', {}, T0, T0 + HOUR)).toMatchObject({
      value: null,
      unit: expect.stringMatching(/COPILOT_LOG_BUCKET/),
    });
    // The Lambda metrics need no logs bucket.
    const cold = await noBucket.measure(
      'lambda.cold_starts',
      { function: 'boundless-grant-access' },
      T0,
      T0 + HOUR,
    );
    expect(cold.value).toBe(1);
  });
});
