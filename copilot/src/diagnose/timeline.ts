/**
 * Buckets over the part of the window that holds data: a window of 30 minutes whose logs cover only its last 3
 * still gets ~40 buckets to find an onset in. Scans compare the buckets before a split with those after it.
 */
export class Timeline {
  readonly n: number;

  constructor(
    readonly startMs: number,
    readonly endMs: number,
    readonly bucketMs: number,
  ) {
    this.n = Math.max(1, Math.ceil((endMs - startMs + 1) / bucketMs));
  }

  static over(
    times: Iterable<number>,
    endMs: number,
    maxBuckets = 40,
    minBucketMs = 1000,
  ): Timeline | undefined {
    let first = Number.POSITIVE_INFINITY;
    for (const t of times) if (t < first) first = t;
    if (!Number.isFinite(first) || first > endMs) return undefined;
    const span = Math.max(endMs - first, minBucketMs);
    const bucketMs = Math.max(minBucketMs, Math.ceil(span / maxBuckets / 1000) * 1000);
    return new Timeline(endMs - bucketMs * Math.ceil(span / bucketMs), endMs, bucketMs);
  }

  index(t: number): number {
    return Math.min(this.n - 1, Math.max(0, Math.floor((t - this.startMs) / this.bucketMs)));
  }

  /** Start time of bucket i: the onset a split at i stands for. */
  timeOf(i: number): number {
    return this.startMs + i * this.bucketMs;
  }

  zeros(): number[] {
    return new Array<number>(this.n).fill(0);
  }

  /** Split times for sample scans: every bucket boundary past the first few. */
  splits(minBefore = 2): number[] {
    const out: number[] = [];
    for (let i = minBefore; i < this.n; i++) out.push(this.timeOf(i));
    return out;
  }
}
