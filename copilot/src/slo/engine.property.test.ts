import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SloEvent } from './events.ts';
import { burnRate } from './math.ts';
import { computeSloReport } from './report.ts';
import { apiEvent, handDefinitions, MIN } from './test-support.ts';

const definitions = handDefinitions();
const HORIZON = 60; // widest window (the 60-minute SLO window): older events are skipped
const ALERTS = definitions.alerts;

/** Recounts every window from the raw accepted events at every minute: slow, obviously right. */
function bruteForce(events: SloEvent[], asOfMinute: number) {
  const accepted: Array<{ minute: number; bad: boolean }> = [];
  const firing = new Map<string, boolean>();
  const transitions: Array<[string, string, number]> = [];
  const count = (from: number, to: number) => {
    const inside = accepted.filter((e) => e.minute >= from && e.minute <= to);
    return { valid: inside.length, bad: inside.filter((e) => e.bad).length };
  };
  const closeMinute = (minute: number) => {
    for (const alert of ALERTS) {
      const long = count(minute - alert.longMinutes + 1, minute);
      const short = count(minute - alert.shortMinutes + 1, minute);
      const limit = alert.burnRate * (1 + 1e-9);
      const now =
        burnRate(long.bad, long.valid, 0.9) > limit && burnRate(short.bad, short.valid, 0.9) > limit;
      if (now !== (firing.get(alert.name) ?? false))
        transitions.push([alert.name, now ? 'firing' : 'resolved', (minute + 1) * MIN]);
      firing.set(alert.name, now);
    }
  };
  let open: number | null = null;
  let tooLate = 0;
  const moveTo = (minute: number) => {
    if (open === null) open = minute;
    for (; open < minute; open++) closeMinute(open);
  };
  for (const event of events) {
    const minute = Math.floor(event.timestampMs / MIN);
    if (minute >= asOfMinute) continue;
    moveTo(minute);
    if (minute < open! - HORIZON) tooLate++;
    else if (event.status > 0) accepted.push({ minute, bad: event.status >= 500 });
  }
  moveTo(asOfMinute);
  return { transitions, budget: count(asOfMinute - 60, asOfMinute - 1), tooLate };
}

const step = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 2 }), weight: 20 },
  { arbitrary: fc.integer({ min: -5, max: -1 }), weight: 3 },
  { arbitrary: fc.integer({ min: -90, max: -40 }), weight: 1 },
  { arbitrary: fc.integer({ min: 20, max: 80 }), weight: 1 },
);
const arrival = fc.record({
  step,
  second: fc.integer({ min: 0, max: 59 }),
  status: fc.constantFrom(200, 200, 404, 503, 0),
});

describe('Class: SloEngine (incremental windows against a full recount)', () => {
  it('matches the recount in transitions, budget and skipped events for any arrival order', () => {
    fc.assert(
      fc.property(
        fc.array(arrival, { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 0, max: 30 }),
        (arrivals, tail) => {
          let minute = 100;
          const events = arrivals.map(({ step: delta, second, status }) => {
            minute = Math.max(0, minute + delta);
            return apiEvent(minute * MIN + second * 1000, status);
          });
          const asOfMinute = Math.max(...events.map((e) => Math.floor(e.timestampMs / MIN))) + tail;

          const report = computeSloReport(events, definitions, asOfMinute * MIN);
          const expected = bruteForce(events, asOfMinute);

          expect(report.transitions.map((t) => [t.alert.name, t.state, t.atMs])).toEqual(
            expected.transitions,
          );
          expect(report.slos[0]!.budget).toMatchObject({
            validEvents: expected.budget.valid,
            badEvents: expected.budget.bad,
          });
          expect(report.stats.tooLate).toBe(expected.tooLate);
        },
      ),
      { numRuns: 150, seed: 20261121 },
    );
  });
});
