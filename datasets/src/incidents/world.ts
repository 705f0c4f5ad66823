import type { Rng } from '../sim/rng.ts';
import type { Estate } from './estate.ts';
import type { IncidentFaultKind, NoFaultCondition } from './faults.ts';

/**
 * What is true at an instant: how much traffic arrives, and how each component behaves under the injected fault
 * (or the no-fault condition). Faults ramp in over a minute or two, as real ones do, never as a step in one
 * request; their size is drawn from ranges per seed and scaled by the scenario's intensity.
 */
export interface ActiveFault {
  kind: IncidentFaultKind;
  target: string;
  startMs: number;
  endMs: number;
  intensity: number;
}

export interface Effects {
  errorP: number;
  latencyX: number;
  throttleP: number;
  coldP: number;
  /** CPU and memory saturation, 0..1 (the gauge is pushed towards its ceiling). */
  cpu: number;
  memory: number;
  oomP: number;
  version: string;
  /** Edge only. */
  hitRate?: number;
  originFailP?: number;
  originLatencyX?: number;
  rejectP?: number;
  bytesX?: number;
  abuseRpsX?: number;
}

export class World {
  private readonly rampMs: number;
  private readonly draw: Record<string, number>;

  constructor(
    readonly estate: Estate,
    readonly windowStartMs: number,
    readonly atMs: number,
    rng: Rng,
    readonly fault?: ActiveFault,
    readonly condition?: { kind: NoFaultCondition; startMs: number },
  ) {
    this.rampMs = rng.between(30_000, 120_000);
    const i = fault?.intensity ?? 0.6;
    this.draw = {
      errorP: rng.between(0.15, 0.6) * (0.5 + i),
      latencyX: 1 + rng.between(2, 8) * (0.5 + i),
      throttleP: rng.between(0.15, 0.5) * (0.5 + i),
      coldP: rng.between(0.3, 0.7) * (0.6 + 0.4 * i),
      oomP: rng.between(0.05, 0.2) * (0.5 + i),
      hitRate: rng.between(0.02, 0.25),
      originFailP: rng.between(0.2, 0.7) * (0.5 + i),
      rejectP: rng.between(0.2, 0.6) * (0.5 + i),
      bytesX: rng.between(4, 10),
      abuseRpsX: rng.between(3, 8),
      burstX: rng.between(6, 10),
      dipX: rng.between(0.25, 0.45),
      diurnalPhase: rng.between(0, 2 * Math.PI),
    };
  }

  /** 0 before the fault, ramping to 1 over its first minute or two, 0 after it ends. */
  level(t: number): number {
    const f = this.fault;
    if (!f || t < f.startMs || t > f.endMs) return 0;
    return Math.min(1, (t - f.startMs) / this.rampMs);
  }

  /** Multiplier of the mean request rate: a slow daily swell, and the no-fault conditions' bursts and dips. */
  traffic(t: number): number {
    const hour = ((t / 3_600_000) % 24) / 24;
    let x = 1 + 0.15 * Math.sin(2 * Math.PI * hour + this.draw.diurnalPhase!);
    const c = this.condition;
    if (c && t >= c.startMs) {
      const ramp = Math.min(1, (t - c.startMs) / (5 * 60_000));
      if (c.kind === 'release_burst') x *= 1 + (this.draw.burstX! - 1) * ramp;
      if (c.kind === 'traffic_dip') x *= 1 - (1 - this.draw.dipX!) * ramp;
    }
    return x;
  }

  /** The version a component runs: a bad or benign deploy bumps it at its start. */
  version(component: string, t: number): string {
    const deployed =
      (this.fault?.kind === 'bad_deploy' && this.fault.target === component && t >= this.fault.startMs) ||
      (this.condition?.kind === 'benign_deploy' &&
        this.deployTarget() === component &&
        t >= this.condition.startMs);
    return deployed ? '42' : '41';
  }

  private readonly running = new Set<string>();

  /** True the first time an instance runs a newly deployed version: a new execution environment starts cold. */
  firstOnVersion(component: string, instance: number, version: string): boolean {
    if (version === '41') return false;
    const key = `${component}/${instance}/${version}`;
    if (this.running.has(key)) return false;
    this.running.add(key);
    return true;
  }

  /** The component a benign deploy changes: the service behind the busiest endpoint. */
  deployTarget(): string {
    const root = [...this.estate.endpoints].sort((a, b) => b.weight - a.weight)[0]!.root;
    return this.estate.archetype === 'containers'
      ? (root.children[0]?.component ?? root.component)
      : root.component;
  }

  effects(component: string, t: number): Effects {
    const e: Effects = {
      errorP: 0,
      latencyX: 1,
      throttleP: 0,
      coldP: 0,
      cpu: 0,
      memory: 0,
      oomP: 0,
      version: this.version(component, t),
    };
    const f = this.fault;
    const l = this.level(t);
    if (!f || f.target !== component || l === 0) return e;
    const d = this.draw;
    switch (f.kind) {
      case 'dependency_error':
        e.errorP = d.errorP! * l;
        break;
      case 'dependency_latency':
        e.latencyX = 1 + (d.latencyX! - 1) * l;
        break;
      case 'cpu_saturation':
        e.cpu = l;
        e.latencyX = 1 + (d.latencyX! / 2) * l;
        break;
      case 'memory_saturation':
        e.memory = l;
        e.oomP = d.oomP! * l;
        e.latencyX = 1 + 0.5 * l;
        break;
      case 'throttling':
        e.throttleP = d.throttleP! * l;
        break;
      case 'bad_deploy':
        e.errorP = d.errorP! * l;
        e.latencyX = 1 + 0.3 * l;
        break;
      case 'cold_start_storm':
        e.coldP = d.coldP! * l;
        break;
      case 'origin_errors':
        e.originFailP = d.originFailP! * l;
        e.originLatencyX = 1 + 3 * l;
        break;
      case 'cache_hit_collapse':
        e.hitRate = d.hitRate!;
        break;
      case 'signing_key_mismatch':
        e.rejectP = d.rejectP! * l;
        break;
      case 'abuse_load':
        e.abuseRpsX = d.abuseRpsX! * l;
        break;
      case 'egress_cost_spike':
        e.bytesX = 1 + (d.bytesX! - 1) * l;
        break;
    }
    return e;
  }
}
