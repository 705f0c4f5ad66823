import type { MetricMeasurement, MetricReader } from '../changes/ports.ts';
import { CacheAnalyzer } from './cache-analysis.ts';
import { readEdgeLogWindow } from './edge-logs.ts';
import { readApiAccess, readInvocationReports } from './function-telemetry.ts';
import { LatencyHistogram } from './latency-histogram.ts';

export interface TelemetryMetricOptions {
  /** CloudFront standard logs (the local edge's folder). */
  edgeLogDir: string;
  /** The telemetry directory's `logs/` (log groups). */
  logsDir: string;
  /** The cache behaviours' path patterns, to put a path under its behaviour. */
  patterns: () => readonly string[];
  apiAccessLogGroup: string;
}

/** The metrics a change set can be verified on, measured from the telemetry the system writes. */
export const METRICS = [
  'edge.hit_ratio',
  'edge.origin_bytes',
  'edge.origin_fetches',
  'edge.upstream_requests',
  'api.throttles',
  'lambda.gb_seconds',
  'lambda.duration_p99',
  'lambda.cold_starts',
] as const;

export class TelemetryMetricReader implements MetricReader {
  constructor(private readonly options: TelemetryMetricOptions) {}

  async measure(
    metric: string,
    scope: Record<string, string>,
    fromMs: number,
    toMs: number,
  ): Promise<MetricMeasurement> {
    if (metric.startsWith('edge.')) return this.edge(metric, scope, fromMs, toMs);
    if (metric === 'api.throttles') {
      let throttled = 0;
      let samples = 0;
      await readApiAccess(this.options.logsDir, this.options.apiAccessLogGroup, fromMs, toMs, (a) => {
        if (scope.route && a.routeKey !== scope.route) return;
        samples += 1;
        if (a.throttled) throttled += 1;
      });
      return { value: samples === 0 ? null : throttled, samples, unit: 'requests' };
    }
    if (metric.startsWith('lambda.')) return this.lambda(metric, scope, fromMs, toMs);
    throw new RangeError(`unknown metric ${metric}; known: ${METRICS.join(', ')}`);
  }

  private async edge(metric: string, scope: Record<string, string>, fromMs: number, toMs: number) {
    const ttls = Object.fromEntries(this.options.patterns().map((p) => [p, 0]));
    const analyzer = new CacheAnalyzer(ttls, { fromMs, toMs });
    await readEdgeLogWindow(this.options.edgeLogDir, fromMs, toMs, (r) => analyzer.add(r));
    const result = analyzer.result();
    const counts = scope.pattern ? result.behaviors.find((b) => b.pattern === scope.pattern) : result.total;
    const samples = counts?.cacheable ?? 0;
    if (!counts || samples === 0)
      return { value: null, samples, unit: metric === 'edge.hit_ratio' ? 'ratio' : 'count' };
    if (metric === 'edge.hit_ratio') return { value: counts.hits / counts.cacheable, samples, unit: 'ratio' };
    if (metric === 'edge.origin_bytes') return { value: counts.originBytes, samples, unit: 'bytes' };
    if (metric === 'edge.origin_fetches') return { value: counts.originFetches, samples, unit: 'requests' };
    return { value: counts.originFetches + counts.refreshHits, samples, unit: 'requests' };
  }

  private async lambda(metric: string, scope: Record<string, string>, fromMs: number, toMs: number) {
    const group = `/aws/lambda/${scope.function ?? ''}`;
    let gbSeconds = 0;
    let coldStarts = 0;
    const durations = new LatencyHistogram();
    const counts = await readInvocationReports(this.options.logsDir, [group], fromMs, toMs, (r) => {
      gbSeconds += (r.memoryMb / 1024) * (r.billedDurationMs / 1000);
      durations.add(r.durationMs);
      if (r.initMs !== undefined) coldStarts += 1;
    });
    const samples = counts.used;
    if (samples === 0) return { value: null, samples, unit: '-' };
    if (metric === 'lambda.gb_seconds') return { value: gbSeconds, samples, unit: 'GB-s' };
    if (metric === 'lambda.cold_starts') return { value: coldStarts, samples, unit: 'cold starts' };
    return { value: durations.quantile(0.99), samples, unit: 'ms' };
  }
}
