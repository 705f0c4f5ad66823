import { type MetricMeasurement, type MetricReader, measureEachWindow } from '../changes/ports.ts';
import { CacheAnalyzer } from './cache-analysis.ts';
import { type EdgeLogInput, readEdgeLogWindow } from './edge-logs.ts';
import { type LogGroupReader, readApiAccess, readInvocationReports } from './function-telemetry.ts';
import { LatencyHistogram } from './latency-histogram.ts';

export interface TelemetryMetricOptions {
  /** CloudFront standard logs: the local edge's folder, or the logs bucket in AWS (S3CloudFrontLogWindow). */
  edgeLogs: EdgeLogInput;
  /** The log groups: the telemetry directory's `logs/`, or CloudWatch Logs in AWS (AwsLogEventSource). */
  logs: LogGroupReader;
  /** The cache behaviours' path patterns in CloudFront's order, to put a path under its behaviour. */
  patterns: () => readonly string[];
  apiAccessLogGroup: string;
  /** A function's log group. @default `/aws/lambda/<function>` */
  lambdaLogGroup?: (functionName: string) => string;
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

/**
 * Every metric measured from logs: the edge's from CloudFront standard logs (per cache behaviour when the scope
 * names a `pattern`: hit ratio over Hit/RefreshHit/Miss, origin fetches and bytes of misses Origin Shield did
 * not answer, upstream requests with revalidations), the API's from its access log, the functions' from their
 * `platform.report` records (GB-seconds = billed duration x memory, cold starts = reports with an init
 * duration, duration p99). Locally over the data dir; in AWS over the logs bucket and CloudWatch Logs.
 */
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
      await readApiAccess(this.options.logs, this.options.apiAccessLogGroup, fromMs, toMs, (a) => {
        if (scope.route && a.routeKey !== scope.route) return;
        samples += 1;
        if (a.throttled) throttled += 1;
      });
      return { value: samples === 0 ? null : throttled, samples, unit: 'requests' };
    }
    if (metric.startsWith('lambda.')) return this.lambda(metric, scope, fromMs, toMs);
    throw new RangeError(`unknown metric ${metric}; known: ${METRICS.join(', ')}`);
  }

  /**
   * The edge's metrics read the standard logs once for every window (verification's baseline and observed
   * windows share the objects around the apply time): each record goes to the windows that hold it.
   */
  async measureWindows(
    metric: string,
    scope: Record<string, string>,
    windows: readonly (readonly [fromMs: number, toMs: number])[],
  ): Promise<MetricMeasurement[]> {
    if (!metric.startsWith('edge.') || windows.length === 0) {
      return measureEachWindow(this, metric, scope, windows);
    }
    const ttls = Object.fromEntries(this.options.patterns().map((p) => [p, 0]));
    const analyzers = windows.map(([fromMs, toMs]) => new CacheAnalyzer(ttls, { fromMs, toMs }));
    const fromMs = Math.min(...windows.map(([from]) => from));
    const toMs = Math.max(...windows.map(([, to]) => to));
    await readEdgeLogWindow(this.options.edgeLogs, fromMs, toMs, (record) => {
      windows.forEach(([from, to], i) => {
        if (record.timestampMs >= from && record.timestampMs < to) analyzers[i]!.add(record);
      });
    });
    return analyzers.map((analyzer) => edgeMeasurement(metric, scope, analyzer));
  }

  private async edge(metric: string, scope: Record<string, string>, fromMs: number, toMs: number) {
    return (await this.measureWindows(metric, scope, [[fromMs, toMs]]))[0]!;
  }

  private async lambda(metric: string, scope: Record<string, string>, fromMs: number, toMs: number) {
    if (!scope.function) return { value: null, samples: 0, unit: 'no data: the scope names no function' };
    const group = (this.options.lambdaLogGroup ?? ((name) => `/aws/lambda/${name}`))(scope.function);
    let gbSeconds = 0;
    let coldStarts = 0;
    const durations = new LatencyHistogram();
    const counts = await readInvocationReports(this.options.logs, [group], fromMs, toMs, (r) => {
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

/** An edge metric from a window's cache analysis: per cache behaviour when the scope names a pattern. */
function edgeMeasurement(
  metric: string,
  scope: Record<string, string>,
  analyzer: CacheAnalyzer,
): MetricMeasurement {
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
