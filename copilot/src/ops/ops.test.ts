import { describe, expect, it } from 'vitest';
import { costView } from './cost-view.ts';
import { LatencyHistogram } from './histogram.ts';
import { lambdaDemand } from './lambda-demand.ts';
import { LambdaMetrics, peakPerSecond } from './lambda-metrics.ts';
import { RouteMetrics } from './route-metrics.ts';

const T = Date.parse('2026-12-05T10:00:00Z');

describe('Class: LatencyHistogram', () => {
  it('reads quantiles within 10 % above the exact value, never below', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) h.add(ms);
    const p95 = h.quantile(0.95) ?? 0;
    expect(p95).toBeGreaterThanOrEqual(950);
    expect(p95).toBeLessThanOrEqual(950 * 1.1);
    expect(new LatencyHistogram().quantile(0.95)).toBeNull();
  });
});

describe('Class: RouteMetrics', () => {
  it('counts requests, server errors and cache hits per route in the range, and forgets the old day', () => {
    const routes = new RouteMetrics(60);
    const event = (at: number, status: number, latencyMs = 20) => ({
      timestampMs: at,
      source: 'edge' as const,
      route: 'titles',
      status,
      latencyMs,
    });
    routes.observe(event(T, 200), 'Hit');
    routes.observe(event(T + 1000, 200), 'Miss');
    routes.observe(event(T + 2000, 503, 900), 'Error');
    routes.observe(event(T + 3000, 0), 'Hit');
    const [titles] = routes.summaries(T, T + 60_000);
    expect(titles).toMatchObject({ key: 'edge titles', requests: 3, errors: 1, cacheHitRatio: 0.5 });
    expect(titles?.availability).toBeCloseTo(2 / 3, 9);
    routes.observe(event(T + 2 * 3_600_000, 200), 'Hit');
    expect(routes.summaries(T, T + 60_000)[0]?.requests).toBe(0);
  });
});

describe('Class: LambdaMetrics', () => {
  it('reads EMF documents and platform reports, and meters requests and GB-seconds', () => {
    const metered: unknown[] = [];
    const lambdas = new LambdaMetrics((usage) => metered.push(usage));
    const emf = (at: number, cold: number, concurrent: number) =>
      JSON.stringify({
        _aws: {
          Timestamp: at,
          CloudWatchMetrics: [{ Namespace: 'X', Dimensions: [['function_name']], Metrics: [] }],
        },
        function_name: 'grant',
        Invocations: 1,
        ColdStart: cold,
        Duration: 40,
        ConcurrentExecutions: concurrent,
        ProvisionedConcurrency: 0,
      });
    lambdas.observe('/aws/lambda/grant', emf(T, 1, 1), T);
    lambdas.observe('/aws/lambda/grant', emf(T + 100, 0, 3), T + 100);
    lambdas.observe('/aws/lambda/grant', 'START RequestId: x', T);
    lambdas.observe('/aws/lambda/grant', '{"broken', T);
    lambdas.observe(
      '/aws/lambda/grant',
      JSON.stringify({
        type: 'platform.report',
        record: { metrics: { billedDurationMs: 1000, memorySizeMB: 1024 } },
      }),
      T,
    );
    const [minute] = lambdas.minutes('grant', T, T + 60_000);
    expect(minute?.bucket).toMatchObject({
      invocations: 2,
      coldStarts: 1,
      maxConcurrency: 3,
      durationMsSum: 80,
    });
    expect(peakPerSecond(minute!.bucket)).toBe(2);
    expect(metered).toEqual([{ date: '2026-12-05', lambdaRequests: 1, lambdaGbSeconds: 1 }]);
  });
});

describe('Function: lambdaDemand', () => {
  it('hands the live pre-warming loop each recorded minute, its busiest second and the mean duration', () => {
    const lambdas = new LambdaMetrics();
    const emf = (at: number, invocations: number, duration: number) =>
      JSON.stringify({ _aws: { Timestamp: at }, Invocations: invocations, Duration: duration });
    // Minute 0: 3 requests in one second and 1 in another; minute 2: 2 requests; minute 1 idle.
    lambdas.observe('/aws/lambda/grant', emf(T + 1_000, 3, 50), T + 1_000);
    lambdas.observe('/aws/lambda/grant', emf(T + 5_000, 1, 70), T + 5_000);
    lambdas.observe('/aws/lambda/grant', emf(T + 120_500, 2, 90), T + 120_500);
    const { minutes, meanDurationMs } = lambdaDemand(lambdas).demand('grant', T, T + 180_000);
    expect(minutes.map((m) => [m.time - T, m.requests, m.peakRps])).toEqual([
      [0, 4, 3],
      [120_000, 2, 2],
    ]);
    expect(minutes[0]!.timestamp).toBe(new Date(T).toISOString());
    // Duration is summed per invocation document: (50 + 70 + 90) over 6 invocations.
    expect(meanDurationMs).toBeCloseTo(210 / 6, 9);
    expect(lambdaDemand(lambdas).demand('other', T, T + 60_000)).toEqual({
      minutes: [],
      meanDurationMs: null,
    });
  });
});

describe('Function: costView', () => {
  it('lays cost out by day and service, with zero days and the trend of the total', () => {
    const row = (day: string, service: string, amount: number) => ({
      periodStart: day,
      periodEnd: day,
      service,
      amount,
      currency: 'USD',
    });
    const view = costView(
      'local',
      [row('2026-12-01', 'A', 1), row('2026-12-03', 'A', 3), row('2026-12-03', 'B', 2)],
      '2026-12-01',
      '2026-12-04',
    );
    expect(view.days.map((d) => d.total)).toEqual([1, 0, 5]);
    expect(view.services).toEqual(['A', 'B']);
    expect(view.trend?.perDay).toBeCloseTo(2, 9);
    expect(view.total).toBe(6);
  });
});
