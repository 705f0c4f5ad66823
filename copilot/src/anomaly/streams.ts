/**
 * Streaming building blocks of the anomaly detector, each O(1) amortised per point with bounded memory.
 */

import { DAY_MS, HOUR_MS } from '@boundless/common/time';

/** Mean of the last `size` values; NaN until `size` values have been seen. */
export class RollingMean {
  private readonly ring: Float64Array;
  private count = 0;
  private next = 0;
  private sum = 0;

  constructor(size: number) {
    this.ring = new Float64Array(Math.max(1, size));
  }

  push(value: number): number {
    if (this.count === this.ring.length) this.sum -= this.ring[this.next]!;
    else this.count++;
    this.ring[this.next] = value;
    this.sum += value;
    this.next = (this.next + 1) % this.ring.length;
    // Recompute now and then so rounding errors of the running sum cannot accumulate.
    if (this.next === 0) {
      this.sum = 0;
      for (let i = 0; i < this.count; i++) this.sum += this.ring[i]!;
    }
    return this.count === this.ring.length ? this.sum / this.count : Number.NaN;
  }
}

/** Median of the last `size` values (a sorted window, O(size) per point); NaN until `size` values. */
export class RollingMedian {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private count = 0;
  private next = 0;

  constructor(size: number) {
    this.ring = new Float64Array(Math.max(1, size));
    this.sorted = new Float64Array(Math.max(1, size));
  }

  push(value: number): number {
    const sorted = this.sorted;
    let n = this.count;
    if (n === this.ring.length) {
      // Remove the value leaving the window (binary search for it, then close the gap).
      const at = this.lowerBound(this.ring[this.next]!, n);
      sorted.copyWithin(at, at + 1, n);
      n--;
    } else this.count++;
    const at = this.lowerBound(value, n);
    sorted.copyWithin(at + 1, at, n);
    sorted[at] = value;
    this.ring[this.next] = value;
    this.next = (this.next + 1) % this.ring.length;
    const size = this.ring.length;
    if (this.count < size) return Number.NaN;
    return size % 2 === 1 ? sorted[size >> 1]! : 0.5 * (sorted[(size >> 1) - 1]! + sorted[size >> 1]!);
  }

  /** First index of `sorted[0..n)` holding a value ≥ `value`. */
  private lowerBound(value: number, n: number): number {
    let low = 0;
    let high = n;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.sorted[mid]! < value) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/**
 * A robust error scale: an exponentially weighted mean of absolute errors, each clipped at `huber` times the
 * current scale once `clipAfter` has passed (before that the scale is still forming and clipping would freeze
 * it near its first value). Time-based weights, so irregular sampling is handled.
 */
export class RobustScale {
  value = Number.NaN;

  constructor(
    private readonly timeConstantMs: number,
    private readonly huber: number,
  ) {}

  private lastDt = Number.NaN;
  private lastAlpha = 0;

  update(error: number, dtMs: number, clip: boolean): void {
    const abs = Math.abs(error);
    if (Number.isNaN(this.value)) {
      this.value = abs;
      return;
    }
    const clipped = clip && this.value > 0 ? Math.min(abs, this.huber * this.value) : abs;
    // Most series are sampled at a fixed interval: the weight of the last interval is reused.
    if (dtMs !== this.lastDt) {
      this.lastDt = dtMs;
      this.lastAlpha = 1 - Math.exp(-Math.max(dtMs, 1) / this.timeConstantMs);
    }
    this.value += this.lastAlpha * (clipped - this.value);
  }
}

/**
 * The range a feature has covered over a long memory: the highest hourly maximum and lowest hourly minimum of
 * the completed blocks of the last `memoryMs` (the current block joins when it completes). A value beyond
 * the range is a record; sliding-window extremes are kept in monotonic deques, O(1) amortised.
 */
export class RecordRange {
  private readonly maxBlock: Float64Array;
  private readonly maxValue: Float64Array;
  private readonly minBlock: Float64Array;
  private readonly minValue: Float64Array;
  private maxHead = 0;
  private maxTail = 0;
  private minHead = 0;
  private minTail = 0;
  private currentMax = Number.NEGATIVE_INFINITY;
  private currentMin = Number.POSITIVE_INFINITY;
  /** Completed blocks seen, for warm-up decisions. */
  blocks = 0;

  constructor(private readonly memoryBlocks: number) {
    const size = memoryBlocks + 2;
    this.maxBlock = new Float64Array(size);
    this.maxValue = new Float64Array(size);
    this.minBlock = new Float64Array(size);
    this.minValue = new Float64Array(size);
  }

  get ready(): boolean {
    return this.maxHead !== this.maxTail;
  }

  get high(): number {
    return this.ready ? this.maxValue[this.maxHead]! : Number.NaN;
  }

  get low(): number {
    return this.ready ? this.minValue[this.minHead]! : Number.NaN;
  }

  add(value: number): void {
    if (Number.isNaN(value)) return;
    if (value > this.currentMax) this.currentMax = value;
    if (value < this.currentMin) this.currentMin = value;
  }

  /** Closes the current block as block number `block` and forgets blocks older than the memory. */
  close(block: number): void {
    if (this.currentMax !== Number.NEGATIVE_INFINITY) {
      this.blocks++;
      const size = this.maxBlock.length;
      // Max deque: values decreasing from head to tail.
      while (this.maxHead !== this.maxTail) {
        const last = (this.maxTail - 1 + size) % size;
        if (this.maxValue[last]! > this.currentMax) break;
        this.maxTail = last;
      }
      this.maxBlock[this.maxTail] = block;
      this.maxValue[this.maxTail] = this.currentMax;
      this.maxTail = (this.maxTail + 1) % size;
      while (this.minHead !== this.minTail) {
        const last = (this.minTail - 1 + size) % size;
        if (this.minValue[last]! < this.currentMin) break;
        this.minTail = last;
      }
      this.minBlock[this.minTail] = block;
      this.minValue[this.minTail] = this.currentMin;
      this.minTail = (this.minTail + 1) % size;
    }
    const oldest = block - this.memoryBlocks;
    while (this.maxHead !== this.maxTail && this.maxBlock[this.maxHead]! <= oldest)
      this.maxHead = (this.maxHead + 1) % this.maxBlock.length;
    while (this.minHead !== this.minTail && this.minBlock[this.minHead]! <= oldest)
      this.minHead = (this.minHead + 1) % this.minBlock.length;
    this.currentMax = Number.NEGATIVE_INFINITY;
    this.currentMin = Number.POSITIVE_INFINITY;
  }

  /**
   * How far `value` lies outside the range, in units of `units` × the range's width (0 inside it, NaN-safe).
   * `floor` keeps a flat history from making every change infinitely novel.
   */
  novelty(value: number, units: number, floor: number): number {
    if (!this.ready || Number.isNaN(value)) return 0;
    const high = this.high;
    const low = this.low;
    const width = units * Math.max(high - low, floor);
    if (value > high) return (value - high) / width;
    if (value < low) return (low - value) / width;
    return 0;
  }
}

/** The k-th smallest of `values[0..n)` (Hoare's selection, in place, O(n) expected). */
function select(values: Float64Array, n: number, k: number): number {
  let left = 0;
  let right = n - 1;
  while (left < right) {
    const pivot = values[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k]!;
}

/** Stored bucket-days averaged by `DailyProfile.lagged` when there are that many within an hour. */
const LAG_SAMPLES = 3;

/**
 * The daily profile: per phase bucket of the day, the mean of that bucket on each of the last `days` days.
 * Storing one value per bucket and day makes the memory cover `days` days whatever the sampling interval.
 */
export class DailyProfile {
  private readonly rings: Float64Array;
  /** The day each stored value belongs to. */
  private readonly ringDays: Float64Array;
  private readonly next: Uint8Array;
  private readonly daySum: Float64Array;
  private readonly dayCount: Uint16Array;
  private readonly dayOf: Float64Array;
  private readonly scratch: Float64Array;
  private readonly levelScratch: Float64Array;
  private readonly cache: Float64Array;
  private readonly cacheValid: Uint8Array;
  readonly buckets: number;

  constructor(
    private readonly phaseMs: number,
    private readonly days: number,
  ) {
    this.buckets = Math.max(1, Math.round(DAY_MS / phaseMs));
    this.rings = new Float64Array(this.buckets * days).fill(Number.NaN);
    this.ringDays = new Float64Array(this.buckets * days).fill(Number.NaN);
    this.next = new Uint8Array(this.buckets);
    this.daySum = new Float64Array(this.buckets);
    this.dayCount = new Uint16Array(this.buckets);
    this.dayOf = new Float64Array(this.buckets).fill(Number.NaN);
    this.scratch = new Float64Array(3 * days);
    this.levelScratch = new Float64Array(this.buckets * days);
    this.cache = new Float64Array(this.buckets).fill(Number.NaN);
    this.cacheValid = new Uint8Array(this.buckets);
  }

  bucketOf(timestamp: number): number {
    const phase = ((timestamp % DAY_MS) + DAY_MS) % DAY_MS;
    return Math.min(this.buckets - 1, Math.floor(phase / this.phaseMs));
  }

  /**
   * The median of the bucket's previous days (the current day excluded); when the bucket has fewer than
   * three days, its two neighbours join, so a jittered or sparse sampling still has a profile.
   */
  expected(bucket: number): number {
    const cached = this.cache[bucket]!;
    if (!Number.isNaN(cached) || this.cacheValid[bucket] === 1) return cached;
    const value = this.compute(bucket);
    this.cache[bucket] = value;
    this.cacheValid[bucket] = 1;
    return value;
  }

  private compute(bucket: number): number {
    let n = this.collect(bucket, 0);
    if (n < 3) {
      n = this.collect((bucket + this.buckets - 1) % this.buckets, n);
      n = this.collect((bucket + 1) % this.buckets, n);
    }
    if (n === 0) return Number.NaN;
    const s = this.scratch;
    for (let i = 1; i < n; i++) {
      const v = s[i]!;
      let j = i;
      while (j > 0 && s[j - 1]! > v) {
        s[j] = s[j - 1]!;
        j--;
      }
      s[j] = v;
    }
    return n % 2 === 1 ? s[n >> 1]! : 0.5 * (s[(n >> 1) - 1]! + s[n >> 1]!);
  }

  private collect(bucket: number, n: number): number {
    const base = bucket * this.days;
    for (let i = 0; i < this.days; i++) {
      const v = this.rings[base + i]!;
      if (!Number.isNaN(v)) this.scratch[n++] = v;
    }
    return n;
  }

  /**
   * The bucket's value `lagDays` days before `day`, as the mean of at least `LAG_SAMPLES` stored bucket-days
   * around it when there are: the bucket's own, then its neighbours one ring at a time, up to an hour either
   * side. One stored value is one noisy sample (or none, on a sparse or jittered sampling); a few around the
   * same time of day predict better. NaN when that day is no longer, or was never, stored.
   */
  lagged(bucket: number, day: number, lagDays: number): number {
    const target = day - lagDays;
    let sum = 0;
    let n = 0;
    const own = this.storedOn(bucket, target);
    if (!Number.isNaN(own)) {
      sum += own;
      n++;
    }
    const reach = Math.max(1, Math.round(HOUR_MS / this.phaseMs));
    for (let d = 1; d <= reach && n < LAG_SAMPLES; d++) {
      // Across midnight the neighbour belongs to the day before or after.
      const early = bucket - d;
      const late = bucket + d;
      const before =
        early >= 0 ? this.storedOn(early, target) : this.storedOn(early + this.buckets, target - 1);
      const after =
        late < this.buckets ? this.storedOn(late, target) : this.storedOn(late - this.buckets, target + 1);
      if (!Number.isNaN(before)) {
        sum += before;
        n++;
      }
      if (!Number.isNaN(after)) {
        sum += after;
        n++;
      }
    }
    return n === 0 ? Number.NaN : sum / n;
  }

  private storedOn(bucket: number, day: number): number {
    const base = bucket * this.days;
    for (let i = 0; i < this.days; i++) if (this.ringDays[base + i] === day) return this.rings[base + i]!;
    return Number.NaN;
  }

  /** Median of every stored bucket-day: the profile's overall level. Called once a day. */
  level(): number {
    const values = this.levelScratch;
    let n = 0;
    for (let i = 0; i < this.rings.length; i++) {
      const v = this.rings[i]!;
      if (!Number.isNaN(v)) values[n++] = v;
    }
    if (n === 0) return Number.NaN;
    return select(values, n, n >> 1);
  }

  add(bucket: number, day: number, value: number): void {
    if (this.dayOf[bucket] !== day) {
      if (this.dayCount[bucket]! > 0) {
        const slot = this.next[bucket]!;
        this.rings[bucket * this.days + slot] = this.daySum[bucket]! / this.dayCount[bucket]!;
        this.ringDays[bucket * this.days + slot] = this.dayOf[bucket]!;
        this.next[bucket] = (slot + 1) % this.days;
        // The bucket's expectation, and its neighbours' (which may borrow from it), change.
        for (let b = bucket - 1; b <= bucket + 1; b++) {
          const wrapped = (b + this.buckets) % this.buckets;
          this.cacheValid[wrapped] = 0;
          this.cache[wrapped] = Number.NaN;
        }
      }
      this.dayOf[bucket] = day;
      this.daySum[bucket] = 0;
      this.dayCount[bucket] = 0;
    }
    const count = this.dayCount[bucket]!;
    if (count < 65_535) {
      this.daySum[bucket] = this.daySum[bucket]! + value;
      this.dayCount[bucket] = count + 1;
    }
  }
}
