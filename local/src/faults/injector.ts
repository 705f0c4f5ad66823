import { randomBytes } from 'node:crypto';
import type { EdgeFaultPlan } from '../edge/edge-faults.ts';
import type { InvocationFaultPlan } from '../lambda/lambda-emulator.ts';

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

/** What the embedded DynamoDB does to a request while a table fault is active. */
export interface TableFaultPlan {
  throttleP: number;
  errorP: number;
  delayMs: number;
}

export class LocalFaultInjector {
  private readonly faults: LocalFault[] = [];
  private readonly flushed = new Set<string>();
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
    this.faults.push(fault);
    // The table's plan changes when a fault starts and when it ends; listeners hear both.
    this.at(startMs, () => {
      for (const starter of this.starters) starter(fault);
      this.notify();
    });
    this.at(fault.endMs, () => this.notify());
    return fault;
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
    const active = this.faults.filter(
      (f) => (f.on === 'edge' || f.on === 'edge_function') && f.startMs <= at && at < f.endMs,
    );
    if (active.length === 0) return undefined;
    const plan: EdgeFaultPlan = {};
    const max = (a: number | undefined, b: number) => Math.max(a ?? 0, b);
    for (const f of active) {
      if (f.kind === 'origin_errors') {
        plan.originErrorP = max(plan.originErrorP, 0.3 + 0.6 * f.intensity);
        plan.originDelayMs = max(plan.originDelayMs, Math.round(50 + 450 * f.intensity));
      }
      if (f.kind === 'cache_hit_collapse')
        plan.cacheBypassP = max(plan.cacheBypassP, 0.6 + 0.4 * f.intensity);
      if (f.kind === 'signing_key_mismatch')
        plan.missingKeyP = max(plan.missingKeyP, 0.3 + 0.7 * f.intensity);
      if (f.kind === 'egress_cost_spike') plan.bytesX = max(plan.bytesX, 3 + 7 * f.intensity);
    }
    return plan;
  }

  /** Active faults of one kind at a moment (the abuse load reads its own). */
  activeOf(kind: LocalFaultKind, at = this.clock()): LocalFault[] {
    return this.faults.filter((f) => f.kind === kind && f.startMs <= at && at < f.endMs);
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
    const now = this.clock();
    return this.faults.filter((f) => f.endMs > now).sort((a, b) => a.startMs - b.startMs);
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
    const active = this.faults.filter((f) => f.on === 'table' && f.startMs <= at && at < f.endMs);
    if (active.length === 0) return undefined;
    const plan: TableFaultPlan = { throttleP: 0, errorP: 0, delayMs: 0 };
    for (const f of active) {
      if (f.kind === 'throttling') plan.throttleP = Math.max(plan.throttleP, 0.3 + 0.6 * f.intensity);
      if (f.kind === 'dependency_error') plan.errorP = Math.max(plan.errorP, 0.2 + 0.6 * f.intensity);
      if (f.kind === 'dependency_latency')
        plan.delayMs = Math.max(plan.delayMs, Math.round(100 + 900 * f.intensity));
    }
    return plan;
  }

  /** What to do to one invocation of a function: the emulator's `faults` option. */
  invocationPlan(functionName: string, at = this.clock()): InvocationFaultPlan | undefined {
    const active = this.faults.filter(
      (f) => f.on === 'function' && f.target === functionName && f.startMs <= at && at < f.endMs,
    );
    if (active.length === 0) return undefined;
    const plan: InvocationFaultPlan = {};
    const roll = (p: number) => this.random() < p;
    for (const f of active) {
      switch (f.kind) {
        case 'dependency_error':
          if (roll(0.2 + 0.6 * f.intensity))
            plan.error = { name: 'Error', message: 'entitlement record failed validation: missing titleId' };
          break;
        case 'dependency_latency':
          plan.delayMs = Math.round(200 + 1800 * f.intensity * (0.5 + this.random()));
          break;
        case 'throttling':
          plan.throttle = plan.throttle || roll(0.2 + 0.6 * f.intensity);
          break;
        case 'cold_start_storm':
          plan.coldStart = plan.coldStart || roll(0.4 + 0.6 * f.intensity);
          break;
        case 'cpu_saturation':
          // CPU-starved: the handler burns CPU and takes longer, as one short of vCPU share does.
          plan.cpuBurnMs = Math.max(plan.cpuBurnMs ?? 0, Math.round(2 + 8 * f.intensity));
          plan.delayMs = Math.max(
            plan.delayMs ?? 0,
            Math.round(150 + 1200 * f.intensity * (0.7 + 0.6 * this.random())),
          );
          break;
        case 'memory_saturation':
          plan.maxMemoryUsedMb = 240 + Math.round(16 * this.random());
          plan.killed = plan.killed || roll(0.1 + 0.3 * f.intensity);
          if (!plan.killed) plan.delayMs = Math.max(plan.delayMs ?? 0, Math.round(100 * f.intensity));
          break;
        case 'bad_deploy':
          plan.version = '2';
          // A new version starts every environment afresh, once.
          if (!this.flushed.has(f.id)) {
            this.flushed.add(f.id);
            plan.coldStart = true;
          }
          if (roll(0.2 + 0.5 * f.intensity))
            plan.error = {
              name: 'TypeError',
              message: "Cannot read properties of undefined (reading 'deviceId')",
            };
          break;
      }
    }
    return plan;
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.tablePlan());
  }
}
