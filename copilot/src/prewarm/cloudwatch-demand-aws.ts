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
 * Minutes read again on every call: CloudWatch publishes a minute's Lambda metrics a minute or two late and may
 * still complete it after that, so only older minutes are taken as final.
 */
const REREAD_MS = 5 * 60_000;

/** One function's per-minute points already read (epoch ms → value per metric), over [readFrom, readTo). */
interface Cached {
  readFrom: number;
  readTo: number;
  invocations: Map<number, number>;
  concurrency: Map<number, number>;
  duration: Map<number, number>;
}

/**
 * The live pre-warming loop's demand in AWS, from Lambda's own per-minute CloudWatch metrics: `Invocations`
 * (Sum) as the minute's requests and `ConcurrentExecutions` (Maximum) as its peak concurrency, turned back into
 * the busiest second the planner reads (the inverse of `peakConcurrency`), and the mean of `Duration`. CloudWatch
 * keeps no busiest second, so the minute's highest concurrency stands in for it: the same quantity the planner
 * derives from the busiest second locally.
 *
 * The loop reads a day of history when a plan starts and then, each tick, only the minutes no tick has read. A
 * caller that asks instead for a window overlapping the last one (a day that moved by a minute) is served from
 * the points already read: only the minutes since the last call are read, and the last few again (which may
 * still change).
 */
export class CloudWatchLambdaDemand implements DemandReader {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly options: CloudWatchLambdaDemandOptions) {}

  async demand(functionName: string, fromMs: number, toMs: number): Promise<FunctionDemand> {
    const cached = await this.read(functionName, fromMs, toMs);
    const inWindow = (t: number) => t >= fromMs && t < toMs;
    let requests = 0;
    let durationMs = 0;
    for (const [t, value] of cached.invocations) if (inWindow(t)) requests += value;
    for (const [t, value] of cached.duration) if (inWindow(t)) durationMs += value;
    const meanDurationMs = requests > 0 ? durationMs / requests : null;
    const seconds = (meanDurationMs ?? 1000) / 1000;
    const times = [...cached.invocations.keys()].filter(inWindow).sort((a, b) => a - b);
    const minutes: DemandMinute[] = times.map((t) => {
      const count = cached.invocations.get(t) ?? 0;
      // peakConcurrency = peakRps × min(d, 1) + mean rate × max(0, d − 1), solved for peakRps.
      const beyondASecond = (count / 60) * Math.max(0, seconds - 1);
      const peakRps = Math.max(0, (cached.concurrency.get(t) ?? 0) - beyondASecond) / Math.min(seconds, 1);
      return { time: t, timestamp: new Date(t).toISOString(), requests: count, peakRps };
    });
    return { minutes, meanDurationMs };
  }

  /** The function's points over [fromMs, toMs), reading from CloudWatch only what is not already final. */
  private async read(functionName: string, fromMs: number, toMs: number): Promise<Cached> {
    const previous = this.cache.get(functionName);
    // A window that does not continue the one already read (the first call, a gap, a clock moved back) is read whole.
    const continues =
      previous !== undefined &&
      previous.readFrom <= fromMs &&
      previous.readTo > fromMs &&
      previous.readTo <= toMs;
    const cached: Cached = continues
      ? previous
      : {
          readFrom: fromMs,
          readTo: fromMs,
          invocations: new Map(),
          concurrency: new Map(),
          duration: new Map(),
        };
    const readFrom = continues ? Math.max(fromMs, cached.readTo - REREAD_MS) : fromMs;
    const { qualifier } = this.options;
    const dims = [
      { Name: 'FunctionName', Value: functionName },
      ...(qualifier ? [{ Name: 'Resource', Value: `${functionName}:${qualifier}` }] : []),
    ];
    const [invocations, concurrency, duration] = (await getMetricSeries(
      this.options.client,
      readFrom,
      toMs,
      [
        stat('invocations', 'AWS/Lambda', 'Invocations', dims, 'Sum', 60),
        stat('concurrency', 'AWS/Lambda', 'ConcurrentExecutions', dims, 'Maximum', 60),
        stat('duration', 'AWS/Lambda', 'Duration', dims, 'Sum', 60),
      ],
      this.options.timeoutMs,
    )) as [Series, Series, Series];
    merge(cached.invocations, invocations, fromMs, readFrom);
    merge(cached.concurrency, concurrency, fromMs, readFrom);
    merge(cached.duration, duration, fromMs, readFrom);
    cached.readFrom = fromMs;
    cached.readTo = toMs;
    this.cache.set(functionName, cached);
    return cached;
  }
}

/** Drops points before the window and those read again, then adds what was just read. */
function merge(into: Map<number, number>, series: Series, fromMs: number, readFrom: number): void {
  for (const t of into.keys()) if (t < fromMs || t >= readFrom) into.delete(t);
  series.timestamps.forEach((t, i) => {
    into.set(t, series.values[i] ?? 0);
  });
}
