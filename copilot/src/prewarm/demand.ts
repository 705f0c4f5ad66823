/**
 * One minute of demand, the planner's input: `time` in epoch ms, `timestamp` as the input wrote it (outputs
 * echo it verbatim), the requests of the minute and of its busiest second. Loaders of traces produce it.
 */
export interface DemandMinute {
  readonly time: number;
  readonly timestamp: string;
  readonly requests: number;
  readonly peakRps: number;
}

/**
 * Concurrency is arrivals × duration (Little's law). A minute's peak concurrency comes from its busiest
 * second; a request longer than a second also overlaps the seconds before it, at the minute's mean rate.
 */
export function peakConcurrency(requests: number, peakRps: number, durationMs: number): number {
  const seconds = durationMs / 1000;
  return peakRps * Math.min(seconds, 1) + (requests / 60) * Math.max(0, seconds - 1);
}

export function meanConcurrency(requests: number, durationMs: number): number {
  return (requests / 60) * (durationMs / 1000);
}
