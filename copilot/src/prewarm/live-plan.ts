import { type DemandMinute, peakConcurrency } from './demand.ts';
import type { LiveSettings } from './live-config.ts';
import { type PlannedRow, PlanWalker } from './planner.ts';

const MINUTE_MS = 60_000;

/** A function's recent demand, one row per complete minute, and its mean request duration. */
export interface FunctionDemand {
  readonly minutes: readonly DemandMinute[];
  /** Mean duration of its recent requests; null when it served none. */
  readonly meanDurationMs: number | null;
}

/** Where the loop reads demand: the copilot's own Lambda metrics, locally, or (async) a metrics service. */
export interface DemandReader {
  demand(functionName: string, fromMs: number, toMs: number): FunctionDemand | Promise<FunctionDemand>;
}

/** The newest minute a function's plan has read: its invocations and peak concurrency. */
export interface DemandSeen {
  readonly minute: number;
  readonly invocations: number;
  readonly peakConcurrency: number;
}

export interface FunctionPlanOptions {
  readonly leadMinutes: number;
  readonly allocationMinutes: number;
  readonly historyMinutes: number;
  readonly coldStartCost: number;
  /** The release calendar (epoch-ms starts) and the minutes after each it may raise; none by default. */
  readonly events?: readonly number[];
  readonly eventWindowMinutes?: number;
}

/**
 * The end (exclusive) of the minutes a tick at `current` plans from: row t reads rows ≤ t − lead and a tick
 * plans up to `current + allocation`, so the minutes before `current + (allocation − lead + 1)` (about two
 * minutes old at the defaults), no later one. The config keeps this at least `settleMinutes` before `current`,
 * so no minute is read before its metrics are complete (each is read once, never again).
 */
function readUntil(current: number, options: Pick<FunctionPlanOptions, 'leadMinutes' | 'allocationMinutes'>) {
  return current + (options.allocationMinutes - options.leadMinutes + 1) * MINUTE_MS;
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
  /** The first minute no tick has read yet. */
  private unread: number;

  constructor(
    readonly origin: number,
    readonly durationMs: number,
    private readonly options: FunctionPlanOptions,
  ) {
    this.walker = new PlanWalker({
      durationMs,
      leadMinutes: options.leadMinutes,
      // No guard here: the plan says what it would ask for, and the loop clamps it to the approved bounds.
      coldStartCost: options.coldStartCost,
      events: [...(options.events ?? [])],
      ...(options.eventWindowMinutes !== undefined && { eventWindowMinutes: options.eventWindowMinutes }),
    });
    this.nextTime = origin;
    this.unread = origin;
  }

  /**
   * The first minute no tick has read yet: the next tick reads from here to {@link readUntil}, so each minute is
   * read once, when the plan first needs it, and a tick after a gap reads the whole gap.
   */
  get readFrom(): number {
    return this.unread;
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
   * (the complete minutes of [readFrom, readUntil(current)); others are ignored), and returns the request for now.
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
    this.unread = Math.max(this.unread, readUntil(current, this.options));
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

/**
 * Every owned function's plan, its running mean duration and the newest minute it read: what the loop carries
 * from tick to tick, so that a tick reads and plans only the minutes no tick has.
 */
export class FunctionPlans {
  private readonly plans = new Map<string, FunctionPlan>();
  private readonly durations = new Map<string, RunningMean>();
  private readonly latest = new Map<string, DemandSeen>();

  constructor(private readonly settings: LiveSettings) {}

  /** The duration a function's plan converts requests with (the default before it has one). */
  durationOf(functionName: string): number {
    return this.plans.get(functionName)?.durationMs ?? this.settings.defaultDurationMs;
  }

  /**
   * Plans a function's minutes up to the allocation window after `current`, reading from `reader` only the
   * minutes no tick has read; the whole history when the plan starts, or starts again (the loop was away longer
   * than the history, or the running mean duration moved beyond its tolerance).
   */
  async advance(functionName: string, current: number, reader: DemandReader) {
    const { historyMinutes, durationTolerance, defaultDurationMs } = this.settings;
    const until = readUntil(current, this.settings);
    let plan = this.plans.get(functionName);
    let minutes: readonly DemandMinute[] = [];
    let duration = this.durations.get(functionName);
    const continuing = plan?.canContinue(current) === true && duration !== undefined;
    if (plan && duration && continuing) {
      minutes = await read(reader, functionName, plan.readFrom, until, duration);
      const mean = duration.mean ?? defaultDurationMs;
      // Requests grew longer or shorter: the plan starts again from the history at the new mean.
      if (Math.abs(mean - plan.durationMs) > durationTolerance * plan.durationMs) plan = undefined;
    } else {
      plan = undefined;
      // Away longer than the history (or never here): the mean starts again from what the history says.
      duration = new RunningMean(historyMinutes);
      this.durations.set(functionName, duration);
    }
    if (!plan) {
      const origin = current - historyMinutes * MINUTE_MS;
      // After a duration change the mean has already counted these minutes; they are read again for the plan only.
      minutes = await read(reader, functionName, origin, until, continuing ? null : duration);
      plan = new FunctionPlan(origin, duration.mean ?? defaultDurationMs, this.settings);
      this.plans.set(functionName, plan);
    }
    const newest = minutes.reduce<DemandMinute | undefined>(
      (a, m) => (!a || m.time > a.time ? m : a),
      undefined,
    );
    if (newest) {
      this.latest.set(functionName, {
        minute: newest.time,
        invocations: newest.requests,
        peakConcurrency: peakConcurrency(newest.requests, newest.peakRps, plan.durationMs),
      });
    }
    try {
      return {
        ...plan.advance(current, minutes),
        demand: this.latest.get(functionName) ?? null,
        durationMs: plan.durationMs,
      };
    } catch (error) {
      // A plan that failed half-way is not continued: the next tick starts again from the history.
      this.plans.delete(functionName);
      throw error;
    }
  }
}

/** Reads [from, to) of a function's demand, folding its duration into `duration` when given. */
async function read(
  reader: DemandReader,
  functionName: string,
  from: number,
  to: number,
  duration: RunningMean | null,
): Promise<readonly DemandMinute[]> {
  if (to <= from) return [];
  const { minutes, meanDurationMs } = await reader.demand(functionName, from, to);
  if (duration && meanDurationMs !== null) {
    duration.add(
      meanDurationMs,
      minutes.reduce((sum, m) => sum + m.requests, 0),
      to,
    );
  }
  return minutes;
}

/**
 * A function's mean request duration over the minutes read, each window weighted by its requests and by how
 * recent it is (weights fade by e over `lifetimeMinutes`): a day's mean without reading the day again.
 */
class RunningMean {
  private total = 0;
  private weight = 0;
  private at = Number.NaN;

  constructor(private readonly lifetimeMinutes: number) {}

  /** Folds in a window ending at `at` (epoch ms) whose `requests` took `meanMs` on average. */
  add(meanMs: number, requests: number, at: number): void {
    if (!(requests > 0) || !Number.isFinite(meanMs)) return;
    if (!Number.isNaN(this.at) && at > this.at) {
      const fade = Math.exp(-(at - this.at) / (this.lifetimeMinutes * MINUTE_MS));
      this.total *= fade;
      this.weight *= fade;
    }
    this.at = Number.isNaN(this.at) ? at : Math.max(this.at, at);
    this.total += meanMs * requests;
    this.weight += requests;
  }

  /** Null until a request has been read. */
  get mean(): number | null {
    return this.weight > 0 ? this.total / this.weight : null;
  }
}
