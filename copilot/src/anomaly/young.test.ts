import { MINUTE_MS, DAY_MS } from '@boundless/common/time';
import { describe, expect, it } from 'vitest';
import { AnomalyDetector, youthMargin } from './detector.ts';
import { gaussian } from './test-noise.ts';

const STEP = 5 * MINUTE_MS;
const T0 = Date.UTC(2024, 0, 1);

/** Evidence of a point just beyond the value range (by `excess` of its width) after `days` of 5-minute noise. */
function evidenceBeyondRange(days: number, excess: number, youngDays?: number): number {
  const detector = new AnomalyDetector(youngDays === undefined ? {} : { youngDays });
  const noise = gaussian(5);
  let high = Number.NEGATIVE_INFINITY;
  let low = Number.POSITIVE_INFINITY;
  const rows = Math.round((days * DAY_MS) / STEP);
  for (let i = 0; i < rows; i++) {
    const value = 100 + noise();
    detector.update(T0 + i * STEP, value);
    high = Math.max(high, value);
    low = Math.min(low, value);
  }
  // Ranges are kept per completed hour: the point lands at the start of a new hour.
  const next = Math.ceil((T0 + rows * STEP) / 3_600_000) * 3_600_000 + 3_600_000;
  return detector.update(next, high + excess * (high - low)).evidence;
}

describe('Anomaly detector: young series', () => {
  it('widens the value margin by how much the range of noise would still grow, down to nothing at youngDays', () => {
    const DAYS = 14 * DAY_MS;
    expect(youthMargin(288, DAY_MS, DAYS)).toBeGreaterThan(youthMargin(288 * 4, 4 * DAY_MS, DAYS));
    expect(youthMargin(288 * 4, 4 * DAY_MS, DAYS)).toBeGreaterThan(0);
    expect(youthMargin(288 * 14, DAYS, DAYS)).toBe(0);
    expect(youthMargin(288, DAY_MS, 0)).toBe(0);
    // The same history at another sampling rate: a range of more points has less left to grow.
    expect(youthMargin(24, DAY_MS, DAYS)).toBeGreaterThan(youthMargin(1440, DAY_MS, DAYS));
  });

  it('does not raise a point just beyond a two-day range that it would raise on an old series', () => {
    expect(evidenceBeyondRange(2, 0.08, 0)).toBeGreaterThanOrEqual(1);
    expect(evidenceBeyondRange(2, 0.08)).toBeLessThan(1);
    expect(evidenceBeyondRange(15, 0.08)).toBeGreaterThanOrEqual(1);
  });
});
