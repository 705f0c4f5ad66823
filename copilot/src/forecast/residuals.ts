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

  /** The bins as they stand (a view, not a copy): for {@link ResidualDistribution}. */
  histogram(): { counts: Uint32Array; min: number; max: number } {
    return { counts: this.counts, min: this.min, max: this.max };
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

/**
 * A frozen copy of a {@link SlidingQuantiles} window as a cumulative histogram: `cdf` and `quantile` in
 * O(1) and O(log bins), for callers that ask many times between refreshes (a planner per candidate value).
 */
export class ResidualDistribution {
  private constructor(
    private readonly cumulative: Float64Array,
    private readonly min: number,
    private readonly max: number,
  ) {}

  static of(window: SlidingQuantiles): ResidualDistribution | null {
    const { counts, min, max } = window.histogram();
    const total = window.count;
    if (total === 0) return null;
    // cumulative[b] = share of the window below bin b's lower edge; linear within a bin.
    const cumulative = new Float64Array(counts.length + 1);
    for (let bin = 0; bin < counts.length; bin++)
      cumulative[bin + 1] = cumulative[bin]! + counts[bin]! / total;
    return new ResidualDistribution(cumulative, min, max);
  }

  /** Share of residuals at or below `x`. */
  cdf(x: number): number {
    const bins = this.cumulative.length - 1;
    const position = ((x - this.min) / (this.max - this.min)) * bins;
    if (position <= 0) return 0;
    if (position >= bins) return 1;
    const bin = Math.floor(position);
    const lower = this.cumulative[bin]!;
    return Math.min(1, lower + (position - bin) * (this.cumulative[bin + 1]! - lower));
  }

  /** Smallest residual whose cdf reaches `q` (inverse of the piecewise-linear cdf). */
  quantile(q: number): number {
    const bins = this.cumulative.length - 1;
    let low = 0;
    let high = bins;
    while (high - low > 1) {
      const middle = (low + high) >> 1;
      if (this.cumulative[middle]! < q) low = middle;
      else high = middle;
    }
    const span = this.cumulative[high]! - this.cumulative[low]!;
    const fraction = span > 0 ? (q - this.cumulative[low]!) / span : 0;
    return this.min + ((low + Math.min(1, Math.max(0, fraction))) * (this.max - this.min)) / bins;
  }
}
