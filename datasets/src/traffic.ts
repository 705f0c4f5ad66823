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

export interface TrafficTrace {
  readonly minutes: TrafficMinute[];
  /** Rows that could not be used, counted rather than fatal so one bad line never loses a month of data. */
  readonly skipped: SkippedRow[];
  /** The input line of each minute (minuteLines[i] is that of minutes[i]): outputs keep one row per input row. */
  readonly minuteLines: number[];
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
 * Parses a per-minute trace; rows out of time order or unreadable are skipped and reported. Timestamps are
 * ISO-8601 (a space for the `T` and no zone read as UTC) or unix seconds / milliseconds.
 */
export function parseTrafficCsv(text: string): TrafficTrace {
  const { records, malformed } = readCsv(text);
  const [header, ...rows] = records;
  const columns = columnIndexes(header?.fields ?? [], header?.line ?? 1);
  const minutes: TrafficMinute[] = [];
  const minuteLines: number[] = [];
  const skipped: SkippedRow[] = [...malformed];
  for (const { line, fields } of rows) {
    const timestamp = fields[columns.time]?.trim() ?? '';
    const row = parseRow(timestamp, fields, columns);
    if (typeof row === 'string') {
      skipped.push({ line, reason: row, timestamp });
    } else if (minutes.length > 0 && row.time <= minutes[minutes.length - 1]!.time) {
      skipped.push({ line, reason: 'timestamp not after the previous row', timestamp });
    } else {
      minutes.push(row);
      minuteLines.push(line);
    }
  }
  skipped.sort((a, b) => a.line - b.line);
  return { minutes, skipped, minuteLines };
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
