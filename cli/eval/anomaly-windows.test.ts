import { describe, expect, it } from 'vitest';
import { alarmsAfterProbation } from './anomalies-nab.ts';
import { HOUR_MS } from '@boundless/common/time';
import { clusterAlarms, scoreTally, tallyFile } from './anomaly-windows.ts';

const H = HOUR_MS;
const window = { start: 10 * H, end: 20 * H };

describe('Window scoring', () => {
  it('counts alarms within one hour of a cluster’s first alarm once, and the next one as a new cluster', () => {
    expect(clusterAlarms([0, 0.5 * H, H, 1.5 * H, 5 * H])).toEqual([[0, 0.5 * H, H], [1.5 * H], [5 * H]]);
  });

  it('catches a window with any alarm inside it, and counts a cluster outside every window as a false positive', () => {
    const tally = tallyFile([12 * H, 12.5 * H, 30 * H], [window, { start: 40 * H, end: 50 * H }]);
    expect(tally).toEqual({ windows: 2, caughtWindows: 1, alarms: 3, clusters: 2, trueClusters: 1 });
    const score = scoreTally(tally);
    expect(score.precision).toBe(0.5);
    expect(score.recall).toBe(0.5);
    expect(score.f1).toBe(0.5);
  });

  it('counts a window edge as inside, and a cluster touching a window as true', () => {
    expect(tallyFile([10 * H], [window]).caughtWindows).toBe(1);
    expect(tallyFile([20 * H + 1], [window]).trueClusters).toBe(0);
    expect(tallyFile([9.5 * H, 10.2 * H], [window])).toMatchObject({ clusters: 1, trueClusters: 1 });
  });

  it('scores zero without alarms and without windows instead of dividing by zero', () => {
    expect(scoreTally(tallyFile([], [window]))).toMatchObject({ precision: 0, recall: 0, f1: 0 });
    expect(scoreTally(tallyFile([H], []))).toMatchObject({ precision: 0, clusters: 1 });
  });

  it('ignores alarms in the probation rows (first 15 %), for every detector alike', () => {
    const timestamps = Array.from({ length: 100 }, (_, i) => i * H);
    const alarms = alarmsAfterProbation(timestamps, (row) => row === 10 || row === 15 || row === 50);
    expect(alarms).toEqual([15 * H, 50 * H]);
  });
});
