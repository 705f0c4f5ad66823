import { describe, expect, it } from 'vitest';
import {
  fillMissingMinutes,
  parseTrafficCsv,
  pooledBurst,
  scaleTraffic,
  type TrafficMinute,
} from './traffic.ts';

const minute = (i: number, requests: number, peakRps: number): TrafficMinute => ({
  time: Date.UTC(2024, 0, 1) + i * 60_000,
  timestamp: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
  requests,
  peakRps,
});

describe('Function: parseTrafficCsv', () => {
  it('reads rows, keeps the input timestamp text and counts unusable rows instead of failing', () => {
    const text = [
      'timestamp,requests,peak_rps',
      '1995-07-01T00:00:01-04:00,42,5',
      'not-a-time,1,1',
      '1995-07-01T00:01:01-04:00,-3,1',
      '1995-06-30T23:59:00-04:00,9,1',
      '1995-07-01T00:02:01-04:00,60,0',
      '',
    ].join('\n');
    const trace = parseTrafficCsv(text);
    expect(trace.minutes.map((m) => m.timestamp)).toEqual([
      '1995-07-01T00:00:01-04:00',
      '1995-07-01T00:02:01-04:00',
    ]);
    expect(trace.minutes[0]).toMatchObject({
      time: Date.parse('1995-07-01T04:00:01Z'),
      requests: 42,
      peakRps: 5,
    });
    // A busiest second below the minute's average is impossible: it is raised to the average.
    expect(trace.minutes[1]!.peakRps).toBe(1);
    expect(trace.skipped.map((s) => s.line)).toEqual([3, 4, 5]);
  });

  it('estimates the busiest second when the peak column is absent', () => {
    const trace = parseTrafficCsv('timestamp,requests\n2024-01-01T00:00:00Z,600\n');
    expect(trace.minutes[0]!.peakRps).toBeCloseTo(10 + 3 * Math.sqrt(10));
  });

  it('rejects a header without the required columns', () => {
    expect(() => parseTrafficCsv('time,value\n1,2\n')).toThrow(/timestamp and requests/);
  });
});

describe('Function: scaleTraffic', () => {
  const trace = [minute(0, 60, 3), minute(1, 120, 6), minute(2, 60, 2), minute(3, 90, 4)];

  it('multiplies every count in linear mode', () => {
    const scaled = scaleTraffic(trace, 10, { mode: 'linear' });
    expect(scaled.map((m) => m.requests)).toEqual([600, 1200, 600, 900]);
    expect(scaled[1]!.peakRps).toBeCloseTo(60);
  });

  it('grows the trend ×k but the jitter only ×√k when audiences are independent', () => {
    const scaled = scaleTraffic(trace, 100, { trendMinutes: 2 });
    // Minute 1: trend (60 + 120) / 2 = 90, jitter +30 → 9000 + 10 × 30.
    expect(scaled[1]!.requests).toBeCloseTo(9300);
    // Its busiest second: the scaled mean plus √k times the original excess over the mean.
    expect(scaled[1]!.peakRps).toBeCloseTo(9300 / 60 + 10 * (6 - 2));
  });

  it('depends on earlier rows only, so scaling a prefix gives the same rows', () => {
    const whole = scaleTraffic(trace, 50);
    expect(scaleTraffic(trace.slice(0, 2), 50)).toEqual(whole.slice(0, 2));
  });

  it('gives a pooled busiest second the typical audience excess with the spread of a 60-second maximum', () => {
    // One audience alternates quiet and erratic busiest seconds; the pooled excess follows their mean.
    const rows = Array.from({ length: 600 }, (_, i) => minute(i, 60, i % 2 === 0 ? 2 : 8));
    const audience = scaleTraffic(rows, 400, { peakModel: 'audience' });
    const pooled = scaleTraffic(rows, 400, { peakModel: 'pooled', seed: 5 });
    const excess = (m: TrafficMinute) => m.peakRps - m.requests / 60;
    const spread = (values: number[]) => {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return { mean, sd: Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) };
    };
    const a = spread(audience.slice(100).map(excess));
    const p = spread(pooled.slice(100).map(excess));
    expect(p.mean).toBeGreaterThan(a.mean * 0.9);
    expect(p.mean).toBeLessThan(a.mean * 1.1);
    expect(p.sd).toBeLessThan(a.sd / 3);
    // Deterministic for a seed, and a prefix scales to the same rows.
    expect(scaleTraffic(rows.slice(0, 300), 400, { peakModel: 'pooled', seed: 5 })).toEqual(
      pooled.slice(0, 300),
    );
  });

  it('draws a pooled excess near the typical one, never below zero', () => {
    let state = 0;
    const random = () => {
      state = (state * 9301 + 49297) % 233280;
      return state / 233280;
    };
    const draws = Array.from({ length: 2000 }, () => pooledBurst(3, 20, random));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(60 * 0.9);
    expect(mean).toBeLessThan(60 * 1.1);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
  });

  it('refuses a scale that is not a positive number', () => {
    expect(() => scaleTraffic(trace, 0)).toThrow(/positive/);
  });
});

describe('Function: fillMissingMinutes', () => {
  it('inserts idle minutes into gaps and counts them', () => {
    const { minutes, filled } = fillMissingMinutes([minute(0, 5, 1), minute(3, 5, 1)]);
    expect(filled).toBe(2);
    expect(minutes.map((m) => m.requests)).toEqual([5, 0, 0, 5]);
    expect(minutes[1]!.time - minutes[0]!.time).toBe(60_000);
  });
});
