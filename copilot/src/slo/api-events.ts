import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sanitiseLogGroupName } from '../telemetry-dir/index.ts';
import { CHANNELS, type Channel } from './definitions.ts';
import { SloError } from './errors.ts';
import type { SloEvent } from './events.ts';

export interface ApiLogStats {
  files: number;
  lines: number;
  events: number;
  /** Log lines that are not per-request lines (cold starts, warnings, EMF metrics). */
  ignored: number;
  /** Lines that are not JSON, or request lines missing a usable route, status, duration or time. */
  malformed: number;
}

export function newApiLogStats(): ApiLogStats {
  return { files: 0, lines: 0, events: 0, ignored: 0, malformed: 0 };
}

type LineVerdict = SloEvent | 'ignored' | 'malformed';

const isChannel = (value: unknown): value is Channel => CHANNELS.includes(value as Channel);

/**
 * One access API log line (Powertools logger JSON, bare or inside a stored log event) as an SLO event. Only
 * `message: "request"` lines describe a served request; `fallbackTimestampMs` is the log event's time, used when
 * the line has no `timestamp` of its own.
 */
export function apiSloEvent(line: string, fallbackTimestampMs?: number): LineVerdict {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null) return 'malformed';
    entry = parsed as Record<string, unknown>;
  } catch (error) {
    // Counted as malformed by the caller, never fatal.
    if (error instanceof SyntaxError) return 'malformed';
    throw error;
  }
  // Local log-group files and subscription filters wrap the printed line: {"id","timestamp","logStream","message"}.
  if (
    typeof entry['message'] === 'string' &&
    typeof entry['timestamp'] === 'number' &&
    'logStream' in entry
  ) {
    const inner = entry['message'];
    return inner.startsWith('{') ? apiSloEvent(inner, entry['timestamp']) : 'ignored';
  }
  if (entry['message'] !== 'request') return 'ignored';
  const { route, statusCode, durationMs, timestamp, channel } = entry;
  const timestampMs = typeof timestamp === 'string' ? Date.parse(timestamp) : fallbackTimestampMs;
  if (
    typeof route !== 'string' ||
    typeof statusCode !== 'number' ||
    typeof durationMs !== 'number' ||
    !Number.isFinite(durationMs) ||
    timestampMs === undefined ||
    !Number.isFinite(timestampMs)
  )
    return 'malformed';
  const event: SloEvent = { timestampMs, source: 'api', route, status: statusCode, latencyMs: durationMs };
  if (isChannel(channel)) event.channel = channel;
  return event;
}

/** Counts one line into `stats` and returns its event, if it is one. */
export function countApiLine(
  line: string,
  stats: ApiLogStats,
  fallbackTimestampMs?: number,
): SloEvent | null {
  if (line.trim() === '') return null;
  stats.lines++;
  const verdict = apiSloEvent(line, fallbackTimestampMs);
  if (verdict === 'ignored' || verdict === 'malformed') {
    stats[verdict]++;
    return null;
  }
  stats.events++;
  return verdict;
}

async function* fileEvents(path: string, stats: ApiLogStats): AsyncGenerator<SloEvent> {
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  try {
    for await (const line of lines) {
      const event = countApiLine(line, stats);
      if (event) yield event;
    }
  } catch (cause) {
    throw new SloError(`cannot read access API log ${path}`, { cause });
  } finally {
    lines.close();
  }
}

async function logFiles(groupDir: string): Promise<string[]> {
  try {
    const entries = await readdir(groupDir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && e.name.endsWith('.log'))
      .map((e) => join(groupDir, e.name))
      .sort();
  } catch (cause) {
    throw new SloError(`cannot list log group directory ${groupDir}`, { cause });
  }
}

interface Head {
  events: AsyncGenerator<SloEvent>;
  event: SloEvent;
  order: number;
}

/**
 * SLO events from the access API's log group as the local runtime writes it: `<dir>/<group>/*.log` (group name
 * sanitised as the writer does), one JSON object per line. Files are each in time order but may overlap (one per
 * day or per stream), so they are merged by event time; alerts then see minutes close in the order they happened.
 */
export async function* readApiSloEvents(
  dir: string,
  group: string,
  stats: ApiLogStats = newApiLogStats(),
): AsyncGenerator<SloEvent> {
  const files = await logFiles(join(dir, sanitiseLogGroupName(group)));
  stats.files += files.length;
  const heads: Head[] = [];
  const advance = async (head: Omit<Head, 'event'>) => {
    const next = await head.events.next();
    if (!next.done) heads.push({ ...head, event: next.value });
  };
  await Promise.all(files.map((path, order) => advance({ events: fileEvents(path, stats), order })));
  // Few streams at once, so a linear scan for the earliest head beats keeping a heap.
  while (heads.length > 0) {
    let best = 0;
    for (let i = 1; i < heads.length; i++) {
      const a = heads[i]!;
      const b = heads[best]!;
      if (
        a.event.timestampMs < b.event.timestampMs ||
        (a.event.timestampMs === b.event.timestampMs && a.order < b.order)
      )
        best = i;
    }
    const [head] = heads.splice(best, 1);
    yield head!.event;
    await advance(head!);
  }
}
