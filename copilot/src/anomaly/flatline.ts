import { RecordRange } from './streams.ts';

/**
 * A series that mostly moves: its completed runs of repeated values last this many points or fewer on
 * average. A series that mostly sits still (a constant that changed once, idle counts at zero) has no
 * ordinary length of run to outlast, so sitting still is not news there.
 */
const MOVING_MEAN_RUN = 4;

/**
 * The flat-line view's state: the current run of exactly repeated values, judged against the runs that came
 * before it. A run joins the memory only once it ends, so a run is never compared with itself (on a series
 * of one point per block, a range that took the run so far at each block's end grew with the run and could
 * never be outlasted). The memory also counts runs and their points per block, for `moving`.
 */
export class FlatLine {
  /** Points in a row with exactly the same value, this one included. */
  run = 0;
  /** The lengths of the completed runs of the memory (a run joins when it ends). */
  readonly completed: RecordRange;
  private last = Number.NaN;
  // Per closed block: its block number, runs ended in it and their points (a ring used as a deque).
  private readonly blockOf: Float64Array;
  private readonly runsOf: Float64Array;
  private readonly pointsOf: Float64Array;
  private head = 0;
  private tail = 0;
  private runs = 0;
  private points = 0;
  private blockRuns = 0;
  private blockPoints = 0;

  constructor(private readonly memoryBlocks: number) {
    this.completed = new RecordRange(memoryBlocks);
    const size = memoryBlocks + 2;
    this.blockOf = new Float64Array(size);
    this.runsOf = new Float64Array(size);
    this.pointsOf = new Float64Array(size);
  }

  /** Takes the next value; returns the current run's length. */
  push(value: number): number {
    if (value === this.last) return ++this.run;
    if (this.run > 0) {
      this.completed.add(this.run);
      this.blockRuns++;
      this.blockPoints += this.run;
    }
    this.last = value;
    this.run = 1;
    return 1;
  }

  /** Closes the current block as block number `block`, forgetting blocks older than the memory. */
  close(block: number): void {
    this.completed.close(block);
    const size = this.blockOf.length;
    if (this.blockRuns > 0) {
      this.blockOf[this.tail] = block;
      this.runsOf[this.tail] = this.blockRuns;
      this.pointsOf[this.tail] = this.blockPoints;
      this.tail = (this.tail + 1) % size;
      this.runs += this.blockRuns;
      this.points += this.blockPoints;
      this.blockRuns = 0;
      this.blockPoints = 0;
    }
    const oldest = block - this.memoryBlocks;
    while (this.head !== this.tail && this.blockOf[this.head]! <= oldest) {
      this.runs -= this.runsOf[this.head]!;
      this.points -= this.pointsOf[this.head]!;
      this.head = (this.head + 1) % size;
    }
  }

  /**
   * The runs of the memory are short on average: the series mostly moves. The current run counts too, so a
   * series whose history is one short run before a long one does not pass for moving.
   */
  get moving(): boolean {
    return this.runs > 0 && this.points + this.run <= MOVING_MEAN_RUN * (this.runs + 1);
  }

  /**
   * Evidence of a flat line: how far the current run outlasts the longest completed run of the memory, in
   * units of the distance from that run to `units` × it (and to at least `minPoints`). 0 on a series that
   * mostly sits still or before any run has ended.
   */
  evidence(units: number, minPoints: number): number {
    if (units <= 0 || !this.completed.ready || !this.moving) return 0;
    const longest = this.completed.high;
    if (this.run <= longest) return 0;
    return (this.run - longest) / (Math.max(minPoints, units * longest) - longest);
  }
}
