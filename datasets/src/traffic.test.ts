import { describe, expect, it } from 'vitest';
import { parseTrafficCsv } from './traffic.ts';

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
    // The row earlier than the line before it is sorted into place, not lost.
    expect(trace.minutes.map((m) => m.timestamp)).toEqual([
      '1995-06-30T23:59:00-04:00',
      '1995-07-01T00:00:01-04:00',
      '1995-07-01T00:02:01-04:00',
    ]);
    expect(trace.reordered).toBe(1);
    expect(trace.minutes[1]).toMatchObject({
      time: Date.parse('1995-07-01T04:00:01Z'),
      requests: 42,
      peakRps: 5,
    });
    // A busiest second below the minute's average is impossible: it is raised to the average.
    expect(trace.minutes[2]!.peakRps).toBe(1);
    expect(trace.skipped.map((s) => s.line)).toEqual([3, 4]);
    // Every data line is kept in input order with the minute that answers it (-1: unusable).
    expect(trace.rows.map((r) => [r.line, r.minute])).toEqual([
      [2, 1],
      [3, -1],
      [4, -1],
      [5, 0],
      [6, 2],
    ]);
  });

  it('sorts shuffled rows, answers a repeated minute with the first line of it, and reads any timestamp form', () => {
    const at = (minute: number) => Date.UTC(2026, 2, 8, 13, 37) + minute * 60_000;
    const text = [
      'requests,timestamp',
      `30,${new Date(at(2)).toISOString().replace('Z', '+00:00')}`,
      `10,${at(0) / 1000}`,
      `99,${at(2)}`,
      `20,${new Date(at(1)).toISOString().replace('T', ' ').replace('.000Z', '')}`,
      `10,${new Date(at(0) + 3_600_000).toISOString().replace('.000Z', '+01:00')}`,
    ].join('\n');
    const trace = parseTrafficCsv(text);
    expect(trace.minutes.map((m) => [m.time, m.requests])).toEqual([
      [at(0), 10],
      [at(1), 20],
      [at(2), 30],
    ]);
    // Line 4 repeats minute 2 (epoch ms) and line 6 minute 0 (another zone): both answered with the first line.
    expect(trace.rows.map((r) => r.minute)).toEqual([2, 0, 2, 1, 0]);
    expect(trace.duplicates).toBe(2);
    expect(trace.reordered).toBe(3);
    expect(trace.skipped).toEqual([]);
  });

  it('estimates the busiest second when the peak column is absent', () => {
    const trace = parseTrafficCsv('timestamp,requests\n2024-01-01T00:00:00Z,600\n');
    expect(trace.minutes[0]!.peakRps).toBeCloseTo(10 + 3 * Math.sqrt(10));
  });

  it('rejects a header without the required columns', () => {
    expect(() => parseTrafficCsv('time,value\n1,2\n')).toThrow(/timestamp and requests/);
  });
});
