import { MINUTE_MS, DAY_MS } from '@boundless/common/time';
import { describe, expect, it } from 'vitest';
import { DailyProfile } from './streams.ts';

const T0 = Date.UTC(2024, 0, 1);

describe('DailyProfile.lagged', () => {
  it('averages at least three stored bucket-days within an hour of the same time a week earlier', () => {
    const profile = new DailyProfile(5 * MINUTE_MS, 9);
    // One point every 30 minutes for eight days: most 5-minute buckets are empty.
    const valueAt = (t: number) => (t - T0) / MINUTE_MS;
    for (let t = T0 - DAY_MS; t < T0 + 8 * DAY_MS; t += 30 * MINUTE_MS) {
      const day = Math.floor(t / DAY_MS);
      profile.add(profile.bucketOf(t), day, valueAt(t));
    }
    const now = T0 + 7 * DAY_MS + 12 * 60 * MINUTE_MS;
    const day = Math.floor(now / DAY_MS);
    // 12:00 a week earlier, with 11:30 and 12:30 around it: their mean is 12:00's value.
    expect(profile.lagged(profile.bucketOf(now), day, 7)).toBe(valueAt(now - 7 * DAY_MS));
    // At 00:10, the nearest stored times a week earlier are 00:00, 00:30 and, the day before, 23:30: their
    // mean is 00:00's value (without the day before, 01:00 would join instead and the mean would be 00:30's).
    const midnight = T0 + 7 * DAY_MS + 10 * MINUTE_MS;
    expect(profile.lagged(profile.bucketOf(midnight), Math.floor(midnight / DAY_MS), 7)).toBe(valueAt(T0));
    // A day never stored has no value.
    expect(profile.lagged(profile.bucketOf(now), day + 30, 7)).toBeNaN();
  });
});
