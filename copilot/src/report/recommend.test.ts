import { describe, expect, it } from 'vitest';
import { costSummary } from './cost-summary.ts';
import { RouteDemandCounter, throttlingRecommendations } from './recommend-capacity.ts';
import { monthlyObjectCost, pointer, storageAnalysis } from './recommend-cache.ts';
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
});
