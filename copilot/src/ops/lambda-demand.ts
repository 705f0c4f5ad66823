import type { DemandReader, FunctionDemand } from '../prewarm/live.ts';
import { type LambdaMetrics, peakPerSecond } from './lambda-metrics.ts';

/** A `DemandReader` that answers at once, from metrics held in memory. */
interface InMemoryDemandReader extends DemandReader {
  demand(functionName: string, fromMs: number, toMs: number): FunctionDemand;
}

/**
 * The live pre-warming loop's demand from the functions' own log lines: each recorded minute's invocations and
 * busiest second, and the mean duration over the window. Minutes with no record are left out; the loop reads
 * them as idle.
 */
export function lambdaDemand(metrics: LambdaMetrics): InMemoryDemandReader {
  return {
    demand(functionName: string, fromMs: number, toMs: number): FunctionDemand {
      let invocations = 0;
      let durationMs = 0;
      const minutes = metrics.minutes(functionName, fromMs, toMs).map(({ t, bucket }) => {
        invocations += bucket.invocations;
        durationMs += bucket.durationMsSum;
        return {
          time: t,
          timestamp: new Date(t).toISOString(),
          requests: bucket.invocations,
          peakRps: peakPerSecond(bucket),
        };
      });
      return { minutes, meanDurationMs: invocations > 0 ? durationMs / invocations : null };
    },
  };
}
