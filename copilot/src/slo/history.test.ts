import { describe, expect, it } from 'vitest';
import { SloEngine } from './engine.ts';
import { sloHistory } from './history.ts';
import { alertState, computeSloReport } from './report.ts';
import { handDefinitions, MIN, minutes } from './test-support.ts';

// Minutes 0-9 clean, 10-19 half of the requests fail, 20-29 clean; 10 requests a minute.
const incident = () => minutes(0, 30, 10, (m) => (m >= 10 && m < 20 ? 5 : 0));

function engineThrough(closeAt: number): SloEngine {
  const engine = new SloEngine(handDefinitions());
  for (const event of incident()) engine.observe(event);
  engine.advanceTo(closeAt * MIN);
  return engine;
}

describe('Function: sloHistory', () => {
  it('counts each step and gives each alert the burn of the windows ending there', () => {
    const history = sloHistory(engineThrough(30), 'access', { fromMs: 0, toMs: 30 * MIN }, 6);

    expect(history.stepMinutes).toBe(5);
    expect(history.points.map((p) => [p.t / MIN, p.validEvents, p.badEvents])).toEqual([
      [0, 50, 0],
      [5, 50, 0],
      [10, 50, 25],
      [15, 50, 25],
      [20, 50, 0],
      [25, 50, 0],
    ]);
    const page = history.alerts.find((a) => a.name === 'page')!;
    // At 15:00 the 10m window holds minutes 5-14: 25 bad of 100 at 10 % allowed = 2.5x; 2m: 10 of 20 = 5x.
    expect(page.long[2]).toBeCloseTo(2.5, 9);
    expect(page.short[2]).toBeCloseTo(5, 9);
    // At 30:00 both windows are clean.
    expect(page.long[5]).toBe(0);
    expect(page.short[5]).toBe(0);
  });

  it('uses the minutes before the range for the first windows, and clips to the last closed minute', () => {
    const history = sloHistory(engineThrough(30), 'access', { fromMs: 14 * MIN, toMs: 90 * MIN }, 100);

    expect(history.from).toBe(new Date(14 * MIN).toISOString());
    expect(history.to).toBe(new Date(30 * MIN).toISOString());
    expect(history.points).toHaveLength(16);
    const ticket = history.alerts.find((a) => a.name === 'ticket')!;
    // At 15:00 the 30m window holds minutes 0-14 (the engine saw nothing before 0): 25 bad of 150.
    expect(ticket.long[0]).toBeCloseTo(25 / 150 / 0.1, 9);
  });

  it('returns an empty history before any event and refuses an unknown SLO', () => {
    const engine = new SloEngine(handDefinitions());
    expect(sloHistory(engine, 'access', { fromMs: 0, toMs: MIN }).points).toEqual([]);
    expect(() => sloHistory(engine, 'nope', { fromMs: 0, toMs: MIN })).toThrow(/no SLO "nope"/);
  });
});

describe('Minimum-traffic rule', () => {
  const fewRequests = () => minutes(0, 20, 1, (m) => (m >= 10 ? 1 : 0));

  it('keeps an alert from firing while its long window holds fewer valid events than minEvents', () => {
    const quiet = computeSloReport(fewRequests(), handDefinitions({ defaults: withMinEvents(50) }), 20 * MIN);
    const loud = computeSloReport(fewRequests(), handDefinitions({ defaults: withMinEvents(0) }), 20 * MIN);

    expect(quiet.transitions).toEqual([]);
    expect(quiet.slos[0]!.alerts.find((a) => a.name === 'page')).toMatchObject({
      state: 'low_traffic',
      minEvents: 50,
    });
    expect(loud.transitions.map((t) => t.alert.name)).toContain('page');
  });

  it('lets one alert override the default', () => {
    const definitions = handDefinitions({
      defaults: withMinEvents(50),
      burnRateAlerts: [{ name: 'page', long: '10m', short: '2m', burnRate: 2, action: 'page', minEvents: 5 }],
    });
    expect(definitions.alerts[0]!.minEvents).toBe(5);
    expect(computeSloReport(fewRequests(), definitions, 20 * MIN).transitions).not.toEqual([]);
  });
});

describe('Function: alertState', () => {
  const w = (burn: number, valid = 100) => ({
    minutes: 10,
    validEvents: valid,
    badEvents: 0,
    burnRate: burn,
  });
  const alert = { burnRate: 2, minEvents: 20 };

  it('names pending when one window is over, low traffic when both are but the long one is thin', () => {
    expect(alertState(true, w(3), w(3), alert)).toBe('firing');
    expect(alertState(false, w(1), w(3), alert)).toBe('pending');
    expect(alertState(false, w(3), w(1), alert)).toBe('pending');
    expect(alertState(false, w(3, 10), w(3), alert)).toBe('low_traffic');
    expect(alertState(false, w(2), w(2), alert)).toBe('ok');
  });
});

function withMinEvents(minEvents: number) {
  return {
    window: '1h',
    availabilityObjective: 0.9,
    latency: { quantile: 0.9, thresholdMs: 200 },
    currentBurnWindow: '10m',
    minEvents,
  };
}
