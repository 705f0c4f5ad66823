import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { getMetricSeries, type Series, stat } from '../sources/cloudwatch-metrics-aws.ts';
import type { DemandMinute } from './demand.ts';
import type { DemandReader, FunctionDemand } from './live.ts';

export interface CloudWatchLambdaDemandOptions {
  /** CloudWatch in the functions' region. */
  client: CloudWatchClient;
  /**
   * Read the metrics of this alias (Lambda's `Resource` dimension, `function:alias`) rather than the whole
   * function's: the alias is what callers invoke and what holds the provisioned concurrency, so invocations of
   * other versions (a test of `$LATEST`) are not counted as demand on its pool. Lambda emits
   * `ConcurrentExecutions`, `Invocations` and `Duration` per alias.
   */
  qualifier?: string;
  timeoutMs?: number;
}

/**
 * The live pre-warming loop's demand in AWS, from Lambda's own per-minute CloudWatch metrics: `Invocations`
 * (Sum) as the minute's requests and `ConcurrentExecutions` (Maximum) as its peak concurrency, turned back into
 * the busiest second the planner reads (the inverse of `peakConcurrency`), and the mean of `Duration`. CloudWatch
 * keeps no busiest second, so the minute's highest concurrency stands in for it: the same quantity the planner
 * derives from the busiest second locally.
 */
export class CloudWatchLambdaDemand implements DemandReader {
  constructor(private readonly options: CloudWatchLambdaDemandOptions) {}

  async demand(functionName: string, fromMs: number, toMs: number): Promise<FunctionDemand> {
    const { qualifier } = this.options;
    const dims = [
      { Name: 'FunctionName', Value: functionName },
      ...(qualifier ? [{ Name: 'Resource', Value: `${functionName}:${qualifier}` }] : []),
    ];
    const [invocations, concurrency, duration] = (await getMetricSeries(
      this.options.client,
      fromMs,
      toMs,
      [
        stat('invocations', 'AWS/Lambda', 'Invocations', dims, 'Sum', 60),
        stat('concurrency', 'AWS/Lambda', 'ConcurrentExecutions', dims, 'Maximum', 60),
        stat('duration', 'AWS/Lambda', 'Duration', dims, 'Sum', 60),
      ],
      this.options.timeoutMs,
    )) as [Series, Series, Series];
    const requests = total(invocations);
    const meanDurationMs = requests > 0 ? total(duration) / requests : null;
    const seconds = (meanDurationMs ?? 1000) / 1000;
    const peaks = new Map(concurrency.timestamps.map((t, i) => [t, concurrency.values[i] ?? 0]));
    const minutes: DemandMinute[] = invocations.timestamps.map((t, i) => {
      const count = invocations.values[i] ?? 0;
      // peakConcurrency = peakRps × min(d, 1) + mean rate × max(0, d − 1), solved for peakRps.
      const beyondASecond = (count / 60) * Math.max(0, seconds - 1);
      const peakRps = Math.max(0, (peaks.get(t) ?? 0) - beyondASecond) / Math.min(seconds, 1);
      return { time: t, timestamp: new Date(t).toISOString(), requests: count, peakRps };
    });
    return { minutes, meanDurationMs };
  }
}

const total = (series: Series) => series.values.reduce((sum, value) => sum + value, 0);
