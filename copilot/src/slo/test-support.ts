import { parseSloDefinitions, type SloDefinitions, type SloDefinitionsInput } from './definitions.ts';
import type { SloEvent } from './events.ts';

export const MIN = 60_000;

/**
 * Small windows so scenarios can be computed by hand: objective 0.9 (10 % budget), 60-minute SLO window,
 * 10-minute current burn, a 10m/2m page at 2x and a 30m/10m ticket at 1x.
 */
export function handDefinitions(overrides: Partial<SloDefinitionsInput> = {}): SloDefinitions {
  return parseSloDefinitions({
    defaults: {
      window: '1h',
      availabilityObjective: 0.9,
      latency: { quantile: 0.9, thresholdMs: 200 },
      currentBurnWindow: '10m',
    },
    burnRateAlerts: [
      { name: 'page', long: '10m', short: '2m', burnRate: 2, action: 'page' },
      { name: 'ticket', long: '30m', short: '10m', burnRate: 1, action: 'ticket' },
    ],
    pathClasses: [],
    slos: [{ id: 'access', description: 'access up', sli: 'availability', selector: { source: 'api' } }],
    ...overrides,
  });
}

export function apiEvent(timestampMs: number, status = 200, latencyMs = 10): SloEvent {
  return { timestampMs, source: 'api', route: 'POST /v1/access', status, latencyMs };
}

/** `perMinute` requests in each minute of [from, to), the first `bad(minute)` of them answered 503. */
export function minutes(
  from: number,
  to: number,
  perMinute: number,
  bad: (minute: number) => number,
): SloEvent[] {
  const events: SloEvent[] = [];
  for (let minute = from; minute < to; minute++) {
    const badCount = bad(minute);
    for (let i = 0; i < perMinute; i++)
      events.push(apiEvent(minute * MIN + i * 1000, i < badCount ? 503 : 200));
  }
  return events;
}
