import {
  type CloudWatchClient,
  type Dimension,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { MetricMeasurement, MetricReader } from '../changes/ports.ts';
import { deadline } from './aws-client.ts';
import { SourceError } from './errors.ts';

/** Where the deployment's metrics live: its distribution, its HTTP API stage; functions come from the scope. */
export interface CloudWatchMetricOptions {
  /** CloudWatch in the deployment's region: API Gateway and Lambda metrics. */
  regional: CloudWatchClient;
  /** CloudWatch in us-east-1, where CloudFront publishes. @default `regional` */
  edge?: CloudWatchClient;
  distributionId?: string;
  httpApiId?: string;
  /** @default '$default' */
  httpApiStage?: string;
  timeoutMs?: number;
}

/** Metrics the local reader measures from logs that CloudWatch does not publish: read as "no data". */
const NOT_IN_CLOUDWATCH: Record<string, string> = {
  'edge.origin_bytes': 'CloudFront publishes no origin bytes metric; the standard logs carry them',
  'edge.origin_fetches': 'CloudFront publishes no origin fetch metric; the standard logs carry them',
  'edge.upstream_requests': 'CloudFront publishes no origin request metric; the standard logs carry them',
  'lambda.gb_seconds': 'Lambda publishes duration, not the memory it ran with; the REPORT lines carry both',
  'lambda.cold_starts': 'Lambda publishes no cold-start metric; the REPORT lines carry Init Duration',
};

/** The metrics this reader asks CloudWatch for, with those it answers "not in CloudWatch". */
export const CLOUDWATCH_METRICS = [
  'edge.hit_ratio',
  'api.throttles',
  'lambda.duration_p99',
  ...Object.keys(NOT_IN_CLOUDWATCH),
] as const;

export interface Series {
  timestamps: number[];
  values: number[];
}

/**
 * The metric a change set is verified on, read from CloudWatch GetMetricData (the AWS side of the
 * TelemetryMetricReader, behind the same MetricReader interface):
 * - `edge.hit_ratio`: CloudFront `CacheHitRate` (the distribution's additional metrics), weighted per minute by
 *   `Requests`. CloudFront publishes it per distribution, not per cache behaviour: a `pattern` scope is measured
 *   over the whole distribution, and the unit says so.
 * - `api.throttles`: API Gateway `4xx` of the stage (of the route when scoped: the stage's detailed metrics), 429s
 *   included. HTTP APIs publish no throttle-only metric; `samples` is the route's `Count`.
 * - `lambda.duration_p99`: Lambda `Duration` p99 over the whole window; `samples` is `Invocations`.
 * Metrics CloudWatch does not publish (origin bytes, GB-seconds, cold starts) and windows without traffic answer
 * `value: null`, which verification reports as insufficient data.
 */
export class CloudWatchMetricReader implements MetricReader {
  constructor(private readonly options: CloudWatchMetricOptions) {}

  async measure(
    metric: string,
    scope: Record<string, string>,
    fromMs: number,
    toMs: number,
  ): Promise<MetricMeasurement> {
    const missing = NOT_IN_CLOUDWATCH[metric];
    if (missing !== undefined) return { value: null, samples: 0, unit: `no data: ${missing}` };
    if (metric === 'edge.hit_ratio') return this.hitRatio(scope, fromMs, toMs);
    if (metric === 'api.throttles') return this.throttles(scope, fromMs, toMs);
    if (metric === 'lambda.duration_p99') return this.durationP99(scope, fromMs, toMs);
    throw new RangeError(`unknown metric ${metric}; known: ${CLOUDWATCH_METRICS.join(', ')}`);
  }

  private async hitRatio(scope: Record<string, string>, fromMs: number, toMs: number) {
    const unit = scope.pattern
      ? 'ratio (whole distribution: CloudFront has no per-behaviour metric)'
      : 'ratio';
    const id = this.options.distributionId;
    if (!id) return { value: null, samples: 0, unit: 'no data: no distribution id configured' };
    const dims = [
      { Name: 'DistributionId', Value: id },
      { Name: 'Region', Value: 'Global' },
    ];
    const [rate, requests] = await this.read(this.options.edge ?? this.options.regional, fromMs, toMs, [
      stat('rate', 'AWS/CloudFront', 'CacheHitRate', dims, 'Average', 60),
      stat('requests', 'AWS/CloudFront', 'Requests', dims, 'Sum', 60),
    ]);
    const perMinute = byTimestamp(requests as Series);
    let weighted = 0;
    let samples = 0;
    (rate as Series).timestamps.forEach((t, i) => {
      const n = perMinute.get(t) ?? 0;
      weighted += (((rate as Series).values[i] ?? 0) / 100) * n;
      samples += n;
    });
    return { value: samples === 0 ? null : weighted / samples, samples, unit };
  }

  private async throttles(scope: Record<string, string>, fromMs: number, toMs: number) {
    const id = this.options.httpApiId;
    if (!id) return { value: null, samples: 0, unit: 'no data: no HTTP API id configured' };
    const dims = [
      { Name: 'ApiId', Value: id },
      { Name: 'Stage', Value: this.options.httpApiStage ?? '$default' },
      ...(scope.route ? [{ Name: 'Route', Value: scope.route }] : []),
    ];
    const [clientErrors, count] = await this.read(this.options.regional, fromMs, toMs, [
      stat('errors4xx', 'AWS/ApiGateway', '4xx', dims, 'Sum', 60),
      stat('count', 'AWS/ApiGateway', 'Count', dims, 'Sum', 60),
    ]);
    const samples = sum(count as Series);
    return {
      value: samples === 0 ? null : sum(clientErrors as Series),
      samples,
      unit: 'requests (4xx, throttles included)',
    };
  }

  private async durationP99(scope: Record<string, string>, fromMs: number, toMs: number) {
    if (!scope.function) return { value: null, samples: 0, unit: 'no data: the scope names no function' };
    const dims = [{ Name: 'FunctionName', Value: scope.function }];
    // Percentiles do not add up across periods: one period spans the whole window.
    const period = Math.max(60, Math.ceil((toMs - fromMs) / 60_000) * 60);
    const [p99, invocations] = await this.read(this.options.regional, fromMs, toMs, [
      stat('p99', 'AWS/Lambda', 'Duration', dims, 'p99', period),
      stat('invocations', 'AWS/Lambda', 'Invocations', dims, 'Sum', period),
    ]);
    const samples = sum(invocations as Series);
    const value = (p99 as Series).values[0];
    return { value: samples === 0 || value === undefined ? null : value, samples, unit: 'ms' };
  }

  private read(client: CloudWatchClient, fromMs: number, toMs: number, queries: MetricDataQuery[]) {
    return getMetricSeries(client, fromMs, toMs, queries, this.options.timeoutMs);
  }
}

/** Every page of one GetMetricData call, each query's points (epoch ms, value) in query order. */
export async function getMetricSeries(
  client: CloudWatchClient,
  fromMs: number,
  toMs: number,
  queries: MetricDataQuery[],
  timeoutMs?: number,
): Promise<Series[]> {
  const series = new Map(queries.map((q) => [q.Id as string, { timestamps: [], values: [] } as Series]));
  let token: string | undefined;
  do {
    let page: GetMetricDataCommandOutput;
    try {
      page = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(fromMs),
          EndTime: new Date(toMs),
          ScanBy: 'TimestampAscending',
          ...(token ? { NextToken: token } : {}),
        }),
        deadline(timeoutMs),
      );
    } catch (cause) {
      throw new SourceError('cloudwatch', `GetMetricData failed: ${String(cause)}`, { cause });
    }
    for (const result of page.MetricDataResults ?? []) {
      const into = series.get(result.Id ?? '');
      if (!into) continue;
      into.timestamps.push(...(result.Timestamps ?? []).map((t) => t.getTime()));
      into.values.push(...(result.Values ?? []));
    }
    token = page.NextToken;
  } while (token);
  return queries.map((q) => series.get(q.Id as string) as Series);
}

export function stat(
  id: string,
  namespace: string,
  name: string,
  dimensions: Dimension[],
  statistic: string,
  period: number,
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: { Namespace: namespace, MetricName: name, Dimensions: dimensions },
      Period: period,
      Stat: statistic,
    },
    ReturnData: true,
  };
}

const sum = (s: Series) => s.values.reduce((total, v) => total + v, 0);
const byTimestamp = (s: Series) => new Map(s.timestamps.map((t, i) => [t, s.values[i] ?? 0]));
