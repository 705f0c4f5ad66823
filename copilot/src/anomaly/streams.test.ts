import { describe, expect, it } from 'vitest';
import { DAY, DailyProfile, MINUTE } from './streams.ts';

const T0 = Date.UTC(2024, 0, 1);

describe('DailyProfile.lagged', () => {
  it('averages at least three stored bucket-days within an hour of the same time a week earlier', () => {
    const profile = new DailyProfile(5 * MINUTE, 9);
    // One point every 30 minutes for eight days: most 5-minute buckets are empty.
    const valueAt = (t: number) => (t - T0) / MINUTE;
    for (let t = T0 - DAY; t < T0 + 8 * DAY; t += 30 * MINUTE) {
      const day = Math.floor(t / DAY);
      profile.add(profile.bucketOf(t), day, valueAt(t));
    }
    const now = T0 + 7 * DAY + 12 * 60 * MINUTE;
    const day = Math.floor(now / DAY);
    // 12:00 a week earlier, with 11:30 and 12:30 around it: their mean is 12:00's value.
    expect(profile.lagged(profile.bucketOf(now), day, 7)).toBe(valueAt(now - 7 * DAY));
    // At 00:10, the nearest stored times a week earlier are 00:00, 00:30 and, the day before, 23:30: their
    // mean is 00:00's value (without the day before, 01:00 would join instead and the mean would be 00:30's).
    const midnight = T0 + 7 * DAY + 10 * MINUTE;
    expect(profile.lagged(profile.bucketOf(midnight), Math.floor(midnight / DAY), 7)).toBe(valueAt(T0));
    // A day never stored has no value.
    expect(profile.lagged(profile.bucketOf(now), day + 30, 7)).toBeNaN();
  });
});
