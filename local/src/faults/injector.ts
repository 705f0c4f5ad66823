import { randomBytes } from 'node:crypto';
import type { EdgeFaultPlan } from '../edge/edge-faults.ts';
import type { InvocationFaultPlan } from '../lambda/lambda-emulator.ts';
import { edgePlanOf, invocationPlanOf, type TableFaultPlan, tablePlanOf } from './fault-plans.ts';

/**
 * Faults injected into the running local stack, each for a while: the Lambda emulator asks what to do to every
 * invocation, the embedded DynamoDB what to do to every request. A fault names its kind (the incident
 * simulator's names), the component it hits (a function, or the table) and how hard (0..1).
 */
/** Every kind the diagnostician names can be injected into the local stack. */
export const LOCAL_FAULT_KINDS = [
  'dependency_error',
  'dependency_latency',
  'throttling',
  'bad_deploy',
  'cold_start_storm',
  'memory_saturation',
  'cpu_saturation',
  'origin_errors',
  'cache_hit_collapse',
  'signing_key_mismatch',
  'abuse_load',
  'egress_cost_spike',
] as const;

export type LocalFaultKind = (typeof LOCAL_FAULT_KINDS)[number];

/** What the table can suffer; functions can suffer every kind. */
const TABLE_KINDS: ReadonlySet<LocalFaultKind> = new Set([
  'dependency_error',
  'dependency_latency',
  'throttling',
]);
/** What the distribution suffers, and what its viewer-request function does. */
const EDGE_KINDS: ReadonlySet<LocalFaultKind> = new Set([
  'origin_errors',
  'cache_hit_collapse',
  'abuse_load',
  'egress_cost_spike',
]);
const EDGE_FUNCTION_KINDS: ReadonlySet<LocalFaultKind> = new Set(['signing_key_mismatch']);
const FUNCTION_KINDS: ReadonlySet<LocalFaultKind> = new Set(
  LOCAL_FAULT_KINDS.filter((k) => !EDGE_KINDS.has(k) && !EDGE_FUNCTION_KINDS.has(k)),
);

export interface LocalFaultSpec {
  kind: string;
  /**
   * A function name, the table's name (or `DynamoDB`), the distribution's id (or `edge`) or the viewer-request
   * function's name; default: the edge (or its function) for edge kinds, else the busiest function.
   */
  target?: string;
  /** 0..1. @default 0.6 */
  intensity?: number;
  /** @default 10 minutes */
  durationMs?: number;
  /** Start this long from now. @default 0 */
  delayMs?: number;
}

export interface LocalFault {
  id: string;
  kind: LocalFaultKind;
  target: string;
  /** What it hits: a Lambda function, the table, the distribution, or the distribution's viewer-request function. */
  on: 'function' | 'table' | 'edge' | 'edge_function';
  intensity: number;
  startMs: number;
  endMs: number;
}

export class LocalFaultError extends Error {
  override name = 'LocalFaultError';
}

export class LocalFaultInjector {
  /** Faults not yet over (and those that ended since the last prune): ended ones are dropped, see `prune`. */
  private readonly faults: LocalFault[] = [];
  /** Bad deploys whose forced cold start has happened; weak, so a dropped fault takes its mark along. */
  private readonly deployed = new WeakSet<LocalFault>();
  private readonly listeners: ((plan: TableFaultPlan | undefined) => void)[] = [];
  private readonly starters: ((fault: LocalFault) => void)[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly known: {
      functions: () => string[];
      table: string;
      defaultFunction: string;
      /** The distribution's id and its viewer-request function's name, when the stack has an edge. */
      edge?: { distributionId: string; functionName: string };
    },
    private readonly clock: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  inject(spec: LocalFaultSpec): LocalFault {
    const kind = LOCAL_FAULT_KINDS.find((k) => k === spec.kind);
    if (!kind)
      throw new LocalFaultError(
        `unknown fault kind "${spec.kind}"; the local stack can inject: ${LOCAL_FAULT_KINDS.join(', ')}`,
      );
    const on = this.placeOf(kind, spec.target);
    const intensity = spec.intensity ?? 0.6;
    if (!(intensity > 0 && intensity <= 1))
      throw new LocalFaultError(`intensity must be in (0, 1], got ${intensity}`);
    const durationMs = spec.durationMs ?? 10 * 60_000;
    if (!(durationMs > 0)) throw new LocalFaultError(`duration must be positive, got ${durationMs} ms`);
    const startMs = this.clock() + Math.max(0, spec.delayMs ?? 0);
    const fault: LocalFault = {
      id: `flt_${randomBytes(6).toString('hex')}`,
      kind,
      target: on.target,
      on: on.on,
      intensity,
      startMs,
      endMs: startMs + durationMs,
    };
    this.prune();
    this.faults.push(fault);
    // The table's plan changes when a fault starts and when it ends; listeners hear both. A fault lifted
    // before its start never starts.
    this.at(startMs, () => {
      if (!this.faults.includes(fault)) return;
      for (const starter of this.starters) starter(fault);
      this.notify();
    });
    this.at(fault.endMs, () => {
      this.prune();
      this.notify();
    });
    return fault;
  }

  /**
   * Drops the faults that are over. Nothing reads them afterwards: `list()` shows faults not yet over, the plans
   * only active ones, and what a fault leaves behind (its CloudTrail record, the telemetry of what it did) is
   * already in the logs. Runs at each fault's end, on each injection and listing, so a long run holds only
   * the faults still to come or under way.
   */
  private prune(now = this.clock()): void {
    let kept = 0;
    for (const fault of this.faults) if (fault.endMs > now) this.faults[kept++] = fault;
    this.faults.length = kept;
  }

  /** How many faults the injector holds: those not yet over, at most plus the ones ended since the last prune. */
  held(): number {
    return this.faults.length;
  }

  /** Where a fault of this kind lands, from the target a user named (or the kind's default). */
  private placeOf(kind: LocalFaultKind, target: string | undefined): Pick<LocalFault, 'on' | 'target'> {
    const edge = this.known.edge;
    const edgeKind = EDGE_KINDS.has(kind) || EDGE_FUNCTION_KINDS.has(kind);
    if (edgeKind && !edge) throw new LocalFaultError(`${kind} needs the edge, and this stack runs none`);
    const named = target ?? (edgeKind ? 'edge' : this.known.defaultFunction);
    if (edge && (named === 'edge' || named === edge.distributionId || named === edge.functionName)) {
      if (EDGE_FUNCTION_KINDS.has(kind)) return { on: 'edge_function', target: edge.functionName };
      if (EDGE_KINDS.has(kind)) return { on: 'edge', target: edge.distributionId };
      throw new LocalFaultError(
        `the edge can suffer ${[...EDGE_KINDS, ...EDGE_FUNCTION_KINDS].join(', ')}, not ${kind}`,
      );
    }
    const onTable = named === this.known.table || named === 'DynamoDB';
    if (!onTable && !this.known.functions().includes(named))
      throw new LocalFaultError(
        `no function or table "${named}"; functions: ${this.known.functions().join(', ')}; table: ${this.known.table}${edge ? `; edge: ${edge.distributionId}` : ''}`,
      );
    if (onTable && !TABLE_KINDS.has(kind))
      throw new LocalFaultError(`the table can suffer ${[...TABLE_KINDS].join(', ')}, not ${kind}`);
    if (!onTable && !FUNCTION_KINDS.has(kind))
      throw new LocalFaultError(`${kind} hits the edge (target "edge"), not the function ${named}`);
    return onTable ? { on: 'table', target: this.known.table } : { on: 'function', target: named };
  }

  /** What the edge does to a request while edge faults are active: the local edge's `faults.plan`. */
  edgePlan(at = this.clock()): EdgeFaultPlan | undefined {
    return edgePlanOf(this.activeAt(at, (f) => f.on === 'edge' || f.on === 'edge_function'));
  }

  /** Active faults of one kind at a moment (the abuse load reads its own). */
  activeOf(kind: LocalFaultKind, at = this.clock()): LocalFault[] {
    return this.activeAt(at, (f) => f.kind === kind);
  }

  /** Called when a fault starts (a deploy fault writes its deploy event then). */
  onFaultStart(listener: (fault: LocalFault) => void): void {
    this.starters.push(listener);
  }

  /** Stops the timers; faults stop mattering once the runtime closes. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private at(ms: number, run: () => void): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        run();
      },
      Math.max(0, ms - this.clock()),
    );
    timer.unref();
    this.timers.add(timer);
  }

  /** Faults not yet over, soonest first. */
  list(): LocalFault[] {
    this.prune();
    return [...this.faults].sort((a, b) => a.startMs - b.startMs);
  }

  clear(id: string): boolean {
    const index = this.faults.findIndex((f) => f.id === id);
    if (index < 0) return false;
    this.faults.splice(index, 1);
    this.notify();
    return true;
  }

  /** Called with the table's plan whenever it may have changed (and at each fault's start and end). */
  onTablePlan(listener: (plan: TableFaultPlan | undefined) => void): void {
    this.listeners.push(listener);
  }

  tablePlan(at = this.clock()): TableFaultPlan | undefined {
    return tablePlanOf(this.activeAt(at, (f) => f.on === 'table'));
  }

  /** What to do to one invocation of a function: the emulator's `faults` option. */
  invocationPlan(functionName: string, at = this.clock()): InvocationFaultPlan | undefined {
    const active = this.activeAt(at, (f) => f.on === 'function' && f.target === functionName);
    return invocationPlanOf(active, this.random, (deploy) => {
      // A new version starts every environment afresh, once.
      if (this.deployed.has(deploy)) return false;
      this.deployed.add(deploy);
      return true;
    });
  }

  private activeAt(at: number, where: (fault: LocalFault) => boolean): LocalFault[] {
    return this.faults.filter((f) => where(f) && f.startMs <= at && at < f.endMs);
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.tablePlan());
  }
}
