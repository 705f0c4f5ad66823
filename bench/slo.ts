/**
 * SLO engine throughput: normalized events per second through the streaming engine with the shipped slos.json
 * (every event tested against every SLO, minutes closing and alerts evaluated on the way), and access API log
 * lines per second through the line adapter. Seeded synthetic traffic over two days of event time with a
 * 20-minute incident, so the alert path runs too.
 */
import {
  apiSloEvent,
  computeSloReport,
  loadSloDefinitions,
  SloEngine,
  type SloEvent,
} from '@boundless/copilot/slo';
import { mulberry32 } from '@boundless/common/random';

const EVENTS = Number(process.env.BENCH_SLO_EVENTS ?? 2_000_000);
const API_LINES = Number(process.env.BENCH_SLO_API_LINES ?? 500_000);
const START_MS = Date.UTC(2026, 10, 20);
const SPAN_MS = 2 * 86_400_000;
const INCIDENT_FROM = START_MS + 30 * 3_600_000;
const INCIDENT_TO = INCIDENT_FROM + 20 * 60_000;

const CONTENT = ['epub', 'audio', 'interactive', 'image'] as const;

function syntheticEvents(count: number): SloEvent[] {
  const random = mulberry32(7);
  const events: SloEvent[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const timestampMs = START_MS + Math.floor((i / count) * SPAN_MS);
    const incident = timestampMs >= INCIDENT_FROM && timestampMs < INCIDENT_TO;
    const status = random() < (incident ? 0.05 : 0.0002) ? 503 : 200;
    const latencyMs = Math.round(-Math.log(1 - random()) * (incident ? 300 : 60));
    if (random() < 0.3) {
      const event: SloEvent = { timestampMs, source: 'api', route: 'POST /v1/access', status, latencyMs };
      event.channel = random() < 0.2 ? 'b2b' : 'b2c';
      events[i] = event;
    } else {
      const contentClass = CONTENT[Math.floor(random() * CONTENT.length)]!;
      events[i] = { timestampMs, source: 'edge', route: 'titles', contentClass, status, latencyMs };
    }
  }
  return events;
}

function apiLines(count: number): string[] {
  return syntheticEvents(count).map((event) =>
    JSON.stringify({
      level: 'INFO',
      message: 'request',
      service: 'access-api',
      timestamp: new Date(event.timestampMs).toISOString(),
      route: 'POST /v1/access',
      statusCode: event.status,
      durationMs: event.latencyMs,
      channel: 'b2c',
    }),
  );
}

export async function run(): Promise<Record<string, number | string>> {
  const definitions = await loadSloDefinitions();
  const events = syntheticEvents(EVENTS);

  const engine = new SloEngine(definitions);
  const started = performance.now();
  let transitions = 0;
  for (const event of events) transitions += engine.observe(event).length;
  const engineSeconds = (performance.now() - started) / 1000;
  // Two 32-bit counters per minute slot: the whole state, fixed by the widest window whatever the traffic.
  const ringBytes = engine.trackers.reduce((sum, tracker) => sum + (tracker.horizonMinutes + 1) * 8, 0);

  const reportStarted = performance.now();
  const report = computeSloReport(events, definitions, START_MS + SPAN_MS);
  const reportSeconds = (performance.now() - reportStarted) / 1000;

  const lines = apiLines(API_LINES);
  const parseStarted = performance.now();
  let parsed = 0;
  for (const line of lines) if (typeof apiSloEvent(line) === 'object') parsed++;
  const parseSeconds = (performance.now() - parseStarted) / 1000;

  const result = {
    events: EVENTS,
    slos: definitions.slos.length,
    engineEventsPerSec: Math.round(EVENTS / engineSeconds),
    reportEventsPerSec: Math.round(EVENTS / reportSeconds),
    apiLinesPerSec: Math.round(parsed / parseSeconds),
    engineRingMiB: Math.round((ringBytes / 2 ** 20) * 100) / 100,
    alertTransitions: transitions,
    findings: report.findings.length,
  };
  for (const [key, value] of Object.entries(result)) process.stdout.write(`${key} ${value}\n`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
