/**
 * Quantiles of the most recent residuals, kept as a fixed-bin histogram over a sliding window so that adding,
 * expiring and querying cost O(1), O(1) and O(bins): a month of per-minute residuals stays cheap.
 */
export class SlidingQuantiles {
  private readonly counts: Uint32Array;
  private readonly window: Float64Array;
  private size = 0;
  private next = 0;

  constructor(
    readonly capacity: number,
    private readonly min = -4,
    private readonly max = 4,
    private readonly bins = 800,
  ) {
    this.counts = new Uint32Array(bins);
    this.window = new Float64Array(capacity);
  }

  get count(): number {
    return this.size;
  }

  add(value: number): void {
    if (this.size === this.capacity) {
      this.counts[this.binOf(this.window[this.next]!)]!--;
    } else {
      this.size++;
    }
    this.window[this.next] = value;
    this.counts[this.binOf(value)]!++;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Value below which a fraction `q` of the window lies, at the bin's centre; NaN while empty. */
  quantile(q: number): number {
    if (this.size === 0) return Number.NaN;
    const rank = Math.min(this.size - 1, Math.max(0, Math.floor(q * this.size)));
    let seen = 0;
    for (let bin = 0; bin < this.bins; bin++) {
      seen += this.counts[bin]!;
      if (seen > rank) return this.min + ((bin + 0.5) * (this.max - this.min)) / this.bins;
    }
    return this.max;
  }

  private binOf(value: number): number {
    const bin = Math.floor(((value - this.min) / (this.max - this.min)) * this.bins);
    return Math.min(this.bins - 1, Math.max(0, bin));
  }
}
