import { readCsv } from '@boundless/common/csv';
import { parseUtcTime } from '@boundless/common/time';
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
 * far the actual peak concurrency rose above the forecast made for it without the calendar, learned only
 * from rows old enough to be known. The same minute after a coming event is planned against the forecast
 * raised by each earlier event's ratio in turn (an equal mixture), never lowered. Before any event has been
 * seen, nothing moves.
 */
export class EventUplift {
  private readonly starts: number[];
  /** Per minute after an event's start: what each past event's actual peak was over the plain forecast. */
  private readonly ratios: number[][];

  constructor(
    starts: readonly number[],
    private readonly windowMinutes: number,
  ) {
    this.starts = [...starts].sort((a, b) => a - b);
    this.ratios = Array.from({ length: windowMinutes }, () => []);
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
    // One environment added to both sides keeps a quiet minute's noise from looking like a surge; a
    // calendar never lowers a forecast.
    this.ratios[offset]!.push(Math.max(1, (Math.max(0, actual) + 1) / (Math.max(0, forecastMedian) + 1)));
  }

  /** The ratios earlier events showed at the minute of `time` (empty outside events, before any was seen). */
  ratiosAt(time: number): readonly number[] {
    const offset = this.offsetOf(time);
    return offset < 0 ? [] : this.ratios[offset]!;
  }

  /**
   * The forecast of the minute at `time`, raised: an equal mixture of the plain forecast multiplied by each
   * earlier event's ratio, so that how much releases differ from one another is priced as uncertainty.
   */
  raise(time: number, predictive: Predictive): Predictive {
    const ratios = this.ratiosAt(time);
    if (ratios.length === 0) return predictive;
    return mixture(predictive, ratios);
  }
}

/** An equal mixture of `predictive` scaled by each factor; its quantiles found by bisection on the cdf. */
function mixture(predictive: Predictive, factors: readonly number[]): Predictive {
  const low = Math.min(...factors);
  const high = Math.max(...factors);
  const cdf = (x: number) => factors.reduce((sum, f) => sum + predictive.cdf(x / f), 0) / factors.length;
  const quantile = (q: number) => {
    // The mixture's quantile lies between those of its least and most raised members.
    let below = predictive.quantile(q) * low;
    let above = predictive.quantile(q) * high;
    for (let step = 0; step < 40 && above - below > 1e-6 * Math.max(1, above); step++) {
      const middle = (below + above) / 2;
      if (cdf(middle) < q) below = middle;
      else above = middle;
    }
    return above;
  };
  return { median: quantile(0.5), cdf, quantile };
}

/**
 * Reads a release calendar: a CSV whose header names a `start` column (ISO-8601 times, UTC when they name no
 * zone; other columns, a title for instance, are ignored, quoted commas and all). A calendar is short and
 * written by people, so a bad row is an error naming its line, not a skip.
 */
export function parseEventCalendar(text: string): number[] {
  const { records, malformed } = readCsv(text);
  const unreadable = malformed[0];
  if (unreadable) throw new PrewarmError(`event calendar line ${unreadable.line}: ${unreadable.reason}`);
  const [header, ...rows] = records;
  const column = (header?.fields ?? []).map((cell) => cell.trim().toLowerCase()).indexOf('start');
  if (column < 0) throw new PrewarmError('event calendar: the header must name a "start" column');
  const starts: number[] = [];
  for (const { line, fields } of rows) {
    if (fields.every((cell) => cell.trim() === '')) continue;
    const cell = fields[column]?.trim() ?? '';
    const time = parseUtcTime(cell);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(cell) || Number.isNaN(time)) {
      throw new PrewarmError(`event calendar line ${line}: "${cell}" is not an ISO-8601 time`);
    }
    starts.push(time);
  }
  return starts;
}
