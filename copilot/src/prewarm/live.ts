import { PrewarmError } from './errors.ts';
import { type LivePrewarmConfig, type LiveSettings, parseLivePrewarmConfig } from './live-config.ts';
import { type DemandReader, type DemandSeen, FunctionPlans } from './live-plan.ts';
import type { ProvisionedAllocation, ProvisionedConcurrencyTarget } from './target.ts';

export type { LivePrewarmConfig } from './live-config.ts';
export type { DemandReader, FunctionDemand } from './live-plan.ts';

const MINUTE_MS = 60_000;

/** One audit record per change the loop makes or fails to make (the copilot store's audit trail). */
export interface PrewarmAuditEntry {
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
}

/** What one tick decided for one function. */
export interface LiveDecision {
  readonly functionName: string;
  /** The minute the loop planned up to (epoch ms of its start). */
  readonly plannedMinute: number;
  /** Provisioned concurrency requested now: the largest plan over the allocation window, within the guards. */
  readonly requested: number;
  /** What the plan asked for before the guards (`minCapacity`/`maxCapacity`) clamped it. */
  readonly planned: number;
  /** The last complete minute the loop read: its invocations and peak concurrency (null: none yet). */
  readonly demand: DemandSeen | null;
  /** What the loop had requested before (null before its first request). */
  readonly previous: number | null;
  /** The mean request duration the plan converts requests to concurrency with (ms). */
  readonly durationMs: number;
  /** Forecast median and 90th percentile of the planned minute's peak concurrency. */
  readonly median: number;
  readonly upper: number;
  readonly applied: boolean;
  readonly error?: string;
  /** Lambda failed to allocate the previous request (read back this tick), with its reason: once per request. */
  readonly allocationFailed?: string;
  /** Where the previous request stands, as read back this tick (targets that allocate in the background). */
  readonly allocation?: ProvisionedAllocation;
}

export interface LivePrewarmerPorts {
  demand: DemandReader;
  target: ProvisionedConcurrencyTarget;
  audit: (entry: PrewarmAuditEntry) => Promise<void>;
  /** Where an audit write that failed is reported (the change itself stands). */
  onAuditError?: (error: unknown) => void;
  /** Where every tick's decisions go (the dashboard's decision log), changes or not. */
  decisions?: { record(decisions: readonly LiveDecision[], settings: LiveSettings, nowMs: number): void };
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
  /** Each function's plan, carried between ticks so that a tick plans only the new minutes. */
  private readonly plans: FunctionPlans;
  /** Requests whose failed allocation was already reported, so each failure is audited once. */
  private readonly reportedFailures = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    config: LivePrewarmConfig,
    private readonly ports: LivePrewarmerPorts,
  ) {
    this.settings = parseLivePrewarmConfig(config);
    this.plans = new FunctionPlans(this.settings);
  }

  /** Plans and applies for every owned function at event time `nowMs`; one function failing stops no other. */
  async tick(nowMs: number): Promise<LiveDecision[]> {
    const decisions: LiveDecision[] = [];
    for (const functionName of this.settings.functions) {
      decisions.push(await this.tickFunction(functionName, nowMs));
    }
    this.ports.decisions?.record(decisions, this.settings, nowMs);
    return decisions;
  }

  /** Plans the minutes since the last tick (or the whole history, when the plan starts or starts again). */
  private plan(functionName: string, nowMs: number) {
    return this.plans.advance(functionName, Math.floor(nowMs / MINUTE_MS) * MINUTE_MS, this.ports.demand);
  }

  private async tickFunction(functionName: string, nowMs: number): Promise<LiveDecision> {
    // Before this tick's change, which would replace the request being read back.
    const { allocation, failed } = await this.readBack(
      functionName,
      nowMs,
      this.requested.get(functionName) ?? null,
    );
    const decision = await this.planAndApply(functionName, nowMs);
    return {
      ...decision,
      ...(allocation ? { allocation } : {}),
      ...(failed ? { allocationFailed: failed } : {}),
    };
  }

  /**
   * Reads back the request the loop made on an earlier tick: Lambda accepts a request and allocates in the
   * background, and may then give up (FAILED, with a reason: the account's unreserved concurrency, a broken
   * version). Each failed request is audited once (`prewarm_allocation_failed`); the next change re-requests.
   */
  private async readBack(
    functionName: string,
    nowMs: number,
    previous: number | null,
  ): Promise<{ allocation?: ProvisionedAllocation; failed?: string }> {
    const read = this.ports.target.allocation;
    if (!read || this.settings.dryRun || !previous) return {};
    let reason: string;
    try {
      const allocation = await read.call(this.ports.target, functionName);
      if (!allocation) return {};
      if (allocation.status !== 'FAILED') return { allocation };
      if (this.reportedFailures.get(functionName) === allocation.requested) return { allocation };
      this.reportedFailures.set(functionName, allocation.requested);
      reason = allocation.reason ?? 'Lambda gave no reason';
      await this.audit(nowMs, 'prewarm_allocation_failed', functionName, {
        requested: allocation.requested,
        allocated: allocation.allocated,
        reason,
      });
      return { allocation, failed: reason };
    } catch (error) {
      reason = `reading the allocation back failed: ${error instanceof Error ? error.message : String(error)}`;
      await this.audit(nowMs, 'prewarm_readback_failed', functionName, { requested: previous, reason });
    }
    return { failed: reason };
  }

  private async planAndApply(functionName: string, nowMs: number): Promise<LiveDecision> {
    const { minCapacity, maxCapacity, dryRun, coldStartCost } = this.settings;
    const previous = this.requested.get(functionName) ?? null;
    let base: Omit<LiveDecision, 'applied'>;
    try {
      const { requested, plannedMinute, median, upper, demand, durationMs } = await this.plan(
        functionName,
        nowMs,
      );
      base = {
        functionName,
        plannedMinute,
        requested: Math.min(maxCapacity, Math.max(minCapacity, requested)),
        planned: requested,
        demand,
        durationMs,
        previous,
        median: finite(median),
        upper: finite(upper),
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
      planned: previous ?? 0,
      demand: null,
      durationMs: this.plans.durationOf(functionName),
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
