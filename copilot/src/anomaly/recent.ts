/**
 * The mean of the recent points: those of the last `windowMs`, and at least the last `minPoints` (NaN until
 * that many have been seen), at most `maxPoints`. A window of time, not of points, so a series sampled every
 * minute is smoothed over as long as one sampled every five; a sparse series still averages `minPoints`.
 * `windowMs` 0: exactly the last `minPoints` points.
 */
export class RecentMean {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private head = 0;
  private count = 0;
  private sum = 0;

  /** At least the newest point is always held, so a mean of fewer than one point (0.4 rounds to 0) is that point. */
  private readonly minPoints: number;

  constructor(
    minPoints: number,
    private readonly windowMs: number,
    maxPoints: number,
  ) {
    this.minPoints = Math.max(1, minPoints);
    const size = Math.max(this.minPoints, windowMs > 0 ? maxPoints : 0);
    this.times = new Float64Array(size);
    this.values = new Float64Array(size);
  }

  push(timestamp: number, value: number): number {
    const size = this.values.length;
    if (this.count === size) this.drop();
    const at = (this.head + this.count) % size;
    this.times[at] = timestamp;
    this.values[at] = value;
    this.count++;
    this.sum += value;
    while (this.count > this.minPoints && timestamp - this.times[this.head]! >= this.windowMs) this.drop();
    // Recompute now and then so rounding errors of the running sum cannot accumulate.
    if (at === size - 1) {
      this.sum = 0;
      for (let i = 0; i < this.count; i++) this.sum += this.values[(this.head + i) % size]!;
    }
    // Points leave only while more than `minPoints` remain, so once that many have been seen they stay held.
    return this.count >= this.minPoints ? this.sum / this.count : Number.NaN;
  }

  private drop(): void {
    this.sum -= this.values[this.head]!;
    this.head = (this.head + 1) % this.values.length;
    this.count--;
  }
}
