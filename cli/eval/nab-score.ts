import { AnomalyError } from '@boundless/copilot/anomaly';

/**
 * The Numenta Anomaly Benchmark's scoring (NAB v1.1, `nab/sweeper.py`, `nab/runner.py`), reimplemented so our
 * detector and the published ones are scored by NAB's own rules:
 *
 * - The first `min(floor(0.15 n), 0.15 × 5000)` rows of a file are probation: a detection there counts for
 *   nothing, and a window made only of probation rows is not scored.
 * - A window is scored once: by its earliest detection, `A_TP × σ(y) / σ(-1)` with `σ(y) = 2/(1 + e^{5y}) − 1`
 *   and `y = −(right − i + 1) / width` (−1 at the window's first row, about 0 at its last), or `−A_FN` when no
 *   row inside it is detected. Later detections in the same window add nothing.
 * - Every detection outside a window costs `A_FP × σ(y)` with `y = |i − right| / (width − 1)` measured from the
 *   end of the previous window (a detection just after a window is nearly free; from 3 window-widths on it is a
 *   full −A_FP), or `−A_FP` when no window precedes it.
 * - A corpus score is the sum over files, normalised between the null detector (no detection: `−A_FN` per
 *   scored window) and the perfect one (`A_TP` per labelled window): `100 (S − S_null) / (S_perfect − S_null)`.
 *
 * Detections are rows whose anomaly score reaches the threshold (`score ≥ threshold`), exactly as NAB's
 * threshold sweep counts them.
 */

export interface CostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
  tnWeight: number;
}

/** A labelled window in event time (epoch ms), both ends included. */
export interface TimeWindow {
  start: number;
  end: number;
}

export interface NabFileScore {
  /** NAB's raw (unnormalised) score of the file. */
  score: number;
  /** Row counts after probation, as NAB reports them: detected rows inside windows, outside, and the rest. */
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** Windows scored (not wholly in probation), and how many of them were detected. */
  windows: number;
  detectedWindows: number;
}

const NAB_PROBATION_PERCENT = 0.15;

/** NAB's probation: `min(floor(p × rows), p × 5000)` rows (604 of 4,032; at most 750 at p = 0.15). */
export function nabProbationLength(rows: number, percent = NAB_PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/** NAB's scaled sigmoid: 2σ(−5y) − 1, and exactly −1 from y = 3 on. */
export function scaledSigmoid(position: number): number {
  if (position >= 3) return -1;
  return 2 / (1 + Math.exp(5 * position)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

interface RowWindow {
  left: number;
  right: number;
}

/**
 * Row ranges of the windows: from the first row at or after `start` to the last row at or before `end`.
 * On NAB's labels both ends are row timestamps, so this is NAB's own reading; windows holding no row are
 * dropped (no detector can catch them).
 */
function windowRows(timestamps: ArrayLike<number>, windows: readonly TimeWindow[]): RowWindow[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  const rows: RowWindow[] = [];
  let i = 0;
  for (const window of sorted) {
    if (window.end < window.start) throw new AnomalyError('a window ends before it starts');
    const previous = rows.at(-1);
    while (i < timestamps.length && timestamps[i]! < window.start) i++;
    const left = i;
    while (i < timestamps.length && timestamps[i]! <= window.end) i++;
    const right = i - 1;
    if (right < left) continue;
    if (previous !== undefined && left <= previous.right) throw new AnomalyError('windows overlap');
    rows.push({ left, right });
  }
  return rows;
}

/**
 * Scores one file. `detected(i)` says whether row i is a detection; timestamps must be non-decreasing.
 */
export function scoreNabFile(
  timestamps: ArrayLike<number>,
  detected: (row: number) => boolean,
  windows: readonly TimeWindow[],
  cost: CostMatrix,
  probationPercent = NAB_PROBATION_PERCENT,
): NabFileScore {
  const n = timestamps.length;
  const probation = nabProbationLength(n, probationPercent);
  const rows = windowRows(timestamps, windows);
  let score = 0;
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let scoredWindows = 0;
  let detectedWindows = 0;
  let next = 0; // index of the next window not yet passed
  let previous: RowWindow | undefined;
  let windowBest = Number.NaN; // best reward so far in the current window (NaN: none yet)
  let inWindowScored = false;
  // Leaving a window: its earliest detection's reward, or the miss; then the next window.
  const settle = () => {
    if (inWindowScored) {
      scoredWindows++;
      if (Number.isNaN(windowBest)) score -= cost.fnWeight;
      else {
        score += windowBest;
        detectedWindows++;
      }
    }
    previous = rows[next]!;
    next++;
    windowBest = Number.NaN;
    inWindowScored = false;
  };
  for (let i = 0; i < n; i++) {
    while (next < rows.length && rows[next]!.right < i) settle();
    const window = next < rows.length && rows[next]!.left <= i ? rows[next]! : undefined;
    if (i < probation) continue;
    const hit = detected(i);
    if (window !== undefined) {
      inWindowScored = true;
      if (hit) {
        tp++;
        if (Number.isNaN(windowBest)) {
          // The earliest detection is the best: the reward falls with the position in the window.
          const width = window.right - window.left + 1;
          windowBest = (scaledSigmoid(-(window.right - i + 1) / width) * cost.tpWeight) / MAX_TP;
        }
      } else fn++;
    } else if (hit) {
      fp++;
      let position = 3;
      if (previous !== undefined) {
        const width = previous.right - previous.left + 1;
        // A one-row window has no width to measure from; NAB divides by zero there. Count it as far away.
        position = width > 1 ? Math.abs(previous.right - i) / (width - 1) : 3;
      }
      score += scaledSigmoid(position) * cost.fpWeight;
    } else tn++;
  }
  while (next < rows.length) settle();
  return { score, tp, fp, tn, fn, windows: scoredWindows, detectedWindows };
}

/** The null detector's raw score: every scored window missed. */
export function nabNullScore(file: NabFileScore, cost: CostMatrix): number {
  return -cost.fnWeight * file.windows;
}

/**
 * NAB's normalised score of a set of files: `100 (raw − null) / (perfect − null)`, where perfect is
 * `A_TP × labelledWindows` (every labelled window, as NAB counts them from the label file).
 */
export function normaliseNabScore(
  raw: number,
  nullScore: number,
  labelledWindows: number,
  cost: CostMatrix,
): number {
  const perfect = cost.tpWeight * labelledWindows;
  if (perfect === nullScore) return 0;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}
