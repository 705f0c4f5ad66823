import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors.ts';
import { simulateSocialTraffic } from './social-traffic.ts';

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

describe('Function: simulateSocialTraffic', () => {
  it('is the same for the same seed and differs between seeds', () => {
    const first = simulateSocialTraffic({ seed: 5, days: 2 });
    expect(simulateSocialTraffic({ seed: 5, days: 2 }).minutes).toEqual(first.minutes);
    expect(simulateSocialTraffic({ seed: 6, days: 2 }).minutes).not.toEqual(first.minutes);
    expect(first.minutes).toHaveLength(2 * 1440);
    for (const minute of first.minutes) {
      expect(minute.peakRps * 60).toBeGreaterThanOrEqual(minute.requests);
      expect(minute.peakRps).toBeLessThanOrEqual(minute.requests);
    }
  });

  it('has a deep daily cycle peaking in the local evening, and grows week by week', () => {
    const { minutes, parameters } = simulateSocialTraffic({
      seed: 9,
      days: 21,
      ranges: { sharesPerDay: [0, 0], growthPerWeek: [0.04, 0.04], troughShare: [0.1, 0.1] },
    });
    const byHour = Array.from({ length: 24 }, () => [] as number[]);
    for (const m of minutes) {
      const local = new Date(m.time + parameters.values.utcOffsetHours * 3_600_000).getUTCHours();
      byHour[local]!.push(m.requests);
    }
    const hourly = byHour.map(median);
    const busiest = hourly.indexOf(Math.max(...hourly));
    expect(Math.abs(busiest - parameters.values.peakHour)).toBeLessThanOrEqual(1.5);
    expect(Math.max(...hourly)).toBeGreaterThan(5 * Math.min(...hourly));
    const week = (w: number) => median(minutes.slice(w * 10_080, (w + 1) * 10_080).map((m) => m.requests));
    expect(week(2) / week(0)).toBeGreaterThan(1.04);
    expect(week(2) / week(0)).toBeLessThan(1.13);
  });

  it('adds flash crowds from shares: sudden, heavy-tailed, and gone within the hour', () => {
    const ranges = {
      shareMinimum: [0.3, 0.3] as [number, number],
      shareHalfLifeMinutes: [5, 5] as [number, number],
    };
    const quiet = simulateSocialTraffic({ seed: 11, days: 7, ranges: { ...ranges, sharesPerDay: [0, 0] } });
    const shared = simulateSocialTraffic({
      seed: 11,
      days: 7,
      ranges: { ...ranges, sharesPerDay: [20, 20] },
    });
    expect(quiet.parameters.shares).toEqual([]);
    expect(shared.parameters.shares.length).toBeGreaterThan(100);
    const jumps = (minutes: readonly { requests: number }[]) =>
      minutes.filter((m, i) => i > 0 && m.requests > 1.5 * minutes[i - 1]!.requests).length;
    expect(jumps(shared.minutes)).toBeGreaterThan(jumps(quiet.minutes) + 5);
    // Heavy-tailed: the biggest share is many times the typical one.
    const heights = shared.parameters.shares.map((s) => s.height);
    expect(Math.max(...heights)).toBeGreaterThan(5 * median(heights));
    // Fast decays: an hour after the biggest share starts, its minute is back near the quiet trace's.
    const biggest = shared.parameters.shares.find((s) => s.height === Math.max(...heights))!;
    const at = (Date.parse(biggest.at) - shared.minutes[0]!.time) / 60_000;
    const hourLater = Math.floor(at) + 75;
    expect(hourLater).toBeLessThan(shared.minutes.length);
    expect(shared.minutes[hourLater]!.requests).toBeLessThan(2 * quiet.minutes[hourLater]!.requests);
  });

  it('refuses options out of range with a dataset error', () => {
    expect(() => simulateSocialTraffic({ seed: 1, days: 0 })).toThrow(DatasetError);
    expect(() => simulateSocialTraffic({ seed: 1, ranges: { meanRps: [5, 1] } })).toThrow(
      /low must not exceed high/,
    );
  });
});
