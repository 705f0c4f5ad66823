import type { Predictive } from '../forecast/predictive.ts';
import { PrewarmError } from './errors.ts';

const MINUTE_MS = 60_000;

/**
 * What a release calendar tells the planner: when scheduled events (title releases, announced pushes)
 * start. People schedule them, so their times are known ahead; how much demand they bring is not, and a
 * forecast of the past cannot see the first minutes of one coming (a release lifts demand several-fold
 * within the lead).
 *
 * The planner learns that from the events it has already seen: for each minute after an event's start, how
 * far the actual peak concurrency rose above the forecast made for it without the calendar (the geometric
 * mean over past events, learned only from rows old enough to be known). It raises the forecast of the same
 * minute after a coming event by that much, never lowers it. Before any event has been seen, nothing moves.
 */
export class EventUplift {
  private readonly starts: number[];
  private readonly sums: Float64Array;
  private readonly counts: Int32Array;

  constructor(
    starts: readonly number[],
    private readonly windowMinutes: number,
  ) {
    this.starts = [...starts].sort((a, b) => a - b);
    this.sums = new Float64Array(windowMinutes);
    this.counts = new Int32Array(windowMinutes);
  }

  /** Whole minutes since the latest event start at or before `time`, or −1 outside every event's window. */
  private offsetOf(time: number): number {
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.starts[middle]! <= time) low = middle + 1;
      else high = middle;
    }
    if (low === 0) return -1;
    const offset = Math.floor((time - this.starts[low - 1]!) / MINUTE_MS);
    return offset < this.windowMinutes ? offset : -1;
  }

  /** A known row: its actual peak concurrency against the forecast made for it without the calendar. */
  learn(time: number, actual: number, forecastMedian: number): void {
    const offset = this.offsetOf(time);
    if (offset < 0 || !Number.isFinite(forecastMedian) || !Number.isFinite(actual)) return;
    // One environment added to both sides keeps a quiet minute's noise from looking like a surge.
    this.sums[offset]! += Math.log((Math.max(0, actual) + 1) / (Math.max(0, forecastMedian) + 1));
    this.counts[offset]!++;
  }

  /** How much to raise the forecast of the minute at `time`: 1 outside events and before any was seen. */
  factor(time: number): number {
    const offset = this.offsetOf(time);
    if (offset < 0 || this.counts[offset] === 0) return 1;
    return Math.max(1, Math.exp(this.sums[offset]! / this.counts[offset]!));
  }
}

/** The forecast distribution with every value multiplied by `factor`. */
export function raisedForecast(predictive: Predictive, factor: number): Predictive {
  if (factor === 1) return predictive;
  return {
    median: predictive.median * factor,
    cdf: (x) => predictive.cdf(x / factor),
    quantile: (q) => predictive.quantile(q) * factor,
  };
}

/**
 * Reads a release calendar: a CSV whose header names a `start` column (ISO-8601 times; other columns, a
 * title for instance, are ignored). A calendar is short and written by people, so a bad row is an error
 * naming its line, not a skip.
 */
export function parseEventCalendar(text: string): number[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((cell) => cell.trim().toLowerCase());
  const column = header.indexOf('start');
  if (column < 0) throw new PrewarmError('event calendar: the header must name a "start" column');
  const starts: number[] = [];
  lines.slice(1).forEach((line, index) => {
    if (line.trim() === '') return;
    const cell = line.split(',')[column]?.trim() ?? '';
    const time = Date.parse(cell);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(cell) || Number.isNaN(time)) {
      throw new PrewarmError(`event calendar line ${index + 2}: "${cell}" is not an ISO-8601 time`);
    }
    starts.push(time);
  });
  return starts;
}
