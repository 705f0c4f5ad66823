import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchMetricReader } from './cloudwatch-metrics-aws.ts';
import { CloudWatchStandIn, type StandInDatapoint } from './cloudwatch-stand-in.ts';
import { SourceError } from './errors.ts';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const MIN = 60_000;
const distribution = { DistributionId: 'E2DIST', Region: 'Global' };
const stage = { ApiId: 'api123', Stage: '$default' };

/** Two hours of one distribution, one API route and one function, one datapoint per minute (or invocation). */
function deployment(): StandInDatapoint[] {
  const points: StandInDatapoint[] = [];
  for (let m = 0; m < 120; m += 1) {
    const atMs = T0 + m * MIN;
    // 100 requests a minute at 60 % hits for the first hour; in the second, 300 a minute at 80 %.
    const requests = m < 60 ? 100 : 300;
    points.push(
      { namespace: 'AWS/CloudFront', name: 'Requests', dimensions: distribution, atMs, value: requests },
      {
        namespace: 'AWS/CloudFront',
        name: 'CacheHitRate',
        dimensions: distribution,
        atMs,
        value: m < 60 ? 60 : 80,
      },
    );
    const route = { ...stage, Route: 'POST /v1/access' };
    points.push(
      { namespace: 'AWS/ApiGateway', name: 'Count', dimensions: route, atMs, value: 50 },
      { namespace: 'AWS/ApiGateway', name: '4xx', dimensions: route, atMs, value: m < 60 ? 5 : 1 },
      // Another route's client errors are not the scoped route's.
      { namespace: 'AWS/ApiGateway', name: '4xx', dimensions: { ...stage, Route: 'GET /x' }, atMs, value: 9 },
    );
    for (let i = 1; i <= 10; i += 1) {
      const fn = { FunctionName: 'boundless-access' };
      points.push({ namespace: 'AWS/Lambda', name: 'Invocations', dimensions: fn, atMs, value: 1 });
      points.push({ namespace: 'AWS/Lambda', name: 'Duration', dimensions: fn, atMs, value: i * 10 });
    }
  }
  return points;
}

const cloudWatch = new CloudWatchStandIn();
const paged = new CloudWatchStandIn(7);
let reader: CloudWatchMetricReader;
let pagedReader: CloudWatchMetricReader;
const local = {
  region: 'eu-west-1',
  credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  maxAttempts: 1,
};

beforeAll(async () => {
  cloudWatch.publish(...deployment());
  paged.publish(...deployment());
  const ids = { distributionId: 'E2DIST', httpApiId: 'api123' };
  reader = new CloudWatchMetricReader({
    regional: new CloudWatchClient({ ...local, endpoint: await cloudWatch.start() }),
    ...ids,
  });
  pagedReader = new CloudWatchMetricReader({
    regional: new CloudWatchClient({ ...local, endpoint: await paged.start() }),
    ...ids,
  });
});
afterAll(async () => {
  await cloudWatch.stop();
  await paged.stop();
});

describe('CloudWatchMetricReader', () => {
  it('reads the edge hit ratio from CacheHitRate weighted by requests, over the whole distribution', async () => {
    const first = await reader.measure('edge.hit_ratio', {}, T0, T0 + 60 * MIN);
    expect(first).toEqual({ value: 0.6, samples: 6000, unit: 'ratio' });
    // Straddling the two hours: 30 min of 100 @ 60 % and 30 min of 300 @ 80 % -> (3000·0.6 + 9000·0.8) / 12000.
    const across = await reader.measure(
      'edge.hit_ratio',
      { pattern: '/public/*' },
      T0 + 30 * MIN,
      T0 + 90 * MIN,
    );
    expect(across.value).toBeCloseTo(0.75, 10);
    expect(across.samples).toBe(12_000);
    expect(across.unit).toMatch(/whole distribution/);
    const asked = cloudWatch.requests.at(-1)?.MetricDataQueries[0]?.MetricStat?.Metric;
    expect(asked).toEqual({
      Namespace: 'AWS/CloudFront',
      MetricName: 'CacheHitRate',
      Dimensions: [
        { Name: 'DistributionId', Value: 'E2DIST' },
        { Name: 'Region', Value: 'Global' },
      ],
    });
  });

  it("reads a route's 4xx on the stage's detailed metrics, its Count as samples", async () => {
    const before = await reader.measure('api.throttles', { route: 'POST /v1/access' }, T0, T0 + 60 * MIN);
    expect(before).toEqual({ value: 300, samples: 3000, unit: 'requests (4xx, throttles included)' });
    const after = await reader.measure(
      'api.throttles',
      { route: 'POST /v1/access' },
      T0 + 60 * MIN,
      T0 + 120 * MIN,
    );
    expect(after.value).toBe(60);
  });

  it("reads a function's p99 duration over the whole window in one period", async () => {
    const p99 = await reader.measure(
      'lambda.duration_p99',
      { function: 'boundless-access' },
      T0,
      T0 + 45 * MIN,
    );
    expect(p99).toEqual({ value: 100, samples: 450, unit: 'ms' });
    expect(cloudWatch.requests.at(-1)?.MetricDataQueries[0]?.MetricStat?.Period).toBe(45 * 60);
  });

  it('follows NextToken across pages', async () => {
    const all = await pagedReader.measure('edge.hit_ratio', {}, T0 + 30 * MIN, T0 + 90 * MIN);
    expect(all.value).toBeCloseTo(0.75, 10);
    expect(all.samples).toBe(12_000);
    expect(paged.requests.length).toBeGreaterThan(10);
  });

  it('answers no data, not an error, for a quiet window, an unknown function or a metric CloudWatch lacks', async () => {
    const quiet = await reader.measure('edge.hit_ratio', {}, T0 - 60 * MIN, T0);
    expect(quiet).toMatchObject({ value: null, samples: 0 });
    const nobody = await reader.measure('lambda.duration_p99', { function: 'nobody' }, T0, T0 + 60 * MIN);
    expect(nobody).toMatchObject({ value: null, samples: 0 });
    const gb = await reader.measure('lambda.gb_seconds', { function: 'boundless-access' }, T0, T0 + MIN);
    expect(gb.value).toBeNull();
    expect(gb.unit).toMatch(/^no data: Lambda publishes duration/);
    const unconfigured = new CloudWatchMetricReader({ regional: new CloudWatchClient(local) });
    expect((await unconfigured.measure('edge.hit_ratio', {}, T0, T0 + MIN)).unit).toMatch(
      /no distribution id/,
    );
  });

  it('refuses an unknown metric and names the known ones; a failing CloudWatch is a SourceError with its cause', async () => {
    await expect(reader.measure('edge.vibes', {}, T0, T0 + MIN)).rejects.toThrow(/known: edge.hit_ratio/);
    const down = new CloudWatchMetricReader({
      regional: new CloudWatchClient({ ...local, endpoint: 'http://127.0.0.1:9' }),
      httpApiId: 'api123',
    });
    const error = await down.measure('api.throttles', {}, T0, T0 + MIN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).cause).toBeDefined();
  });
});
