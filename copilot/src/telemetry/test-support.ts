import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Writes a telemetry directory (DESIGN §4.4) from literal events, for tests: raw lines may be given to plant
 * broken input next to good events.
 */
export interface FixtureGroup {
  /** Real group name; the directory is its sanitised form. */
  name: string;
  events: (
    | { id?: string; timestamp: number; logStream?: string; message: string | object }
    | { raw: string }
  )[];
}

export async function writeTelemetryFixture(
  groups: FixtureGroup[],
  segments: (object | { raw: string })[] = [],
) {
  const root = await mkdtemp(join(tmpdir(), 'telemetry-'));
  let n = 0;
  for (const group of groups) {
    const dir = join(root, 'logs', group.name.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '_'));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'group.json'), JSON.stringify({ logGroupName: group.name }));
    const byDay = new Map<string, string[]>();
    for (const event of group.events) {
      const line =
        'raw' in event
          ? event.raw
          : JSON.stringify({
              id: event.id ?? `e${++n}`,
              timestamp: event.timestamp,
              logStream: event.logStream ?? 'stream-1',
              message: typeof event.message === 'string' ? event.message : JSON.stringify(event.message),
            });
      const day = 'raw' in event ? '2026-11-02' : new Date(event.timestamp).toISOString().slice(0, 10);
      byDay.set(day, [...(byDay.get(day) ?? []), line]);
    }
    for (const [day, lines] of byDay) await writeFile(join(dir, `${day}.log`), `${lines.join('\n')}\n`);
  }
  if (segments.length > 0) {
    await mkdir(join(root, 'xray'), { recursive: true });
    const lines = segments.map((s) => ('raw' in s ? (s as { raw: string }).raw : JSON.stringify(s)));
    await writeFile(join(root, 'xray', '2026-11-02.jsonl'), `${lines.join('\n')}\n`);
  }
  return root;
}

/** Unix ms on the fixture day. */
export const T = (minutes: number, seconds = 0) =>
  Date.UTC(2026, 10, 2, 10, 0, 0) + minutes * 60_000 + seconds * 1000;

/** An EMF document as a log message. */
export function emf(
  namespace: string,
  dims: Record<string, string>,
  metrics: Record<string, [number | number[], string]>,
  at: number,
) {
  return {
    _aws: {
      Timestamp: at,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dims)],
          Metrics: Object.entries(metrics).map(([name, [, unit]]) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...dims,
    ...Object.fromEntries(Object.entries(metrics).map(([name, [value]]) => [name, value])),
  };
}

/**
 * A checkout trace (`i` picks its minute) whose call to `orders-table` faults when `fault` is set: the estate the
 * tools' and the chat's tests diagnose.
 */
export const checkoutTrace = (i: number, fault: boolean) => ({
  trace_id: `1-6a000000-${String(i).padStart(24, '0')}`,
  id: `seg${String(i).padStart(13, '0')}`,
  name: 'checkout',
  start_time: T(i % 20) / 1000,
  end_time: T(i % 20) / 1000 + 0.05,
  http: { response: { status: fault ? 500 : 200 } },
  ...(fault ? { fault: true } : {}),
  subsegments: [
    {
      id: `sub${String(i).padStart(13, '0')}`,
      name: 'orders-table',
      namespace: 'aws',
      start_time: T(i % 20) / 1000 + 0.01,
      end_time: T(i % 20) / 1000 + 0.04,
      aws: { operation: 'Query' },
      ...(fault ? { fault: true, cause: { exceptions: [{ type: 'InternalServerError' }] } } : {}),
    },
  ],
});

/** Checkout's log lines and EMF error counts over 20 minutes, failing from minute 15. */
export function checkoutLogEvents(): FixtureGroup['events'] {
  return [
    ...Array.from({ length: 20 }, (_, i) => ({
      timestamp: T(i),
      message: {
        level: i >= 15 ? 'ERROR' : 'INFO',
        message: i >= 15 ? 'order lookup failed' : 'request',
        statusCode: i >= 15 ? 500 : 200,
      },
    })),
    ...Array.from({ length: 20 }, (_, i) => ({
      timestamp: T(i, 30),
      message: emf('Shop', { function_name: 'checkout' }, { Errors: [i >= 15 ? 4 : 0, 'Count'] }, T(i, 30)),
    })),
  ];
}
