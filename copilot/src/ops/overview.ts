import type { SloDefinitions } from '../slo/definitions.ts';
import type { LambdaMetrics } from './lambda-metrics.ts';
import type { RouteMetrics, RouteSummary } from './route-metrics.ts';

export interface RouteHealth extends RouteSummary {
  /** The tightest latency objective that covers the route, from the SLO definitions; null when none does. */
  targetMs: number | null;
  /** The quantile the target applies to (0.95 for a p95 objective). */
  targetQuantile: number | null;
}

export interface Overview {
  from: string;
  to: string;
  /** Newest event time the numbers include; null before any traffic. */
  asOf: string | null;
  routes: RouteHealth[];
  requests: number;
  availability: number | null;
  cacheHitRatio: number | null;
  coldStarts: { total: number; series: { t: number; coldStarts: number }[] };
  cost: { today: number | null; currency: string; source: string };
}

function latencyTarget(definitions: SloDefinitions | undefined, route: RouteSummary) {
  let best: { thresholdMs: number; quantile: number } | null = null;
  for (const slo of definitions?.slos ?? []) {
    if (slo.sli.kind !== 'latency' || slo.selector.source !== route.source) continue;
    if (slo.selector.routes && !slo.selector.routes.includes(route.route)) continue;
    if (!best || slo.sli.thresholdMs < best.thresholdMs)
      best = { thresholdMs: slo.sli.thresholdMs, quantile: slo.objective };
  }
  return best;
}

/** The headline numbers beside the SLO list: per-route latency against target, availability, hits, cold starts. */
export function overview(
  routes: RouteMetrics,
  lambdas: LambdaMetrics,
  definitions: SloDefinitions | undefined,
  range: { fromMs: number; toMs: number },
  cost: Overview['cost'],
): Overview {
  const summaries = routes.summaries(range.fromMs, range.toMs);
  const health = summaries.map((route) => {
    const target = latencyTarget(definitions, route);
    return { ...route, targetMs: target?.thresholdMs ?? null, targetQuantile: target?.quantile ?? null };
  });
  const requests = summaries.reduce((sum, r) => sum + r.requests, 0);
  const errors = summaries.reduce((sum, r) => sum + r.errors, 0);
  const edge = summaries.filter((r) => r.cacheHitRatio !== null);
  const hits = edge.reduce((sum, r) => sum + (r.cacheHitRatio ?? 0) * r.requests, 0);
  const edgeRequests = edge.reduce((sum, r) => sum + r.requests, 0);
  const coldByMinute = new Map<number, number>();
  for (const name of lambdas.names()) {
    for (const { t, bucket } of lambdas.minutes(name, range.fromMs, range.toMs))
      coldByMinute.set(t, (coldByMinute.get(t) ?? 0) + bucket.coldStarts);
  }
  const series = [...coldByMinute].sort(([a], [b]) => a - b).map(([t, coldStarts]) => ({ t, coldStarts }));
  const newest = routes.newestMs;
  return {
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    asOf: newest === null ? null : new Date(newest + 60_000).toISOString(),
    routes: health,
    requests,
    availability: requests > 0 ? (requests - errors) / requests : null,
    cacheHitRatio: edgeRequests > 0 ? hits / edgeRequests : null,
    coldStarts: { total: series.reduce((sum, p) => sum + p.coldStarts, 0), series },
    cost,
  };
}
