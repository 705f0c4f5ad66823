import { describe, expect, it } from 'vitest';
import { minuteTrafficCsv, simulateMinuteTraffic } from './minute-traffic.ts';
import { parseTrafficCsv } from './traffic.ts';

const small = { readers: [20_000, 20_000] as [number, number] };

describe('Function: simulateMinuteTraffic', () => {
  const first = simulateMinuteTraffic({ seed: 4, days: 8, ranges: small });

  it('is the same for the same seed and differs between seeds', () => {
    const again = simulateMinuteTraffic({ seed: 4, days: 8, ranges: small });
    expect(again.minutes).toEqual(first.minutes);
    const other = simulateMinuteTraffic({ seed: 5, days: 8, ranges: small });
    expect(other.minutes.map((m) => m.requests)).not.toEqual(first.minutes.map((m) => m.requests));
    expect(other.parameters.markets).not.toEqual(first.parameters.markets);
  });

  it('writes one row per minute with a busiest second between the mean and the whole minute', () => {
    expect(first.minutes).toHaveLength(8 * 1440);
    for (const m of first.minutes) {
      expect(m.peakRps).toBeLessThanOrEqual(m.requests);
      expect(m.peakRps).toBeGreaterThanOrEqual(Math.floor(m.requests / 60));
    }
  });

  it('puts a release in every week, and a release lifts traffic well above the same hour a day earlier', () => {
    const weeks = new Set(
      first.parameters.releases.map((r) =>
        Math.floor((Date.parse(r.at) - first.minutes[0]!.time) / (7 * 86_400_000)),
      ),
    );
    expect(weeks).toEqual(new Set([0, 1]));
    const release = first.parameters.releases.find(
      (r) => Date.parse(r.at) >= first.minutes[0]!.time + 86_400_000,
    )!;
    const row = (Date.parse(release.at) - first.minutes[0]!.time) / 60_000;
    const hour = (from: number) =>
      first.minutes.slice(from, from + 60).reduce((sum, m) => sum + m.requests, 0);
    expect(hour(row + 10)).toBeGreaterThan(2.5 * hour(row + 10 - 1440));
  });

  it('draws every knob from its range', () => {
    const ranged = simulateMinuteTraffic({
      seed: 1,
      days: 1,
      ranges: { readers: [5000, 6000], releaseBoost: [9, 11] },
    });
    expect(ranged.parameters.readers).toBeGreaterThanOrEqual(5000);
    expect(ranged.parameters.readers).toBeLessThanOrEqual(6000);
    for (const r of ranged.parameters.releases) {
      expect(r.boost).toBeGreaterThanOrEqual(9);
      expect(r.boost).toBeLessThanOrEqual(11);
    }
  });

  it('rejects unusable options with a dataset error', () => {
    expect(() => simulateMinuteTraffic({ seed: -1 })).toThrow(/invalid minute-traffic options/);
    expect(() => simulateMinuteTraffic({ seed: 1, ranges: { readers: [10, 5] } })).toThrow(
      /low must not exceed high/,
    );
  });
});

describe('Function: minuteTrafficCsv', () => {
  it('writes what the traffic loader reads back', () => {
    const { minutes } = simulateMinuteTraffic({ seed: 2, days: 1, ranges: small });
    const parsed = parseTrafficCsv(minuteTrafficCsv(minutes));
    expect(parsed.skipped).toEqual([]);
    expect(parsed.minutes).toEqual(minutes);
  });
});
