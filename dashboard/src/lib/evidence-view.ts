/**
 * What an opened citation shows, from the observation the copilot fetched again: a log event's line, a trace's
 * spans as a flat list (depth for indentation, the cited span marked), a metric's points (the cited one marked).
 * The observations come from whatever the data holds, so every field is read defensively.
 */
export interface SpanRow {
  id: string;
  name: string;
  depth: number;
  startMs: number;
  durationMs: number;
  status: 'fault' | 'error' | 'throttle' | 'ok';
  httpStatus?: number;
  cited: boolean;
}

type Segment = {
  id?: unknown;
  name?: unknown;
  start_time?: unknown;
  end_time?: unknown;
  error?: unknown;
  fault?: unknown;
  throttle?: unknown;
  http?: { response?: { status?: unknown } };
  subsegments?: unknown;
};

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function traceRows(observation: unknown, citedSpanId?: string): SpanRow[] {
  const segments = (observation as { segments?: unknown })?.segments;
  if (!Array.isArray(segments)) return [];
  const rows: SpanRow[] = [];
  const walk = (segment: Segment, depth: number) => {
    const start = num(segment.start_time) ?? 0;
    const end = num(segment.end_time) ?? start;
    const id = String(segment.id ?? '');
    const httpStatus = num(segment.http?.response?.status);
    rows.push({
      id,
      name: String(segment.name ?? '?'),
      depth,
      startMs: start * 1000,
      durationMs: Math.max(0, (end - start) * 1000),
      status: segment.fault ? 'fault' : segment.error ? 'error' : segment.throttle ? 'throttle' : 'ok',
      ...(httpStatus === undefined ? {} : { httpStatus }),
      cited: citedSpanId !== undefined && id === citedSpanId,
    });
    if (Array.isArray(segment.subsegments))
      for (const sub of segment.subsegments) walk(sub as Segment, depth + 1);
  };
  for (const segment of [...segments].sort(
    (a, b) => (num((a as Segment).start_time) ?? 0) - (num((b as Segment).start_time) ?? 0),
  ))
    walk(segment as Segment, 0);
  return rows;
}

export interface MetricRow {
  timestamp: string;
  value: number;
  cited: boolean;
}

export function metricRows(observation: unknown, citedAt?: unknown): MetricRow[] {
  const points = (observation as { points?: unknown })?.points;
  if (!Array.isArray(points)) return [];
  const at =
    typeof citedAt === 'number' ? citedAt : typeof citedAt === 'string' ? Date.parse(citedAt) : Number.NaN;
  return points.flatMap((p: { timestamp?: unknown; value?: unknown }) => {
    const value = num(p?.value);
    if (value === undefined || typeof p.timestamp !== 'string') return [];
    return [{ timestamp: p.timestamp, value, cited: Date.parse(p.timestamp) === at }];
  });
}
