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
