/**
 * Milliseconds in log-spaced bins (about 2 % wide, 0.01 ms to 100 s): quantiles of a month of requests in a few
 * kilobytes, within a bin's width of the exact value.
 */
const MIN_MS = 0.01;
const GROWTH = 1.02;
const BINS = Math.ceil(Math.log(100_000 / MIN_MS) / Math.log(GROWTH)) + 1;

export class LatencyHistogram {
  private readonly counts = new Float64Array(BINS);
  count = 0;

  add(ms: number, weight = 1): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const bin = ms <= MIN_MS ? 0 : Math.min(BINS - 1, Math.ceil(Math.log(ms / MIN_MS) / Math.log(GROWTH)));
    this.counts[bin]! += weight;
    this.count += weight;
  }

  /** The q-quantile (0..1), or null when empty. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const target = q * this.count;
    let seen = 0;
    for (let bin = 0; bin < BINS; bin++) {
      seen += this.counts[bin]!;
      if (seen >= target && this.counts[bin]! > 0) return bin === 0 ? MIN_MS : MIN_MS * GROWTH ** bin;
    }
    return MIN_MS * GROWTH ** (BINS - 1);
  }
}
