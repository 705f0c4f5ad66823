import type { DemandMinute } from './demand.ts';
import { type PlannedRow, PlanWalker } from './planner.ts';

const MINUTE_MS = 60_000;

export interface FunctionPlanOptions {
  readonly leadMinutes: number;
  readonly allocationMinutes: number;
  readonly historyMinutes: number;
  readonly coldStartCost: number;
  readonly maxCapacity: number;
}

/** What the plan says at one tick: the request and the minute it was decided for. */
export interface PlanAtTick {
  /** The largest planned value over the allocation window (before the loop's guards). */
  readonly requested: number;
  /** The last minute of that window, whose forecast the decision reports. */
  readonly plannedMinute: number;
  readonly median: number;
  readonly upper: number;
}

const idle = (time: number): DemandMinute => ({
  time,
  timestamp: new Date(time).toISOString(),
  requests: 0,
  peakRps: 0,
});

/**
 * One function's plan carried from tick to tick. It starts at `origin` (the oldest minute of the history read
 * then) and plans each minute once, in order, as the minutes become due: a tick plans only the minutes since
 * the last one, and its requests are exactly those of one plan of every minute since `origin` (a row reads
 * only rows at least `lead` older, so planning ahead of the data changes no row that is asked for). Memory is
 * bounded: the walker keeps a few rows, and so does this class.
 */
export class FunctionPlan {
  private readonly walker: PlanWalker;
  /** Time of the next row to plan. */
  private nextTime: number;
  /** Rows planned that a later tick may still ask for, by time. */
  private readonly planned = new Map<number, PlannedRow>();
  /** The demand of the tick in progress, by minute: what the walker reads observed rows from. */
  private demand = new Map<number, DemandMinute>();
  private lastTick = Number.NaN;

  constructor(
    readonly origin: number,
    readonly durationMs: number,
    private readonly options: FunctionPlanOptions,
  ) {
    this.walker = new PlanWalker({
      durationMs,
      leadMinutes: options.leadMinutes,
      coldStartCost: options.coldStartCost,
      maxCapacity: options.maxCapacity,
    });
    this.nextTime = origin;
  }

  /** Rows held in memory, however long the loop has run. */
  get retainedRows(): number {
    return this.walker.retainedRows + this.planned.size;
  }

  /**
   * Whether a tick at minute `current` can go on from this state: time went forward, and no minute the tick
   * would read has left the history window the reader returns.
   */
  canContinue(current: number): boolean {
    if (Number.isNaN(this.lastTick)) return true;
    const { leadMinutes, historyMinutes } = this.options;
    return current >= this.lastTick && current - this.lastTick <= (historyMinutes - leadMinutes) * MINUTE_MS;
  }

  /**
   * Plans every minute up to the end of the allocation window after `current`, reading demand from `minutes`
   * (the complete minutes of [current − history, current)), and returns the request for now.
   */
  advance(current: number, minutes: readonly DemandMinute[]): PlanAtTick {
    const { allocationMinutes } = this.options;
    this.demand = new Map(minutes.map((m) => [m.time, m]));
    const last = current + allocationMinutes * MINUTE_MS;
    const minuteOf = (row: number) => {
      const time = this.origin + row * MINUTE_MS;
      return this.demand.get(time) ?? idle(time);
    };
    for (; this.nextTime <= last; this.nextTime += MINUTE_MS) {
      this.planned.set(this.nextTime, this.walker.next(this.nextTime, minuteOf));
    }
    this.demand = new Map();
    this.lastTick = current;
    for (const time of this.planned.keys()) if (time < current) this.planned.delete(time);
    let requested = 0;
    for (let time = current; time <= last; time += MINUTE_MS) {
      requested = Math.max(requested, this.planned.get(time)?.capacity[0] ?? 0);
    }
    const row = this.planned.get(last);
    return {
      requested,
      plannedMinute: last,
      median: row?.median ?? Number.NaN,
      upper: row?.upper ?? Number.NaN,
    };
  }
}
