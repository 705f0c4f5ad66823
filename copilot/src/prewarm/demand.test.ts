import { describe, expect, it } from 'vitest';
import {
  type DemandMinute,
  fillMissingMinutes,
  gapsOf,
  holdOnClock,
  peakConcurrency,
  scaleAudiences,
} from './demand.ts';

const minute = (i: number, requests: number, peakRps: number): DemandMinute => ({
  time: Date.UTC(2024, 0, 1) + i * 60_000,
  timestamp: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
  requests,
  peakRps,
});

describe('Function: scaleAudiences', () => {
  const trace = [minute(0, 60, 3), minute(1, 120, 6), minute(2, 0, 0)];

  it('multiplies requests by k and the busiest second’s excess over the mean by √k (DESIGN §4.2)', () => {
    const scaled = scaleAudiences(trace, 100);
    expect(scaled.map((m) => m.requests)).toEqual([6000, 12000, 0]);
    // Minute 1: mean 2 req/s, excess 4 → 200 + 10 × 4.
    expect(scaled[1]!.peakRps).toBeCloseTo(240);
    expect(scaled[0]!.peakRps).toBeCloseTo(100 + 10 * 2);
    expect(scaled[2]!.peakRps).toBe(0);
  });

  it('keeps every other field, so a plan echoes the input timestamps', () => {
    expect(scaleAudiences(trace, 4)[1]!.timestamp).toBe(trace[1]!.timestamp);
  });

  it('is the identity at k = 1 and depends on each row alone', () => {
    expect(scaleAudiences(trace, 1)).toEqual(trace);
    expect(scaleAudiences(trace.slice(1), 9)).toEqual(scaleAudiences(trace, 9).slice(1));
  });

  it('refuses a scale that is not a positive number', () => {
    expect(() => scaleAudiences(trace, 0)).toThrow(/positive/);
    expect(() => scaleAudiences(trace, Number.NaN)).toThrow(/positive/);
  });
});

describe('Function: peakConcurrency', () => {
  it('is the busiest second’s arrivals × duration, plus the mean rate for requests longer than a second', () => {
    expect(peakConcurrency(600, 30, 200)).toBeCloseTo(6);
    expect(peakConcurrency(600, 30, 2500)).toBeCloseTo(30 + 10 * 1.5);
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

describe('Function: gapsOf', () => {
  it('counts the minutes missing between rows, the gaps and the longest', () => {
    const rows = [0, 1, 2, 5, 6, 30, 31].map((i) => minute(i, 5, 1));
    expect(gapsOf(rows)).toEqual({ missingMinutes: 2 + 23, gaps: 2, longestMinutes: 23 });
    expect(gapsOf(rows.slice(0, 3))).toEqual({ missingMinutes: 0, gaps: 0, longestMinutes: 0 });
    expect(gapsOf([])).toEqual({ missingMinutes: 0, gaps: 0, longestMinutes: 0 });
  });
});

describe('Function: holdOnClock', () => {
  it('lays a plan of a trace with gaps on its dense clock, holding each row until the next', () => {
    const sparse = [minute(2, 60, 3), minute(3, 60, 3), minute(7, 60, 3)];
    const { minutes: clock } = fillMissingMinutes([minute(0, 0, 0), ...sparse]);
    const held = holdOnClock(
      sparse.map((m) => m.time),
      [4, 9, 2],
      clock,
    );
    expect(Array.from(held)).toEqual([0, 0, 4, 9, 9, 9, 9, 2]);
  });
});
