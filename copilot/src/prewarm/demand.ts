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
