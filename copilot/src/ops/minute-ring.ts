import { MINUTE_MS } from '@boundless/common/time';

/**
 * Per-minute buckets of one series for the last `keepMinutes` of event time: memory is bounded by the window,
 * not by traffic. Minutes older than the newest minus the window are dropped as time moves on.
 */
export class MinuteBuckets<T> {
  private readonly buckets = new Map<number, T>();
  private newest = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly create: () => T,
    private readonly keepMinutes: number,
  ) {}

  /** The bucket of the minute holding `timestampMs`, or undefined when it is older than the window. */
  at(timestampMs: number): T | undefined {
    const minute = Math.floor(timestampMs / MINUTE_MS);
    if (minute > this.newest) {
      this.newest = minute;
      for (const key of this.buckets.keys()) if (key <= minute - this.keepMinutes) this.buckets.delete(key);
    }
    if (minute <= this.newest - this.keepMinutes) return undefined;
    let bucket = this.buckets.get(minute);
    if (!bucket) {
      bucket = this.create();
      this.buckets.set(minute, bucket);
    }
    return bucket;
  }

  /** Buckets whose minute starts in [fromMs, toMs), oldest first, with the minute's start. */
  range(fromMs: number, toMs: number): { t: number; bucket: T }[] {
    const out: { t: number; bucket: T }[] = [];
    for (const [minute, bucket] of this.buckets) {
      const t = minute * MINUTE_MS;
      if (t >= fromMs && t < toMs) out.push({ t, bucket });
    }
    return out.sort((a, b) => a.t - b.t);
  }

  /** Start of the newest minute seen; null before any. */
  get newestMs(): number | null {
    return Number.isFinite(this.newest) ? this.newest * MINUTE_MS : null;
  }
}
