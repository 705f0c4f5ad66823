import { describe, expect, it } from 'vitest';
import {
  formatAxisTime,
  formatAxisTimes,
  formatTimesIn,
  COUNT_TICKS,
  formatCount,
  formatBudget,
  formatBurnRate,
  formatCountdown,
  formatMoney,
  formatMs,
  formatPercent,
  formatRelative,
  formatTime,
  humanize,
} from './format.ts';

const NBSP = '\u00a0';

describe('Module: format', () => {
  it('shows percentages with the digits needed to tell them from 100 %', () => {
    expect(formatPercent(0.9995)).toBe(`99.95${NBSP}%`);
    expect(formatPercent(0.99999)).toBe(`99.999${NBSP}%`);
    expect(formatPercent(1)).toBe(`100.0${NBSP}%`);
    expect(formatPercent(0.5)).toBe(`50.0${NBSP}%`);
    expect(formatPercent(null)).toBe('—');
  });

  it('keeps an overspent budget negative and burn rates readable', () => {
    expect(formatBudget(-0.667)).toBe(`-66.7${NBSP}%`);
    expect(formatBurnRate(14.4)).toBe('14.4×');
    expect(formatBurnRate(0.5)).toBe('0.50×');
    expect(formatBurnRate(0)).toBe('0×');
  });

  it('counts down in the largest units that matter', () => {
    expect(formatCountdown(3_725_000)).toBe(`1${NBSP}h 02${NBSP}min 05${NBSP}s`);
    expect(formatCountdown(245_000)).toBe(`4${NBSP}min 05${NBSP}s`);
    expect(formatCountdown(41_200)).toBe(`42${NBSP}s`);
    expect(formatCountdown(0)).toBe('expired');
  });

  it('writes latency, money and relative times', () => {
    expect(formatMs(4.24)).toBe(`4.2${NBSP}ms`);
    expect(formatMs(212.6)).toBe(`213${NBSP}ms`);
    expect(formatMs(1520)).toBe(`1.52${NBSP}s`);
    expect(formatMoney(1.5)).toBe('$1.50');
    expect([formatCount(0.5), formatCount(1234), formatCount(45_600)]).toEqual(['0.5', '1,234', '45.6k']);
    expect(formatMoney(0.0042)).toBe('$0.0042');
    const now = Date.parse('2026-12-05T10:00:00Z');
    expect(formatRelative('2026-12-05T09:57:00Z', now)).toBe(`3${NBSP}min ago`);
    expect(formatRelative('2026-12-05T12:00:00Z', now)).toBe(`in 2${NBSP}h`);
  });

  it('turns field names into words', () => {
    expect(humanize('titlesLast10Minutes')).toBe('Titles last 10 minutes');
    expect(humanize('impossible_travel')).toBe('Impossible travel');
  });
});

describe('Function: formatTime and formatAxisTime', () => {
  const at = Date.parse('2026-12-05T14:05:09Z');

  it('reads times in 24-hour UTC with the zone shown, whatever the machine zone', () => {
    expect(formatTime(at)).toBe('05 Dec 2026, 14:05:09 UTC');
    expect(formatTime('not a time')).toBe('—');
  });

  it('shortens chart ticks to what the span needs, on the same clock', () => {
    expect(formatAxisTime(at, 3_600_000, 600_000)).toBe('14:05');
    expect(formatAxisTime(at, 3 * 86_400_000, 21_600_000)).toBe('05 Dec 14:05');
    expect(formatAxisTime(at, 30 * 86_400_000, 7 * 86_400_000)).toBe('05 Dec');
    // Daily points a week long tick by the day, not at noons between them.
    expect(formatAxisTime(at, 6 * 86_400_000, 86_400_000)).toBe('05 Dec');
  });

  it('tells every tick apart, whatever their spacing', () => {
    const s = at / 1000;
    const ticks = (step: number, n: number) => Array.from({ length: n }, (_, i) => s + i * step);
    // Three minutes of data ticked every 10 s: the clock alone would repeat "14:05" six times.
    const close = formatAxisTimes(ticks(10, 12), 180_000);
    expect(new Set(close).size).toBe(12);
    expect(close[0]).toBe('14:05:09');
    expect(formatAxisTimes(ticks(60, 3), 180_000)).toEqual(['14:05', '14:06', '14:07']);
    // Ten days ticked twice a day: the day alone would repeat.
    const twice = formatAxisTimes(ticks(43_200, 20), 10 * 86_400_000);
    expect(new Set(twice).size).toBe(20);
    expect(twice.slice(0, 2)).toEqual(['05 Dec 14:05', '06 Dec 02:05']);
    expect(formatAxisTimes(ticks(86_400, 3), 30 * 86_400_000)).toEqual(['05 Dec', '06 Dec', '07 Dec']);
  });
});

describe('COUNT_TICKS', () => {
  it('spaces an axis of counts by whole numbers only, from 1 to billions', () => {
    expect(COUNT_TICKS.slice(0, 6)).toEqual([1, 2, 5, 10, 20, 50]);
    expect(COUNT_TICKS.every((t) => Number.isInteger(t) && t >= 1)).toBe(true);
    expect(COUNT_TICKS.at(-1)).toBe(5e9);
  });
});

describe('formatTimesIn', () => {
  it("reads a sentence's ISO instants on the page's clock and leaves the rest", () => {
    expect(
      formatTimesIn('force reauth on account reader-026 is in force until 2026-12-08T20:16:49.687Z'),
    ).toBe('force reauth on account reader-026 is in force until 08 Dec 2026, 20:16:49 UTC');
    expect(formatTimesIn('from 2026-12-08T20:16:49Z to 2026-12-09T01:00:00Z')).toBe(
      'from 08 Dec 2026, 20:16:49 UTC to 09 Dec 2026, 01:00:00 UTC',
    );
    expect(formatTimesIn('day 2026-12-08, no instant')).toBe('day 2026-12-08, no instant');
  });
});
