import type { LiveSettings } from './live-config.ts';
import type { LiveDecision } from './live.ts';
import type { ProvisionedAllocation } from './target.ts';

/** What the on-call screen shows of one decision of the every-minute loop. */
export interface PrewarmDecisionRecord {
  /** `<function>@<tick time>`: one record per function and tick. */
  readonly id: string;
  /** Event time of the tick. */
  readonly at: string;
  readonly functionName: string;
  readonly mode: 'live' | 'dry-run';
  /** The last complete minute the loop read. */
  readonly demand: { minute: string; invocations: number; peakConcurrency: number } | null;
  /** The forecast of the minute the request is for (the end of the allocation window). */
  readonly forecast: { minute: string; median: number; p90: number };
  /** What the plan asked for, and what the approved bounds let it request. */
  readonly planned: number;
  readonly requested: number;
  readonly bounds: { min: number; max: number };
  readonly previous: number | null;
  /** A change reached the target (live), or would have (dry run). */
  readonly changed: boolean;
  readonly applied: boolean;
  /** Planning or applying failed, as the loop audited it. */
  readonly error?: string;
  /** Where the previous request stands, as Lambda reports it (FAILED with its reason). */
  readonly allocation?: ProvisionedAllocation;
  /** Lambda failed to allocate the previous request, or reading it back failed. */
  readonly allocationFailed?: string;
}

/** How the loop is set up, for the screen's empty state and headings. */
export interface PrewarmLoopStatus {
  readonly mode: 'off' | 'live' | 'dry-run';
  readonly functions: readonly string[];
  readonly bounds: { min: number; max: number } | null;
  readonly leadMinutes: number | null;
  readonly allocationMinutes: number | null;
  readonly intervalMs: number | null;
  /** Why the loop is off, when it is. */
  readonly reason?: string;
}

const round = (value: number) => Math.round(value * 100) / 100;

/** A tick's decision as the screen shows it. */
export function decisionRecord(
  decision: LiveDecision,
  settings: LiveSettings,
  nowMs: number,
): PrewarmDecisionRecord {
  const at = new Date(nowMs).toISOString();
  const changed =
    !decision.error &&
    decision.requested !== decision.previous &&
    (decision.previous !== null || decision.requested > 0);
  return {
    id: `${decision.functionName}@${at}`,
    at,
    functionName: decision.functionName,
    mode: settings.dryRun ? 'dry-run' : 'live',
    demand: decision.demand
      ? {
          minute: new Date(decision.demand.minute).toISOString(),
          invocations: round(decision.demand.invocations),
          peakConcurrency: round(decision.demand.peakConcurrency),
        }
      : null,
    forecast: {
      minute: new Date(decision.plannedMinute).toISOString(),
      median: round(decision.median),
      p90: round(decision.upper),
    },
    planned: decision.planned,
    requested: decision.requested,
    bounds: { min: settings.minCapacity, max: settings.maxCapacity },
    previous: decision.previous,
    changed,
    applied: decision.applied,
    ...(decision.error ? { error: decision.error } : {}),
    ...(decision.allocation ? { allocation: decision.allocation } : {}),
    ...(decision.allocationFailed ? { allocationFailed: decision.allocationFailed } : {}),
  };
}

type Listener = (record: PrewarmDecisionRecord) => void;

/**
 * The loop's recent decisions, per function, for the dashboard: a bounded ring per function (a day of
 * minutes by default), newest last. In memory: it starts empty when the copilot restarts, while every change
 * stays in the audit trail.
 */
export class PrewarmDecisionLog {
  private readonly byFunction = new Map<string, PrewarmDecisionRecord[]>();
  private readonly listeners = new Set<Listener>();
  private current: PrewarmLoopStatus;

  constructor(
    status: PrewarmLoopStatus = {
      mode: 'off',
      functions: [],
      bounds: null,
      leadMinutes: null,
      allocationMinutes: null,
      intervalMs: null,
    },
    private readonly perFunction = 1440,
  ) {
    this.current = status;
  }

  status(): PrewarmLoopStatus {
    return this.current;
  }

  /** The loop that now records here, with its settings (or why there is none). */
  attach(settings: LiveSettings | null, reason?: string): void {
    this.current = settings
      ? {
          mode: settings.dryRun ? 'dry-run' : 'live',
          functions: settings.functions,
          bounds: { min: settings.minCapacity, max: settings.maxCapacity },
          leadMinutes: settings.leadMinutes,
          allocationMinutes: settings.allocationMinutes,
          intervalMs: settings.intervalMs,
        }
      : { ...this.current, mode: 'off', ...(reason ? { reason } : {}) };
  }

  record(decisions: readonly LiveDecision[], settings: LiveSettings, nowMs: number): void {
    for (const decision of decisions) {
      const record = decisionRecord(decision, settings, nowMs);
      const list = this.byFunction.get(record.functionName) ?? [];
      list.push(record);
      if (list.length > this.perFunction) list.splice(0, list.length - this.perFunction);
      this.byFunction.set(record.functionName, list);
      for (const listener of this.listeners) listener(record);
    }
  }

  /** Newest first; every function's when none is named. */
  list(functionName?: string, limit = 200): PrewarmDecisionRecord[] {
    const lists = functionName ? [this.byFunction.get(functionName) ?? []] : [...this.byFunction.values()];
    return lists
      .flat()
      .sort((a, b) => b.at.localeCompare(a.at) || a.functionName.localeCompare(b.functionName))
      .slice(0, limit);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
