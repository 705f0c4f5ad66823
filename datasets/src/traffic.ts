import { readFile } from 'node:fs/promises';
import { readCsv } from '@boundless/common/csv';
import { parseTimestamp } from '@boundless/common/time';

/**
 * Loader for per-minute request traces `timestamp,requests[,peak_rps]`, such as the NASA Kennedy Space Center
 * web server log of July 1995 aggregated per minute (original logs: the Internet Traffic Archive, NASA-HTTP;
 * per-second counts: github.com/reconfigurable-ml-pipeline/web-service-datasets). Download it and point the
 * path at the CSV; the project's commands default to `../shared/data/` + {@link DEFAULT_TRAFFIC_TRACE}.
 */

export const DEFAULT_TRAFFIC_TRACE = 'traffic/nasa-kennedy-jul1995-per-minute.csv';

export class TrafficDataError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TrafficDataError';
  }
}

/** One minute of traffic. `time` is epoch ms; `timestamp` keeps the input text so outputs echo it verbatim. */
export interface TrafficMinute {
  readonly time: number;
  readonly timestamp: string;
  /** Requests that arrived during the minute. */
  readonly requests: number;
  /** Requests in the busiest second of the minute. */
  readonly peakRps: number;
}

export interface SkippedRow {
  readonly line: number;
  readonly reason: string;
  /** The row's timestamp as written ('' when the line could not be read as CSV at all). */
  readonly timestamp?: string;
}

/** One data line of the input, in input order, and the minute that answers it. */
export interface TraceRow {
  readonly line: number;
  /** The row's timestamp as written ('' when the line could not be read as CSV at all). */
  readonly timestamp: string;
  /** Index into {@link TrafficTrace.minutes} of the row's minute; -1 for a row that could not be used. */
  readonly minute: number;
}

export interface TrafficTrace {
  /** The usable minutes in time order, one per timestamp, whatever order the input had. */
  readonly minutes: TrafficMinute[];
  /** Rows that could not be used, counted rather than fatal so one bad line never loses a month of data. */
  readonly skipped: SkippedRow[];
  /** Every data line in input order, so outputs keep one row per input row. */
  readonly rows: TraceRow[];
  /** Rows whose timestamp an earlier line already gave: the first line's counts are used, these answered with it. */
  readonly duplicates: number;
  /** Rows earlier in time than a line before them: sorted into place. */
  readonly reordered: number;
}

/**
 * Without a peak column the busiest second is estimated as that of a Poisson minute with the same mean,
 * about three standard deviations above it (the largest of 60 draws).
 */
export function estimatePeakRps(requests: number): number {
  const mean = requests / 60;
  return Math.min(requests, mean + 3 * Math.sqrt(mean));
}

function columnIndexes(
  header: readonly string[],
  line: number,
): { time: number; requests: number; peak: number } {
  const names = header.map((name) => name.trim().toLowerCase());
  const time = names.indexOf('timestamp');
  const requests = names.indexOf('requests');
  if (time < 0 || requests < 0) {
    throw new TrafficDataError(
      `line ${line}: the header must name timestamp and requests (optionally peak_rps), found "${header.join(',').trim()}"`,
    );
  }
  return { time, requests, peak: names.indexOf('peak_rps') };
}

function parseRow(
  timestamp: string,
  fields: string[],
  columns: ReturnType<typeof columnIndexes>,
): TrafficMinute | string {
  // A time without a zone is UTC: the same trace plans the same on a machine in any time zone.
  const time = parseTimestamp(timestamp);
  if (Number.isNaN(time)) return `unreadable timestamp "${timestamp}"`;
  const requests = Number(fields[columns.requests]);
  if (!Number.isFinite(requests) || requests < 0) return `requests must be a number ≥ 0`;
  if (columns.peak < 0 || (fields[columns.peak]?.trim() ?? '') === '') {
    return { time, timestamp, requests, peakRps: estimatePeakRps(requests) };
  }
  const peakRps = Number(fields[columns.peak]);
  if (!Number.isFinite(peakRps) || peakRps < 0) return `peak_rps must be a number ≥ 0`;
  // A busiest second can neither hold more than the minute nor less than its average.
  return { time, timestamp, requests, peakRps: Math.min(requests, Math.max(peakRps, requests / 60)) };
}

/**
 * Parses a per-minute trace. Rows may come in any order: they are sorted by time, and a row repeating an earlier
 * row's timestamp is counted and answered with that minute (the first line's counts are used). Unreadable rows
 * are skipped and reported. Timestamps are ISO-8601 (a space for the `T` and no zone read as UTC) or unix
 * seconds / milliseconds, in any mix.
 */
export function parseTrafficCsv(text: string): TrafficTrace {
  const { records, malformed } = readCsv(text);
  const [header, ...rest] = records;
  const columns = columnIndexes(header?.fields ?? [], header?.line ?? 1);
  const skipped: SkippedRow[] = [...malformed];
  const read: { line: number; timestamp: string; minute: TrafficMinute | null }[] = malformed.map((bad) => ({
    line: bad.line,
    timestamp: '',
    minute: null,
  }));
  let reordered = 0;
  let latest = Number.NEGATIVE_INFINITY;
  for (const { line, fields } of rest) {
    const timestamp = fields[columns.time]?.trim() ?? '';
    const row = parseRow(timestamp, fields, columns);
    if (typeof row === 'string') {
      skipped.push({ line, reason: row, timestamp });
      read.push({ line, timestamp, minute: null });
      continue;
    }
    if (row.time < latest) reordered++;
    latest = Math.max(latest, row.time);
    read.push({ line, timestamp, minute: row });
  }
  read.sort((a, b) => a.line - b.line);
  skipped.sort((a, b) => a.line - b.line);
  // The first line of each time, in time order (a stable sort keeps lines of one time in input order).
  const usable = read.filter((row) => row.minute !== null).sort((a, b) => a.minute!.time - b.minute!.time);
  const minutes: TrafficMinute[] = [];
  const indexOf = new Map<number, number>();
  let duplicates = 0;
  for (const { minute } of usable) {
    if (indexOf.has(minute!.time)) {
      duplicates++;
      continue;
    }
    indexOf.set(minute!.time, minutes.length);
    minutes.push(minute!);
  }
  const rows = read.map(({ line, timestamp, minute }) => ({
    line,
    timestamp,
    minute: minute === null ? -1 : indexOf.get(minute.time)!,
  }));
  return { minutes, skipped, rows, duplicates, reordered };
}

export async function loadTrafficTrace(path: string): Promise<TrafficTrace> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new TrafficDataError(`cannot read traffic trace ${path}: ${reason}`, { cause: error });
  }
  try {
    return parseTrafficCsv(text);
  } catch (error) {
    // The parser knows the line, not the file: the message names both.
    if (!(error instanceof TrafficDataError)) throw error;
    throw new TrafficDataError(`${path}: ${error.message}`, { cause: error });
  }
}
