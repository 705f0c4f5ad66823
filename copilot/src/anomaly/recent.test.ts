import { MINUTE_MS, HOUR_MS } from '@boundless/common/time';
import { describe, expect, it } from 'vitest';
import { AnomalyDetector } from './detector.ts';
import { RecentMean } from './recent.ts';
import { gaussian } from './test-noise.ts';

const T0 = Date.UTC(2024, 0, 1);

describe('RecentMean', () => {
  it('holds at least the newest point when the minimum rounds to none, as the mean of one point', () => {
    const none = new RecentMean(0, 0, 720);
    expect(none.push(0, 5)).toBe(5);
    expect(none.push(60_000, 7)).toBe(7);
  });

  it('averages the points of the window of time, and at least the minimum number of points', () => {
    const often = new RecentMean(3, HOUR_MS, 720);
    let mean = Number.NaN;
    // One point a minute for two hours, valued by its minute: the last hour's 60 points (60..119).
    for (let i = 0; i < 120; i++) mean = often.push(T0 + i * MINUTE_MS, i);
    expect(mean).toBeCloseTo(89.5, 9);
    const sparse = new RecentMean(3, HOUR_MS, 720);
    expect(sparse.push(T0, 1)).toBeNaN();
    sparse.push(T0 + 2 * HOUR_MS, 2);
    sparse.push(T0 + 4 * HOUR_MS, 3);
    // Hours apart: the last three points, whatever the window.
    expect(sparse.push(T0 + 6 * HOUR_MS, 4)).toBeCloseTo(3, 9);
  });

  it('holds at most its maximum of points, and exactly the minimum without a window', () => {
    const capped = new RecentMean(2, HOUR_MS, 10);
    let mean = Number.NaN;
    for (let i = 0; i < 100; i++) mean = capped.push(T0 + i * 1000, i);
    expect(mean).toBeCloseTo(94.5, 9);
    const points = new RecentMean(4, 0, 720);
    for (let i = 0; i < 100; i++) mean = points.push(T0 + i * MINUTE_MS, i);
    expect(mean).toBeCloseTo(97.5, 9);
  });
});

describe('Anomaly detector: the mean over a window of time', () => {
  // A series sampled every minute whose normal bursts last five minutes: twelve points of mean hold the
  // whole burst, so its range of means already spans an hour-long rise smaller than a burst.
  function raisedOnHourLongRise(options: { meanBlocks?: number }): boolean {
    const detector = new AnomalyDetector(options);
    const noise = gaussian(3);
    const rows = 3 * 24 * 60;
    const rise = 2.5 * 24 * 60;
    let raised = false;
    for (let i = 0; i < rows; i++) {
      const burst = i % 180 >= 90 && i % 180 < 95 ? 30 : 0;
      const value = 100 + noise() + burst + (i >= rise && i < rise + 60 ? 10 : 0);
      const point = detector.update(T0 + i * MINUTE_MS, value);
      if (i >= rise && i < rise + 60 && point.isAnomaly) raised = true;
    }
    return raised;
  }

  it('raises an hour-long rise on a minute series that five-minute bursts hide from a mean of twelve points', () => {
    expect(raisedOnHourLongRise({})).toBe(true);
    expect(raisedOnHourLongRise({ meanBlocks: 0 })).toBe(false);
  });
});
