import { z } from 'zod';
import type { DemandMinute } from './demand.ts';
import { PrewarmError } from './errors.ts';
import { DEFAULT_COLD_START_COST, planProvisionedConcurrency } from './planner.ts';
import { requestedCapacity } from './schedule.ts';
import type { ProvisionedConcurrencyTarget } from './target.ts';

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

/** One audit record per change the loop makes or fails to make (the copilot store's audit trail). */
export interface PrewarmAuditEntry {
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
}

const livePrewarmConfigSchema = z
  .object({
    /** Functions whose provisioned concurrency the loop owns; others are never touched. */
    functions: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a Lambda function name')).min(1),
    /**
     * Row t is planned from minutes ≤ t − lead: a minute's metrics arrive about a minute late, the loop
     * acts the minute after, and new environments take `allocationMinutes` to initialise.
     */
    leadMinutes: z.number().int().min(1).max(60).default(5),
    allocationMinutes: z.number().int().min(0).max(15).default(3),
    /** The stated value of one avoided cold start, in idle environment-minutes (PREWARM.md). */
    coldStartCost: z.number().positive().max(10_000).default(DEFAULT_COLD_START_COST),
    /** Minutes of history each plan reads: the forecast's error distribution needs days. */
    historyMinutes: z
      .number()
      .int()
      .min(60)
      .max(14 * 1440)
      .default(1440),
    /** Guards on what the loop may request, whatever the forecast says. */
    minCapacity: z.number().int().min(0).default(0),
    maxCapacity: z.number().int().positive().max(100_000).default(1000),
    /** Used until a function has served requests whose duration is known. */
    defaultDurationMs: z.number().positive().max(900_000).default(100),
    /** Plan and audit, but change nothing. */
    dryRun: z.boolean().default(false),
    intervalMs: z.number().int().min(1000).default(MINUTE_MS),
  })
  .strict()
  .refine((c) => c.minCapacity <= c.maxCapacity, { message: 'minCapacity must not exceed maxCapacity' })
  .refine((c) => c.allocationMinutes < c.leadMinutes, {
    message: 'leadMinutes must exceed allocationMinutes (the metric delay and the decision take a minute)',
  });

export type LivePrewarmConfig = z.input<typeof livePrewarmConfigSchema>;
type LiveSettings = z.output<typeof livePrewarmConfigSchema>;

/** Reads and validates the loop's configuration once; a bad one is a clear error, not a loop that misbehaves. */
function parseLivePrewarmConfig(config: unknown): LiveSettings {
  const parsed = livePrewarmConfigSchema.safeParse(config);
  if (!parsed.success) throw new PrewarmError(`bad live pre-warming config: ${parsed.error.message}`);
  return parsed.data;
}

/** What one tick decided for one function. */
export interface LiveDecision {
  readonly functionName: string;
  /** The minute the loop planned up to (epoch ms of its start). */
  readonly plannedMinute: number;
  /** Provisioned concurrency requested now: the largest plan over the allocation window. */
  readonly requested: number;
  /** What the loop had requested before (null before its first request). */
  readonly previous: number | null;
  /** Forecast median and 90th percentile of the planned minute's peak concurrency. */
  readonly median: number;
  readonly upper: number;
  readonly applied: boolean;
  readonly error?: string;
  /** Lambda failed to allocate the previous request (read back this tick), with its reason. */
  readonly allocationFailed?: string;
}

export interface LivePrewarmerPorts {
  demand: DemandReader;
  target: ProvisionedConcurrencyTarget;
  audit: (entry: PrewarmAuditEntry) => Promise<void>;
  /** Where an audit write that failed is reported (the change itself stands). */
  onAuditError?: (error: unknown) => void;
}

const finite = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? value : 0);

/**
 * The every-minute re-plan, as a loop the copilot runs: each tick reads each owned function's complete minutes,
 * plans the next `lead` minutes with the same cost-based planner the evaluation measures (`live`), and requests
 * the largest planned value over the allocation window, so increases start early enough and decreases never
 * cut capacity a minute still needs. Only changes reach the target, and each is audited with the forecast
 * behind it. Event time is passed in: the same demand gives the same requests.
 */
export class LivePrewarmer {
  readonly settings: LiveSettings;
  private readonly requested = new Map<string, number>();
  /** Requests whose failed allocation was already reported, so each failure is audited once. */
  private readonly reportedFailures = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    config: LivePrewarmConfig,
    private readonly ports: LivePrewarmerPorts,
  ) {
    this.settings = parseLivePrewarmConfig(config);
  }

  /** Plans and applies for every owned function at event time `nowMs`; one function failing stops no other. */
  async tick(nowMs: number): Promise<LiveDecision[]> {
    const decisions: LiveDecision[] = [];
    for (const functionName of this.settings.functions) {
      decisions.push(await this.tickFunction(functionName, nowMs));
    }
    return decisions;
  }

  private async plan(functionName: string, nowMs: number) {
    const { leadMinutes, historyMinutes, allocationMinutes } = this.settings;
    const current = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
    const { minutes, meanDurationMs } = await this.ports.demand.demand(
      functionName,
      current - historyMinutes * MINUTE_MS,
      current,
    );
    const byTime = new Map(minutes.map((m) => [m.time, m]));
    // Every minute of the history, idle where nothing was recorded, then the minutes ahead still to plan:
    // rows ≥ current have no demand yet, and no planned row reads them (row t reads rows ≤ t − lead).
    const rows: DemandMinute[] = [];
    const last = current + (leadMinutes - 1) * MINUTE_MS;
    for (let t = current - historyMinutes * MINUTE_MS; t <= last; t += MINUTE_MS) {
      rows.push(byTime.get(t) ?? { time: t, timestamp: new Date(t).toISOString(), requests: 0, peakRps: 0 });
    }
    const plan = planProvisionedConcurrency(rows, {
      durationMs: meanDurationMs ?? this.settings.defaultDurationMs,
      leadMinutes,
      coldStartCost: this.settings.coldStartCost,
      maxCapacity: this.settings.maxCapacity,
    });
    const nowRow = rows.length - leadMinutes;
    const requested = requestedCapacity(plan.times, plan.capacity, allocationMinutes)[nowRow]!;
    const planned = Math.min(rows.length - 1, nowRow + allocationMinutes);
    return { plan, requested, planned, plannedMinute: rows[planned]!.time };
  }

  private async tickFunction(functionName: string, nowMs: number): Promise<LiveDecision> {
    // Before this tick's change, which would replace the request being read back.
    const allocationFailed = await this.readBack(
      functionName,
      nowMs,
      this.requested.get(functionName) ?? null,
    );
    const decision = await this.planAndApply(functionName, nowMs);
    return allocationFailed ? { ...decision, allocationFailed } : decision;
  }

  /**
   * Reads back the request the loop made on an earlier tick: Lambda accepts a request and allocates in the
   * background, and may then give up (FAILED, with a reason: the account's unreserved concurrency, a broken
   * version). Each failed request is audited once (`prewarm_allocation_failed`); the next change re-requests.
   */
  private async readBack(functionName: string, nowMs: number, previous: number | null) {
    const read = this.ports.target.allocation;
    if (!read || this.settings.dryRun || !previous) return undefined;
    let reason: string;
    try {
      const allocation = await read.call(this.ports.target, functionName);
      if (allocation?.status !== 'FAILED') return undefined;
      if (this.reportedFailures.get(functionName) === allocation.requested) return undefined;
      this.reportedFailures.set(functionName, allocation.requested);
      reason = allocation.reason ?? 'Lambda gave no reason';
      await this.audit(nowMs, 'prewarm_allocation_failed', functionName, {
        requested: allocation.requested,
        allocated: allocation.allocated,
        reason,
      });
    } catch (error) {
      reason = `reading the allocation back failed: ${error instanceof Error ? error.message : String(error)}`;
      await this.audit(nowMs, 'prewarm_readback_failed', functionName, { requested: previous, reason });
    }
    return reason;
  }

  private async planAndApply(functionName: string, nowMs: number): Promise<LiveDecision> {
    const { minCapacity, maxCapacity, dryRun, coldStartCost } = this.settings;
    const previous = this.requested.get(functionName) ?? null;
    let base: Omit<LiveDecision, 'applied' | 'requested'> & { requested: number };
    try {
      const { plan, requested, planned, plannedMinute } = await this.plan(functionName, nowMs);
      base = {
        functionName,
        plannedMinute,
        requested: Math.min(maxCapacity, Math.max(minCapacity, requested)),
        previous,
        median: finite(plan.median[planned]),
        upper: finite(plan.upper[planned]),
      };
    } catch (error) {
      return this.failed(functionName, nowMs, previous, 'plan', error);
    }
    // Unchanged, or nothing to provision before the loop ever asked for any: capacity that someone else set
    // is left alone until the plan needs some.
    if (base.requested === previous || (previous === null && base.requested === 0)) {
      return { ...base, applied: false };
    }
    const detail = {
      from: previous,
      to: base.requested,
      forMinute: new Date(base.plannedMinute).toISOString(),
      forecastMedian: round(base.median),
      forecastP90: round(base.upper),
      coldStartCost,
      dryRun,
    };
    if (!dryRun) {
      try {
        await this.ports.target.setProvisionedConcurrency(functionName, base.requested);
      } catch (error) {
        return this.failed(functionName, nowMs, previous, 'apply', error, detail);
      }
    }
    // In a dry run too: what it would have requested, so that only changes are audited there as well.
    this.requested.set(functionName, base.requested);
    await this.audit(nowMs, 'prewarm_set_provisioned_concurrency', functionName, detail);
    return { ...base, applied: !dryRun };
  }

  private async failed(
    functionName: string,
    nowMs: number,
    previous: number | null,
    stage: 'plan' | 'apply',
    error: unknown,
    detail: Record<string, unknown> = {},
  ): Promise<LiveDecision> {
    const message = error instanceof Error ? error.message : String(error);
    await this.audit(nowMs, `prewarm_${stage}_failed`, functionName, { ...detail, error: message });
    return {
      functionName,
      plannedMinute: Math.floor(nowMs / MINUTE_MS) * MINUTE_MS,
      requested: previous ?? 0,
      previous,
      median: 0,
      upper: 0,
      applied: false,
      error: message,
    };
  }

  private async audit(nowMs: number, action: string, subject: string, detail: Record<string, unknown>) {
    try {
      await this.ports.audit({
        at: new Date(nowMs).toISOString(),
        actor: 'copilot:prewarm',
        action,
        subject,
        detail,
      });
    } catch (error) {
      this.ports.onAuditError?.(
        new PrewarmError(`audit of ${action} on ${subject} failed`, { cause: error }),
      );
    }
  }

  /** Ticks every `intervalMs` on the wall clock; a tick still running when the next is due is not doubled. */
  start(
    clock: () => number = Date.now,
    onTick?: (decisions: LiveDecision[]) => void,
    onError: (error: unknown) => void = () => {},
  ): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick(clock())
        .then((decisions) => onTick?.(decisions))
        .catch(onError)
        .finally(() => {
          this.running = undefined;
        });
    }, this.settings.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

const round = (value: number) => Math.round(value * 100) / 100;
