/**
 * How wrong the forecast has been right after errors like the newest one. One error distribution for every
 * minute is calibrated on average but not after a surprise: the next minutes keep surprising when demand
 * goes on rising (a release, a share) and fall back when it was a lone spike, and on traces with long rises
 * the errors at the lead stay correlated with the newest one the forecaster has seen. So each forecast falls
 * in a state read from what is already known (the newest observed error, in units of the forecaster's
 * overall mean absolute error), and every state keeps its own running shift and width of the errors made
 * in it. A state with few errors leans on the overall distribution (no shift, width 1).
 */

/** Edges of the newest observed error's states, in units of the overall mean absolute error. */
const SURPRISE_EDGES = [-3, -1.5, 1.5, 3, 6];
/** Errors a state needs before its own figures outweigh the overall ones (pseudo-observations). */
const PRIOR_WEIGHT = 20;
/** A state's figures follow its newest errors with this half-life, counted in its own errors. */
const STATE_HALF_LIFE = 2000;

/** The state a forecast was made in, and what its errors so far say, in units of the overall scale. */
export interface Calibration {
  readonly state: number;
  /** Added to the forecast's centre. */
  readonly shift: number;
  /** Multiplies the forecast's spread. */
  readonly width: number;
}

export class SurpriseCalibration {
  private readonly shift = new Float64Array(SURPRISE_EDGES.length + 1);
  private readonly width = new Float64Array(SURPRISE_EDGES.length + 1).fill(1);
  private readonly seen = new Float64Array(SURPRISE_EDGES.length + 1);
  private readonly weight = 1 - 2 ** (-1 / STATE_HALF_LIFE);
  private newest = 0;

  /** The state of a forecast made now. */
  calibrate(): Calibration {
    let state = 0;
    while (state < SURPRISE_EDGES.length && this.newest > SURPRISE_EDGES[state]!) state++;
    return { state, shift: this.shift[state]!, width: this.width[state]! };
  }

  /** A row observed: its error over the overall scale when forecast, and the state it was forecast in. */
  observe(error: number, calibration: Calibration): void {
    this.newest = error;
    const { state } = calibration;
    this.seen[state]!++;
    const weight = Math.max(this.weight, 1 / (this.seen[state]! + PRIOR_WEIGHT));
    this.shift[state]! += weight * (error - this.shift[state]!);
    this.width[state]! += weight * (Math.abs(error - this.shift[state]!) - this.width[state]!);
  }
}
