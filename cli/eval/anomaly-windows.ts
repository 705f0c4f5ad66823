/**
 * Window scoring for anomaly alarms, shared by our detector and the published NAB detectors so both are
 * judged by the same code.
 *
 * - An alarm is a row whose score reaches the detector's threshold, outside the probation rows.
 * - Alarms are grouped into clusters anchored at their first alarm: every later alarm at most `clusterMs`
 *   (one hour) after the anchor belongs to it, the next one opens a new cluster. Anchoring, rather than
 *   chaining alarm to alarm, keeps a detector that alarms on every row from counting as a single alarm.
 * - A cluster is true when any of its alarms falls inside a labelled window, false otherwise.
 * - precision = true clusters / all clusters (0 when there are no alarms);
 *   recall = windows holding at least one alarm / all windows; F1 = their harmonic mean.
 * Counts are summed over files before the ratios are taken (micro-average).
 */

import { HOUR_MS } from '@boundless/common/time';

export interface LabelledWindow {
  start: number;
  end: number;
}

export interface WindowTally {
  windows: number;
  caughtWindows: number;
  alarms: number;
  clusters: number;
  trueClusters: number;
}

export interface WindowScore extends WindowTally {
  precision: number;
  recall: number;
  f1: number;
}

/** Groups sorted alarm times into clusters anchored at each cluster's first alarm. */
export function clusterAlarms(alarms: readonly number[], clusterMs = HOUR_MS): number[][] {
  const clusters: number[][] = [];
  let current: number[] | undefined;
  for (const time of alarms) {
    if (current === undefined || time - current[0]! > clusterMs) {
      current = [time];
      clusters.push(current);
    } else {
      current.push(time);
    }
  }
  return clusters;
}

function inside(time: number, window: LabelledWindow): boolean {
  return time >= window.start && time <= window.end;
}

export function tallyFile(
  alarms: readonly number[],
  windows: readonly LabelledWindow[],
  clusterMs = HOUR_MS,
): WindowTally {
  const sorted = [...alarms].sort((a, b) => a - b);
  const clusters = clusterAlarms(sorted, clusterMs);
  const trueClusters = clusters.filter((cluster) =>
    cluster.some((time) => windows.some((window) => inside(time, window))),
  ).length;
  const caughtWindows = windows.filter((window) => sorted.some((time) => inside(time, window))).length;
  return {
    windows: windows.length,
    caughtWindows,
    alarms: sorted.length,
    clusters: clusters.length,
    trueClusters,
  };
}

export function addTallies(tallies: readonly WindowTally[]): WindowTally {
  const total: WindowTally = { windows: 0, caughtWindows: 0, alarms: 0, clusters: 0, trueClusters: 0 };
  for (const tally of tallies) {
    total.windows += tally.windows;
    total.caughtWindows += tally.caughtWindows;
    total.alarms += tally.alarms;
    total.clusters += tally.clusters;
    total.trueClusters += tally.trueClusters;
  }
  return total;
}

export function scoreTally(tally: WindowTally): WindowScore {
  const precision = tally.clusters === 0 ? 0 : tally.trueClusters / tally.clusters;
  const recall = tally.windows === 0 ? 0 : tally.caughtWindows / tally.windows;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { ...tally, precision, recall, f1 };
}
