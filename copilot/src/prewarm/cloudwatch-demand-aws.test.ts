import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS } from '../service/aws-test-support.ts';
import { CloudWatchStandIn } from '../sources/cloudwatch-stand-in.ts';
import { SourceError } from '../sources/errors.ts';
import { CloudWatchLambdaDemand } from './cloudwatch-demand-aws.ts';
import { peakConcurrency } from './demand.ts';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const MIN = 60_000;
const cloudWatch = new CloudWatchStandIn(5);
let client: CloudWatchClient;

beforeAll(async () => {
  const fn = { FunctionName: 'boundless-access' };
  for (let m = 0; m < 10; m++) {
    const atMs = T0 + m * MIN;
    // 120 requests a minute of 250 ms each; the minute's highest concurrency is 2 + m.
    for (let i = 0; i < 4; i++) {
      cloudWatch.publish(
        { namespace: 'AWS/Lambda', name: 'Invocations', dimensions: fn, atMs: atMs + i, value: 30 },
        { namespace: 'AWS/Lambda', name: 'Duration', dimensions: fn, atMs: atMs + i, value: 30 * 250 },
      );
    }
    cloudWatch.publish({
      namespace: 'AWS/Lambda',
      name: 'ConcurrentExecutions',
      dimensions: fn,
      atMs,
      value: 2 + m,
    });
    // Another function's metrics are not this one's.
    cloudWatch.publish({
      namespace: 'AWS/Lambda',
      name: 'Invocations',
      dimensions: { FunctionName: 'other' },
      atMs,
      value: 999,
    });
  }
  client = new CloudWatchClient({
    ...LOCAL_AWS,
    endpoint: await cloudWatch.start(),
  });
});
afterAll(async () => {
  client.destroy();
  await cloudWatch.stop();
});

describe('Class: CloudWatchLambdaDemand', () => {
  it('reads the alias’s own metrics (Resource = function:alias) when given a qualifier, not the function’s', async () => {
    const alias = { FunctionName: 'boundless-access', Resource: 'boundless-access:live' };
    cloudWatch.publish(
      { namespace: 'AWS/Lambda', name: 'Invocations', dimensions: alias, atMs: T0 + 20 * MIN, value: 60 },
      { namespace: 'AWS/Lambda', name: 'Duration', dimensions: alias, atMs: T0 + 20 * MIN, value: 60 * 500 },
    );
    const reader = new CloudWatchLambdaDemand({ client, qualifier: 'live' });
    const { minutes, meanDurationMs } = await reader.demand('boundless-access', T0, T0 + 30 * MIN);
    expect(minutes.map((m) => [m.time, m.requests])).toEqual([[T0 + 20 * MIN, 60]]);
    expect(meanDurationMs).toBe(500);
  });

  it('reads each minute’s requests and peak concurrency through the real client, over pages', async () => {
    const { minutes, meanDurationMs } = await new CloudWatchLambdaDemand({ client }).demand(
      'boundless-access',
      T0,
      T0 + 10 * MIN,
    );
    expect(minutes).toHaveLength(10);
    expect(minutes.every((m) => m.requests === 120)).toBe(true);
    expect(meanDurationMs).toBe(250);
    // The planner reads back the concurrency CloudWatch reported.
    expect(minutes.map((m) => peakConcurrency(m.requests, m.peakRps, 250))).toEqual(
      Array.from({ length: 10 }, (_, m) => 2 + m),
    );
    expect(minutes[3]!.time).toBe(T0 + 3 * MIN);
    // Several pages of 5 points were read.
    expect(cloudWatch.requests.length).toBeGreaterThan(1);
  });

  it('reads the window it is asked for, whole, on every call: nothing read earlier stands in for it', async () => {
    const reader = new CloudWatchLambdaDemand({ client });
    await reader.demand('boundless-access', T0, T0 + 8 * MIN);
    const before = cloudWatch.requests.length;
    const moved = await reader.demand('boundless-access', T0 + MIN, T0 + 10 * MIN);
    const asked = cloudWatch.requests.slice(before);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((r) => r.StartTime * 1000 === T0 + MIN && r.EndTime * 1000 === T0 + 10 * MIN)).toBe(
      true,
    );
    expect(moved.minutes.map((m) => m.time)).toEqual(Array.from({ length: 9 }, (_, m) => T0 + (m + 1) * MIN));
  });

  it('answers no minutes for a function without metrics, and a SourceError when CloudWatch fails', async () => {
    const none = await new CloudWatchLambdaDemand({ client }).demand('quiet', T0, T0 + 10 * MIN);
    expect(none).toEqual({ minutes: [], meanDurationMs: null });
    // An endpoint that was just closed: nothing answers there.
    const gone = new CloudWatchStandIn();
    const endpoint = await gone.start();
    await gone.stop();
    const broken = new CloudWatchClient({ ...LOCAL_AWS, endpoint });
    await expect(
      new CloudWatchLambdaDemand({ client: broken }).demand('x', T0, T0 + MIN),
    ).rejects.toBeInstanceOf(SourceError);
    broken.destroy();
  });
});
