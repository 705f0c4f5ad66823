import { describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/edge-log-record.ts';
import { CacheAnalyzer } from './cache-analysis.ts';
import { costSummary } from './cost-summary.ts';
import { RouteDemandCounter, throttlingRecommendations } from './recommend-capacity.ts';
import { cacheRecommendations, monthlyObjectCost, pointer, storageAnalysis } from './recommend-cache.ts';
import type { ReportTunables } from './types.ts';

const tunables: ReportTunables = {
  cache: { behaviors: { '/public/*': { defaultTtlSeconds: 300, maxTtlSeconds: 3600 } } },
  storage: { content: { infrequentAccessAfterDays: 90, glacierInstantRetrievalAfterDays: 365 } },
  api: { throttling: { default: { rateLimit: 10, burstLimit: 20 }, routes: {} } },
  lambda: { defaults: { memoryMb: 512 }, functions: {} },
};

describe('report recommendations', () => {
  it('prices storage classes with retrieval fees and the minimum billed size', () => {
    const mb = 1_000_000;
    // Unread: Glacier IR is cheapest; read ten times a month: Standard is.
    expect(monthlyObjectCost('GLACIER_IR', mb, 0)).toBeLessThan(monthlyObjectCost('STANDARD', mb, 0));
    expect(monthlyObjectCost('STANDARD', mb, 10)).toBeLessThan(monthlyObjectCost('STANDARD_IA', mb, 10));
    // A 1 KB object is billed as 128 KB in Standard-IA: it stays in Standard.
    expect(monthlyObjectCost('STANDARD', 1_000, 0)).toBeLessThan(monthlyObjectCost('STANDARD_IA', 1_000, 0));
  });

  it('moves the IA transition earlier only when old objects are cold', () => {
    const cold = Array.from({ length: 100 }, (_, i) => ({
      key: `/o${i}`,
      bytes: 50e6,
      reads: 0,
      ageDays: 40,
    }));
    const { recommendations } = storageAnalysis(cold, 30, tunables, '2026-01-01');
    expect(recommendations[0]?.changeSet.patch).toEqual([
      { op: 'replace', path: '/storage/content/infrequentAccessAfterDays', value: 30 },
    ]);
    const hot = cold.map((o) => ({ ...o, reads: 300 }));
    expect(storageAnalysis(hot, 30, tunables, '2026-01-01').recommendations).toEqual([]);
  });

  it('raises a throttle that refused traffic below twice its p99 second, never one that did not throttle', () => {
    const counter = new RouteDemandCounter();
    for (let s = 0; s < 100; s++)
      for (let i = 0; i < 30; i++)
        counter.add({
          atMs: s * 1000 + i,
          routeKey: 'POST /v1/access',
          status: i < 20 ? 200 : 429,
          latencyMs: 5,
          throttled: i >= 20,
        });
    counter.add({ atMs: 0, routeKey: 'GET /v1/devices', status: 200, latencyMs: 5, throttled: false });
    const [rec, ...rest] = throttlingRecommendations(counter.result(tunables), '2026-01-01');
    expect(rest).toEqual([]);
    expect(rec?.changeSet.patch[0]).toEqual({
      op: 'add',
      path: pointer('api', 'throttling', 'routes', 'POST /v1/access'),
      value: { rateLimit: 100, burstLimit: 200 },
    });
  });

  it('flags a cost day far above the service’s own days, and computes the 7-day trend', () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({
      periodStart: new Date(Date.UTC(2026, 0, 2 + i)).toISOString(),
      periodEnd: '',
      service: 'AWS Lambda',
      amount: i === 29 ? 50 : 10 + (i % 3),
      currency: 'USD',
    }));
    const summary = costSummary(rows, '2026-01-31', 30, 'test');
    expect(summary.services[0]).toMatchObject({ service: 'AWS Lambda', day: 50, anomaly: true });
    expect(summary.services[0]?.trendPct).toBeGreaterThan(0);
    expect(costSummary(rows.slice(0, 29), '2026-01-30', 30, 'test').services[0]?.anomaly).toBe(false);
  });

  it('counts the revalidations the edge logged at a TTL shorter than the log stamps can resolve', () => {
    // A page read every 1.15 s at a one-second TTL: every read after the first found its copy expired. The log
    // stamps each read to the whole second, so most gaps read as exactly one second.
    const record = (i: number): EdgeLogRecord => ({
      timestampMs: Math.floor((i * 1150 + 300) / 1000) * 1000,
      edgeLocation: 'LOC1',
      bytes: 1000,
      clientIp: '192.0.2.1',
      method: 'GET',
      host: 'd.example',
      uriStem: '/public/a.html',
      status: 200,
      referer: '-',
      userAgent: '-',
      query: '-',
      edgeResultType: i === 0 ? 'Miss' : 'RefreshHit',
      requestId: `r${i}`,
      timeTakenMs: 5,
      detailedResultType: i === 0 ? 'Miss' : 'RefreshHit',
      contentType: 'text/html',
    });
    const oneSecond: ReportTunables = {
      ...tunables,
      cache: { behaviors: { '/public/*': { defaultTtlSeconds: 1, maxTtlSeconds: 3600 } } },
    };
    const analyzer = new CacheAnalyzer({ '/public/*': 1 }, { fromMs: 0, toMs: 86_400_000 });
    for (let i = 0; i < 40; i++) analyzer.add(record(i));
    const behavior = analyzer.result().behaviors[0]!;
    expect(behavior.whatIf.find((w) => w.ttlSeconds === 1)?.revalidations).toBe(39);
    expect(behavior.whatIf.find((w) => w.ttlSeconds === 60)?.revalidations).toBe(0);
    const [rec] = cacheRecommendations(analyzer.result(), oneSecond, { day: '2026-01-01' });
    expect(rec?.estimate.metric?.before).toBe(0);
    expect(rec?.estimate.metric?.expected).toBeGreaterThan(0.9);
  });
});
