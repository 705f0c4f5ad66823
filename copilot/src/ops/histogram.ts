/**
 * Latency histogram with log-spaced buckets (each 10 % wider than the last, from 1 ms to about 10 min): a
 * quantile read from it is within 10 % of the exact value, whatever the traffic, in fixed memory. Buckets merge
 * by addition, so minutes add up to any window.
 */
const GROWTH = 1.1;
const LOG_GROWTH = Math.log(GROWTH);
const LATENCY_BUCKETS = 140;

function bucketOf(latencyMs: number): number {
  if (!(latencyMs > 1)) return 0;
  return Math.min(LATENCY_BUCKETS - 1, Math.ceil(Math.log(latencyMs) / LOG_GROWTH));
}

/** Upper bound of a bucket: a quantile is reported as the bound it falls under (never understated). */
function bucketUpperMs(bucket: number): number {
  return GROWTH ** bucket;
}

export class LatencyHistogram {
  readonly counts = new Uint32Array(LATENCY_BUCKETS);
  total = 0;

  add(latencyMs: number): void {
    this.counts[bucketOf(latencyMs)]! += 1;
    this.total += 1;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < LATENCY_BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
  }

  /** The q-quantile (0..1) in ms; null when empty. */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < LATENCY_BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return bucketUpperMs(i);
    }
    return bucketUpperMs(LATENCY_BUCKETS - 1);
  }
}
