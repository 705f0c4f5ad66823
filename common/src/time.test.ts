import { describe, expect, it } from 'vitest';
import { parseTimestamp, parseUtcTime } from './time.ts';

describe('Function: parseUtcTime', () => {
  it('reads a time without a zone as UTC, with a T or a space, and keeps an explicit zone', () => {
    const utc = Date.UTC(2026, 2, 8, 2, 30);
    expect(parseUtcTime('2026-03-08T02:30:00')).toBe(utc);
    expect(parseUtcTime('2026-03-08 02:30:00')).toBe(utc);
    expect(parseUtcTime(' 2026-03-08T02:30 ')).toBe(utc);
    expect(parseUtcTime('2026-03-08T02:30:00Z')).toBe(utc);
    expect(parseUtcTime('2026-03-08T02:30:00.250')).toBe(utc + 250);
    expect(parseUtcTime('2026-03-07T21:30:00-05:00')).toBe(utc);
    expect(parseUtcTime('2026-03-08T03:30:00+0100')).toBe(utc);
    expect(parseUtcTime('2026-03-08')).toBe(Date.UTC(2026, 2, 8));
  });

  it('reads other written forms with a day and a year the same way: an explicit zone kept, none read as UTC', () => {
    const utc = Date.UTC(2026, 2, 8, 2, 30);
    expect(parseUtcTime('Sun Mar 08 2026 02:30:00')).toBe(utc);
    expect(parseUtcTime('Sun, 08 Mar 2026 02:30:00 GMT')).toBe(utc);
    expect(parseUtcTime('08 Mar 2026 03:30:00 +0100')).toBe(utc);
    expect(parseUtcTime('03/08/2026 02:30')).toBe(utc);
  });

  it('refuses text without a day and a four-digit year, bare numbers and impossible dates', () => {
    for (const text of [
      '',
      'yesterday',
      'x 1',
      '1 UTC',
      '1772937000',
      '2026-13-45T00:00:00',
      'Mar 2026 nonsense',
    ])
      expect(parseUtcTime(text), text).toBeNaN();
  });
});

describe('Function: parseTimestamp', () => {
  it('also reads unix seconds and milliseconds', () => {
    expect(parseTimestamp('1772937000')).toBe(1_772_937_000_000);
    expect(parseTimestamp('1772937000000')).toBe(1_772_937_000_000);
    expect(parseTimestamp('2026-03-08 02:30:00')).toBe(Date.UTC(2026, 2, 8, 2, 30));
    expect(parseTimestamp('x')).toBeNaN();
  });
});
