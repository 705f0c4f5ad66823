import type { SloEvent } from '../slo/events.ts';
import { LatencyHistogram } from './histogram.ts';
import { MinuteBuckets } from './minute-ring.ts';

interface RouteMinute {
  requests: number;
  /** Server errors (5xx): what availability counts as bad. */
  errors: number;
  cacheHits: number;
  cacheMisses: number;
  latency: LatencyHistogram;
}

const newMinute = (): RouteMinute => ({
  requests: 0,
  errors: 0,
  cacheHits: 0,
  cacheMisses: 0,
  latency: new LatencyHistogram(),
});

export interface RouteSummary {
  /** `edge <path class>` or `api <METHOD /route>`. */
  key: string;
  source: SloEvent['source'];
  route: string;
  requests: number;
  errors: number;
  /** Good over answered requests; null without traffic. */
  availability: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  /** Hits over hits and misses; null for routes that are not cached (the API) or saw neither. */
  cacheHitRatio: number | null;
  /** p95 per minute over the window, for a sparkline. */
  p95Series: { t: number; p95Ms: number | null; requests: number }[];
}

/** Edge result types that CloudFront answered from its cache. */
const HITS = new Set(['Hit', 'RefreshHit']);

/**
 * Requests, server errors, latency and cache results per route and minute, for the last day of event time:
 * the numbers beside the SLOs on the dashboard (p95 per route against its target, availability, hit ratio).
 */
export class RouteMetrics {
  private readonly routes = new Map<
    string,
    { source: SloEvent['source']; route: string; minutes: MinuteBuckets<RouteMinute> }
  >();

  constructor(private readonly keepMinutes = 1440) {}

  observe(event: SloEvent, edgeResultType?: string): void {
    if (event.status === 0) return;
    const key = `${event.source} ${event.route}`;
    let route = this.routes.get(key);
    if (!route) {
      route = {
        source: event.source,
        route: event.route,
        minutes: new MinuteBuckets(newMinute, this.keepMinutes),
      };
      this.routes.set(key, route);
    }
    const minute = route.minutes.at(event.timestampMs);
    if (!minute) return;
    minute.requests += 1;
    if (event.status >= 500) minute.errors += 1;
    minute.latency.add(event.latencyMs);
    if (edgeResultType) {
      if (HITS.has(edgeResultType)) minute.cacheHits += 1;
      else if (edgeResultType === 'Miss') minute.cacheMisses += 1;
    }
  }

  /** Newest event time seen on any route (ms); null before any. */
  get newestMs(): number | null {
    let newest: number | null = null;
    for (const route of this.routes.values()) {
      const t = route.minutes.newestMs;
      if (t !== null && (newest === null || t > newest)) newest = t;
    }
    return newest;
  }

  summaries(fromMs: number, toMs: number): RouteSummary[] {
    const out: RouteSummary[] = [];
    for (const [key, route] of this.routes) {
      const total = newMinute();
      const p95Series: RouteSummary['p95Series'] = [];
      for (const { t, bucket } of route.minutes.range(fromMs, toMs)) {
        total.requests += bucket.requests;
        total.errors += bucket.errors;
        total.cacheHits += bucket.cacheHits;
        total.cacheMisses += bucket.cacheMisses;
        total.latency.merge(bucket.latency);
        p95Series.push({ t, p95Ms: bucket.latency.quantile(0.95), requests: bucket.requests });
      }
      const cached = total.cacheHits + total.cacheMisses;
      out.push({
        key,
        source: route.source,
        route: route.route,
        requests: total.requests,
        errors: total.errors,
        availability: total.requests > 0 ? (total.requests - total.errors) / total.requests : null,
        p50Ms: total.latency.quantile(0.5),
        p95Ms: total.latency.quantile(0.95),
        cacheHitRatio: cached > 0 ? total.cacheHits / cached : null,
        p95Series,
      });
    }
    return out.sort((a, b) => b.requests - a.requests || a.key.localeCompare(b.key));
  }
}
