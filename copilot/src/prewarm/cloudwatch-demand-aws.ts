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
 *
 * The loop reads a day of history when a plan starts and then, each tick, only the minutes no tick has read, and
 * only minutes CloudWatch has had time to complete (the loop's `settleMinutes`, PREWARM.md): each window is
 * read once, as asked, and nothing is kept between calls.
 */
export class CloudWatchLambdaDemand implements DemandReader {
  constructor(private readonly options: CloudWatchLambdaDemandOptions) {}

  async demand(functionName: string, fromMs: number, toMs: number): Promise<FunctionDemand> {
    const [invocations, concurrency, duration] = await this.read(functionName, fromMs, toMs);
    const concurrencyAt = pointsOf(concurrency);
    const inWindow = (t: number) => t >= fromMs && t < toMs;
    const requestsAt = pointsOf(invocations, inWindow);
    let requests = 0;
    let durationMs = 0;
    for (const value of requestsAt.values()) requests += value;
    for (const value of pointsOf(duration, inWindow).values()) durationMs += value;
    const meanDurationMs = requests > 0 ? durationMs / requests : null;
    const seconds = (meanDurationMs ?? 1000) / 1000;
    const times = [...requestsAt.keys()].sort((a, b) => a - b);
    const minutes: DemandMinute[] = times.map((t) => {
      const count = requestsAt.get(t) ?? 0;
      // peakConcurrency = peakRps × min(d, 1) + mean rate × max(0, d − 1), solved for peakRps.
      const beyondASecond = (count / 60) * Math.max(0, seconds - 1);
      const peakRps = Math.max(0, (concurrencyAt.get(t) ?? 0) - beyondASecond) / Math.min(seconds, 1);
      return { time: t, timestamp: new Date(t).toISOString(), requests: count, peakRps };
    });
    return { minutes, meanDurationMs };
  }

  /** The function's invocations, concurrency and duration over [fromMs, toMs), per minute. */
  private async read(functionName: string, fromMs: number, toMs: number): Promise<[Series, Series, Series]> {
    const { qualifier } = this.options;
    const dims = [
      { Name: 'FunctionName', Value: functionName },
      ...(qualifier ? [{ Name: 'Resource', Value: `${functionName}:${qualifier}` }] : []),
    ];
    return (await getMetricSeries(
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
  }
}

/** A series' points by time (the last one where a time repeats), those `keep` accepts. */
function pointsOf(series: Series, keep: (t: number) => boolean = () => true): Map<number, number> {
  const points = new Map<number, number>();
  series.timestamps.forEach((t, i) => {
    if (keep(t)) points.set(t, series.values[i] ?? 0);
  });
  return points;
}
