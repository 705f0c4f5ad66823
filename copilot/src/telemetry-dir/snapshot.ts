import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { emfPoints } from './emf.ts';
import { parseLogMessage, toLogRecord } from './log-message.ts';
import { resolveSpans, segmentSpans } from './segments.ts';
import {
  countSkip,
  emptySkips,
  type LogRecord,
  type MetricPoint,
  type SkipCounts,
  type Span,
  type TelemetrySnapshot,
} from './types.ts';

/**
 * Reads a telemetry directory (DESIGN §4.4) over a time range: `logs/<sanitised group>/<YYYY-MM-DD>.log` with
 * `group.json`, and `xray/<YYYY-MM-DD>.jsonl`. Lines that are not events or documents are counted by reason,
 * never fatal; a missing `logs/` or `xray/` is reported in `has`, so the caller can say what it could not see.
 */
export class TelemetryDirectoryError extends Error {
  override name = 'TelemetryDirectoryError';
}

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function daysBetween(startMs: number, endMs: number): Set<string> {
  const days = new Set<string>();
  for (let t = Math.floor(startMs / DAY_MS) * DAY_MS; t <= endMs; t += DAY_MS) days.add(dayOf(t));
  return days;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

export interface LogGroupDirectory {
  group: string;
  directory: string;
}

/** The log groups under `logs/`, each with its real name; a directory without a readable group.json is skipped. */
export async function listGroupDirectories(
  logsDir: string,
  skips?: SkipCounts,
): Promise<LogGroupDirectory[]> {
  const entries = await readdir(logsDir, { withFileTypes: true }).catch(() => []);
  const groups: LogGroupDirectory[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const directory = join(logsDir, entry.name);
    const text = await readFile(join(directory, 'group.json'), 'utf8').catch(() => undefined);
    let name: unknown;
    try {
      name = text === undefined ? undefined : (JSON.parse(text) as { logGroupName?: unknown }).logGroupName;
    } catch {
      name = undefined;
    }
    if (typeof name !== 'string' || name === '') {
      if (skips) countSkip(skips, 'logs: group directory without a readable group.json');
      continue;
    }
    groups.push({ group: name, directory });
  }
  return groups.sort((a, b) => a.group.localeCompare(b.group));
}

const TIMESTAMP = /"timestamp":(\d+)[,}]/;

function readLogLines(
  text: string,
  group: string,
  startMs: number,
  endMs: number,
  logs: LogRecord[],
  metrics: MetricPoint[],
  skips: SkipCounts,
): void {
  for (const line of text.split('\n')) {
    if (line === '') continue;
    // Most lines are out of range in a long day file: look at the timestamp before parsing the whole line.
    const quick = TIMESTAMP.exec(line.slice(0, 160));
    if (quick) {
      const ts = Number(quick[1]);
      if (ts < startMs || ts > endMs) continue;
    }
    let event: { id?: unknown; timestamp?: unknown; logStream?: unknown; message?: unknown };
    try {
      event = JSON.parse(line);
    } catch {
      countSkip(skips, 'logs: line is not JSON');
      continue;
    }
    if (typeof event !== 'object' || event === null) {
      countSkip(skips, 'logs: line is not an event object');
      continue;
    }
    if (typeof event.timestamp !== 'number' || !Number.isFinite(event.timestamp)) {
      countSkip(skips, 'logs: event without a numeric timestamp');
      continue;
    }
    if (typeof event.message !== 'string') {
      countSkip(skips, 'logs: event without a message string');
      continue;
    }
    if (event.timestamp < startMs || event.timestamp > endMs) continue;
    const id = typeof event.id === 'string' ? event.id : `${group}@${event.timestamp}`;
    const stream = typeof event.logStream === 'string' ? event.logStream : '';
    const parsed = parseLogMessage(event.message);
    const record = toLogRecord(
      group,
      { id, timestampMs: event.timestamp, logStream: stream, message: event.message },
      parsed,
    );
    if (parsed.kind === 'emf' && parsed.json) {
      const result = emfPoints(parsed.json, { group, stream, eventId: id, timestampMs: event.timestamp });
      if ('invalid' in result) countSkip(skips, result.invalid);
      else for (const point of result.points) metrics.push(point);
    }
    logs.push(record);
  }
}

function readSegmentLines(
  text: string,
  file: string,
  startMs: number,
  endMs: number,
  spans: Span[],
  skips: SkipCounts,
): void {
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line === '') continue;
    let document: unknown;
    try {
      document = JSON.parse(line);
    } catch {
      countSkip(skips, 'xray: line is not JSON');
      continue;
    }
    const result = segmentSpans(document, { file, line: index + 1 });
    if ('invalid' in result) {
      countSkip(skips, result.invalid);
      continue;
    }
    const root = result.spans[0]!;
    if (root.endMs < startMs || root.startMs > endMs) continue;
    for (const span of result.spans) spans.push(span);
  }
}

export interface ReadOptions {
  startMs: number;
  endMs: number;
  /** Only these log groups (real names); all by default. */
  groups?: readonly string[];
  /** Read `xray/` too. @default true */
  traces?: boolean;
}

export async function readTelemetryDirectory(root: string, range: ReadOptions): Promise<TelemetrySnapshot> {
  if (!(await isDirectory(root))) throw new TelemetryDirectoryError(`${root} is not a directory`);
  const { startMs, endMs } = range;
  if (!(endMs >= startMs)) throw new TelemetryDirectoryError(`time range ends before it starts`);
  const skips = emptySkips();
  const logsDir = join(root, 'logs');
  const xrayDir = join(root, 'xray');
  const has = { logs: await isDirectory(logsDir), traces: await isDirectory(xrayDir) };
  const days = daysBetween(startMs, endMs);
  const logs: LogRecord[] = [];
  const metrics: MetricPoint[] = [];
  const groups = has.logs ? await listGroupDirectories(logsDir, skips) : [];
  const wanted = range.groups ? new Set(range.groups) : undefined;
  for (const { group, directory } of groups) {
    if (wanted && !wanted.has(group)) continue;
    const files = await readdir(directory).catch(() => [] as string[]);
    for (const file of files.sort()) {
      if (!/^\d{4}-\d{2}-\d{2}\.log$/.test(file) || !days.has(file.slice(0, 10))) continue;
      const text = await readFile(join(directory, file), 'utf8');
      readLogLines(text, group, startMs, endMs, logs, metrics, skips);
    }
  }
  const spans: Span[] = [];
  if (has.traces && range.traces !== false) {
    const files = await readdir(xrayDir).catch(() => [] as string[]);
    // A segment may start the day before the range and end inside it: read one day back.
    const xrayDays = daysBetween(startMs - DAY_MS, endMs);
    for (const file of files.sort()) {
      if (!/^\d{4}-\d{2}-\d{2}\.jsonl$/.test(file) || !xrayDays.has(file.slice(0, 10))) continue;
      const text = await readFile(join(xrayDir, file), 'utf8');
      readSegmentLines(text, `xray/${file}`, startMs, endMs, spans, skips);
    }
  }
  logs.sort((a, b) => a.timestampMs - b.timestampMs);
  metrics.sort((a, b) => a.timestampMs - b.timestampMs);
  return {
    startMs,
    endMs,
    groups: groups.map((g) => g.group),
    logs,
    metrics,
    spans: resolveSpans(spans),
    skips,
    has,
  };
}
