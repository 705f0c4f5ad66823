import { describe, expect, it } from 'vitest';
import { audienceKey, CountryAudience } from './geo-audience.ts';

const START = 29_000_000;

/** A country watched for `minutes`, each minute's readers given by `readers(minute)` as address strings. */
function watched(minutes: number, readers: (minute: number) => string[]): CountryAudience {
  const s = new CountryAudience(0);
  for (let m = 0; m < minutes; m++) {
    const minute = START + m;
    for (const ip of readers(m)) {
      const key = audienceKey('', ip);
      s.add(key, key, minute);
    }
    s.roll(1, -1, minute + 1);
    s.refresh(0);
  }
  return s;
}

/** `n` readers new this minute, none seen before. */
const newcomers = (n: number) => (m: number) =>
  Array.from({ length: n }, (_, i) => `10.${m % 250}.${i}.${m >> 8}`);

describe('CountryAudience: arrivals', () => {
  it('counts readers not seen for an hour, and regulars only once', () => {
    const regulars = watched(90, () => Array.from({ length: 12 }, (_, i) => `10.9.0.${i}`));
    expect(regulars.beforeArrivals).toBe(0);
    expect(regulars.arrivalsLong).toBe(0);
    expect(regulars.crowded).toBe(false);
  });

  it('makes up for the arrivals a taken slot hides, up to half the slots taken', () => {
    // Eight new readers a minute: 480 in an hour take about 38 % of 1,024 slots, and hide about as many arrivals.
    const s = watched(120, newcomers(8));
    expect(s.crowded).toBe(false);
    expect(s.beforeArrivals).toBeGreaterThan(7.2);
    expect(s.beforeArrivals).toBeLessThan(8.8);
    expect(s.arrivalsLong).toBeGreaterThan(72);
    expect(s.arrivalsLong).toBeLessThan(88);
  });

  it('measures no arrivals in a big market, and again an hour after it shrinks', () => {
    const s = watched(90, newcomers(30));
    expect(s.crowded).toBe(true);
    const quieter = new CountryAudience(0);
    for (let m = 0; m < 200; m++) {
      const minute = START + m;
      for (const ip of newcomers(m < 90 ? 30 : 2)(m)) {
        const key = audienceKey('', ip);
        quieter.add(key, key, minute);
      }
      quieter.roll(1, -1, minute + 1);
      quieter.refresh(0);
      if (m === 140) expect(quieter.crowded).toBe(true);
    }
    expect(quieter.crowded).toBe(false);
  });
});
