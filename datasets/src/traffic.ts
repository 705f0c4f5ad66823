import { readFile } from 'node:fs/promises';
import { readCsv } from '@boundless/common/csv';
import { mulberry32 } from '@boundless/common/random';

/**
 * Loader for per-minute request traces `timestamp,requests[,peak_rps]`, such as the NASA Kennedy Space Center
 * web server log of July 1995 aggregated per minute (original logs: the Internet Traffic Archive, NASA-HTTP;
 * per-second counts: github.com/reconfigurable-ml-pipeline/web-service-datasets). Download it and point the
 * path at the CSV; the project's commands default to `../shared/data/` + {@link DEFAULT_TRAFFIC_TRACE}.
 */

export const DEFAULT_TRAFFIC_TRACE = 'traffic/nasa-kennedy-jul1995-per-minute.csv';

const MINUTE_MS = 60_000;

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
}

export interface TrafficTrace {
  readonly minutes: TrafficMinute[];
  /** Rows that could not be used, counted rather than fatal so one bad line never loses a month of data. */
  readonly skipped: SkippedRow[];
}

/**
 * Without a peak column the busiest second is estimated as that of a Poisson minute with the same mean,
 * about three standard deviations above it (the largest of 60 draws).
 */
export function estimatePeakRps(requests: number): number {
  const mean = requests / 60;
  return Math.min(requests, mean + 3 * Math.sqrt(mean));
}

function columnIndexes(header: readonly string[]): { time: number; requests: number; peak: number } {
  const names = header.map((name) => name.trim().toLowerCase());
  const time = names.indexOf('timestamp');
  const requests = names.indexOf('requests');
  if (time < 0 || requests < 0) {
    throw new TrafficDataError(
      `the header must name timestamp and requests (optionally peak_rps), found "${header.join(',').trim()}"`,
    );
  }
  return { time, requests, peak: names.indexOf('peak_rps') };
}

function parseRow(fields: string[], columns: ReturnType<typeof columnIndexes>): TrafficMinute | string {
  const timestamp = fields[columns.time]?.trim() ?? '';
  const time = Date.parse(timestamp);
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

/** Parses a per-minute trace; rows out of time order or unreadable are skipped and reported. */
export function parseTrafficCsv(text: string): TrafficTrace {
  const { records, malformed } = readCsv(text);
  const [header, ...rows] = records;
  const columns = columnIndexes(header?.fields ?? []);
  const minutes: TrafficMinute[] = [];
  const skipped: SkippedRow[] = [...malformed];
  for (const { line, fields } of rows) {
    const row = parseRow(fields, columns);
    if (typeof row === 'string') {
      skipped.push({ line, reason: row });
    } else if (minutes.length > 0 && row.time <= minutes[minutes.length - 1]!.time) {
      skipped.push({ line, reason: 'timestamp not after the previous row' });
    } else {
      minutes.push(row);
    }
  }
  skipped.sort((a, b) => a.line - b.line);
  return { minutes, skipped };
}

export async function loadTrafficTrace(path: string): Promise<TrafficTrace> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TrafficDataError(`cannot read traffic trace ${path}`, { cause: error });
  }
  return parseTrafficCsv(text);
}

export type ScaleMode = 'independent' | 'linear';

export interface ScaleOptions {
  /**
   * `independent` (default): the larger service is `factor` independent audiences like the original, so the
   * shared trend grows ×factor while minute-to-minute and second-to-second jitter grow only ×√factor.
   * `linear`: every count ×factor, keeping a small site's jitter at any size.
   */
  readonly mode?: ScaleMode;
  /** Trailing window that separates the shared trend from the jitter in `independent` mode. */
  readonly trendMinutes?: number;
  /**
   * Busiest second of a scaled minute in `independent` mode. `audience`: the mean plus √factor × this one
   * audience's busiest-second excess. `pooled` (see {@link pooledBurst}): √factor × the audiences' typical
   * excess (trailing mean over `trendMinutes`), times a fresh draw of the largest of 60 Gaussian seconds.
   */
  readonly peakModel?: PeakModel;
  /** Seed of the `pooled` draws. */
  readonly seed?: number;
}

export type PeakModel = 'audience' | 'pooled';

/** Expected largest of 60 independent standard normal draws. */
const EXPECTED_MAX_OF_60 = 2.3193;

/**
 * Busiest-second excess of `factor` independent audiences. Each second of their sum deviates from the mean
 * by √factor × one audience's per-second spread, and the busiest of 60 such seconds is about 2.3 of those
 * spreads above the mean, varying little from minute to minute. One small site's busiest second is a much
 * noisier statistic (a few requests, heavy-tailed), so √factor × its excess would give the large service
 * a busiest second as erratic as the small one's. Here the level of the excess is kept (its recent mean, so
 * the peak stays as high on average) and only the variation of a maximum of 60 pooled seconds is added.
 */
export function pooledBurst(typicalExcess: number, jitter: number, random: () => number): number {
  let largest = Number.NEGATIVE_INFINITY;
  for (let second = 0; second < 60; second++) {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    largest = Math.max(largest, gaussian);
  }
  return Math.max(0, jitter * typicalExcess * (largest / EXPECTED_MAX_OF_60));
}

/**
 * Scales a trace to a service `factor` times larger. A sum of independent audiences has its mean ×factor and
 * its standard deviation ×√factor; the NASA minute counts are overdispersed (variance ≈ 3.5 × mean) and
 * scaling them linearly would give a large service the ±30 % minute-to-minute swings of a small site. The
 * trend is a trailing mean, so scaled row t depends on input rows ≤ t only and planning stays causal.
 */
export function scaleTraffic(
  minutes: readonly TrafficMinute[],
  factor: number,
  options: ScaleOptions = {},
): TrafficMinute[] {
  if (!(factor > 0) || !Number.isFinite(factor)) {
    throw new TrafficDataError(`scale must be a positive number, got ${factor}`);
  }
  const mode = options.mode ?? 'independent';
  const window = options.trendMinutes ?? 15;
  if (!Number.isInteger(window) || window < 1) {
    throw new TrafficDataError(`trendMinutes must be a positive integer, got ${window}`);
  }
  const jitter = mode === 'linear' ? factor : Math.sqrt(factor);
  const pooled = mode === 'independent' && options.peakModel === 'pooled';
  const random = mulberry32(options.seed ?? 1);
  const excessOf = (minute: TrafficMinute) => Math.max(0, minute.peakRps - minute.requests / 60);
  let windowSum = 0;
  let excessSum = 0;
  return minutes.map((minute, index) => {
    const seen = Math.min(index + 1, window);
    windowSum += minute.requests - (index >= window ? minutes[index - window]!.requests : 0);
    excessSum += excessOf(minute) - (index >= window ? excessOf(minutes[index - window]!) : 0);
    const trend = mode === 'linear' ? minute.requests : windowSum / seen;
    const requests = Math.max(0, trend * factor + jitter * (minute.requests - trend));
    const burst = pooled ? pooledBurst(excessSum / seen, jitter, random) : jitter * excessOf(minute);
    const peakRps = Math.min(requests, requests / 60 + burst);
    return { ...minute, requests, peakRps };
  });
}

/**
 * Inserts idle minutes where the trace has none so that row i is minute i; simulators need a dense clock.
 * Inserted rows carry an ISO timestamp in UTC.
 */
export function fillMissingMinutes(minutes: readonly TrafficMinute[]): {
  minutes: TrafficMinute[];
  filled: number;
} {
  const dense: TrafficMinute[] = [];
  let filled = 0;
  for (const minute of minutes) {
    const previous = dense[dense.length - 1];
    if (previous) {
      for (let time = previous.time + MINUTE_MS; time <= minute.time - MINUTE_MS; time += MINUTE_MS) {
        dense.push({ time, timestamp: new Date(time).toISOString(), requests: 0, peakRps: 0 });
        filled++;
      }
    }
    dense.push(minute);
  }
  return { minutes: dense, filled };
}
