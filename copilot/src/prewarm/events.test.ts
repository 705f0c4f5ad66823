import { mulberry32 as seededRandom } from '@boundless/common/random';
import { describe, expect, it } from 'vitest';
import type { DemandMinute } from './demand.ts';
import { EventUplift, parseEventCalendar } from './events.ts';
import { planProvisionedConcurrency } from './planner.ts';

const START = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;

/**
 * A flat service whose releases (at times no daily rhythm announces) lift demand eightfold for 40 minutes.
 * Releases at day d, minute-of-day `releaseMinutes[d]`.
 */
function releaseDays(releaseMinutes: readonly number[]): { minutes: DemandMinute[]; events: number[] } {
  const random = seededRandom(3);
  const events = releaseMinutes.map((m, day) => START + (day * 1440 + m) * MINUTE);
  const minutes = Array.from({ length: releaseMinutes.length * 1440 }, (_, i) => {
    const time = START + i * MINUTE;
    const since = events.map((e) => (time - e) / MINUTE).filter((d) => d >= 0 && d < 40);
    const lift = since.length > 0 ? 8 : 1;
    const requests = 3000 * lift * (0.9 + 0.2 * random());
    return { time, timestamp: new Date(time).toISOString(), requests, peakRps: (requests / 60) * 1.3 };
  });
  return { minutes, events };
}

/** A sharp plain forecast, uniform on [9, 11]. */
const plain = {
  median: 10,
  cdf: (x: number) => Math.min(1, Math.max(0, (x - 9) / 2)),
  quantile: (q: number) => 9 + 2 * q,
};

describe('Class: EventUplift', () => {
  it('raises nothing before an event has been seen, and nothing outside an event window', () => {
    const uplift = new EventUplift([START + 100 * MINUTE], 30);
    expect(uplift.raise(START + 105 * MINUTE, plain)).toBe(plain);
    uplift.learn(START + 105 * MINUTE, 99, 9);
    expect(uplift.raise(START + 99 * MINUTE, plain)).toBe(plain);
    expect(uplift.raise(START + 130 * MINUTE, plain)).toBe(plain);
    expect(uplift.raise(START + 106 * MINUTE, plain)).toBe(plain);
    expect(uplift.raise(START + 105 * MINUTE, plain).median).toBeCloseTo(100, 4);
  });

  it('raises the whole forecast distribution by what one earlier event did at that minute', () => {
    const uplift = new EventUplift([START, START + 1000 * MINUTE], 30);
    uplift.learn(START + 5 * MINUTE, 29, 9); // ×3 (one environment added to both sides)
    const raised = uplift.raise(START + 1005 * MINUTE, plain);
    expect(raised.median).toBeCloseTo(30, 4);
    expect(raised.quantile(0.9)).toBeCloseTo(3 * 10.8, 4);
    expect(raised.cdf(30)).toBeCloseTo(0.5, 9);
  });

  it("prices how much releases differ: the raised forecast mixes each earlier release's ratio", () => {
    const uplift = new EventUplift([START, START + 1000 * MINUTE, START + 2000 * MINUTE], 30);
    uplift.learn(START + 5 * MINUTE, 19, 9); // ×2
    uplift.learn(START + 1005 * MINUTE, 79, 9); // ×8
    const raised = uplift.raise(START + 2005 * MINUTE, plain);
    // Half the mass around 20 (×2), half around 80 (×8): well past ×2 is still only half covered.
    expect(raised.cdf(30)).toBeCloseTo(0.5, 9);
    expect(raised.quantile(0.25)).toBeCloseTo(20, 4);
    expect(raised.quantile(0.75)).toBeCloseTo(80, 4);
    expect(raised.quantile(0.99)).toBeGreaterThan(87);
    // Outside the window, or at a minute no earlier release has taught, the forecast is the plain one.
    expect(uplift.raise(START + 2006 * MINUTE, plain)).toBe(plain);
    expect(uplift.raise(START + 2100 * MINUTE, plain)).toBe(plain);
  });

  it('never lowers a forecast', () => {
    const uplift = new EventUplift([START], 30);
    uplift.learn(START + 2 * MINUTE, 1, 50);
    expect(uplift.raise(START + 2 * MINUTE, plain).median).toBeCloseTo(10, 4);
  });
});

describe('Function: parseEventCalendar', () => {
  it('reads the start column and ignores the others', () => {
    const text = 'title,start\nDune,2026-11-05T18:00:00Z\n\nEmma,2026-11-09T07:30:00Z\n';
    expect(parseEventCalendar(text)).toEqual([
      Date.parse('2026-11-05T18:00:00Z'),
      Date.parse('2026-11-09T07:30:00Z'),
    ]);
  });

  it('reads a quoted title holding a comma without shifting the start column', () => {
    const text = 'title,start\n"Dune, Part Two",2026-11-05T18:00:00Z\n';
    expect(parseEventCalendar(text)).toEqual([Date.parse('2026-11-05T18:00:00Z')]);
  });

  it('names the line of a bad time and says when the start column is missing', () => {
    expect(() => parseEventCalendar('start\n2026-11-05T18:00:00Z\ntomorrow\n')).toThrow(/line 3: "tomorrow"/);
    expect(() => parseEventCalendar('when\n2026-11-05T18:00:00Z\n')).toThrow(/"start" column/);
  });
});

describe('Planning with a release calendar', () => {
  const options = { durationMs: 200, leadMinutes: 10 };
  const { minutes, events } = releaseDays([600, 900, 500, 1100, 700]);

  it('provisions the first minutes of a release ahead once earlier releases were seen', () => {
    const without = planProvisionedConcurrency(minutes, options).capacity;
    const withCalendar = planProvisionedConcurrency(minutes, { ...options, events }).capacity;
    const last = Math.round((events[4]! - START) / MINUTE);
    // Within the lead the forecast alone cannot see the release; the calendar can.
    for (let offset = 1; offset < options.leadMinutes; offset++) {
      expect(withCalendar[last + offset]!).toBeGreaterThan(2 * without[last + offset]!);
    }
    // Before any release could be learned (the first one's rows are not lead minutes old), nothing moves.
    const first = Math.round((events[0]! - START) / MINUTE);
    expect(Array.from(withCalendar.subarray(0, first + options.leadMinutes))).toEqual(
      Array.from(without.subarray(0, first + options.leadMinutes)),
    );
  });

  it('keeps row t causal: input rows after t − lead move nothing at or before t', () => {
    const row = Math.round((events[3]! - START) / MINUTE) + 3;
    const before = planProvisionedConcurrency(minutes, { ...options, events }).capacity;
    const flooded = minutes.map((m, i) =>
      i > row - options.leadMinutes ? { ...m, requests: m.requests * 50, peakRps: m.peakRps * 50 } : m,
    );
    const after = planProvisionedConcurrency(flooded, { ...options, events }).capacity;
    expect(Array.from(after.subarray(0, row + 1))).toEqual(Array.from(before.subarray(0, row + 1)));
    expect(after[row + options.leadMinutes]).toBeGreaterThan(before[row + options.leadMinutes]!);
  });
});
