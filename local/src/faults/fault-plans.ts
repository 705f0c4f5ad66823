import type { EdgeFaultPlan } from '../edge/edge-faults.ts';
import type { InvocationFaultPlan } from '../lambda/lambda-emulator.ts';
import type { LocalFault } from './injector.ts';

// What the active faults of a component do, as plans its stand-in follows: pure functions of the faults (and,
// for an invocation, of the dice), so the injector only keeps track of which faults are active.

/** What the embedded DynamoDB does to a request while a table fault is active. */
export interface TableFaultPlan {
  throttleP: number;
  errorP: number;
  delayMs: number;
}

/** The edge's plan from its active faults (the distribution's and its function's). */
export function edgePlanOf(active: readonly LocalFault[]): EdgeFaultPlan | undefined {
  if (active.length === 0) return undefined;
  const plan: EdgeFaultPlan = {};
  const max = (a: number | undefined, b: number) => Math.max(a ?? 0, b);
  for (const f of active) {
    if (f.kind === 'origin_errors') {
      plan.originErrorP = max(plan.originErrorP, 0.3 + 0.6 * f.intensity);
      plan.originDelayMs = max(plan.originDelayMs, Math.round(50 + 450 * f.intensity));
    }
    if (f.kind === 'cache_hit_collapse') plan.cacheBypassP = max(plan.cacheBypassP, 0.6 + 0.4 * f.intensity);
    if (f.kind === 'signing_key_mismatch') plan.missingKeyP = max(plan.missingKeyP, 0.3 + 0.7 * f.intensity);
    if (f.kind === 'egress_cost_spike') plan.bytesX = max(plan.bytesX, 3 + 7 * f.intensity);
  }
  return plan;
}

/** The table's plan from its active faults. */
export function tablePlanOf(active: readonly LocalFault[]): TableFaultPlan | undefined {
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

/**
 * One invocation's plan from the function's active faults, rolling `random` where a fault hits only a share;
 * `firstRunOf(deploy)` is true once per bad deploy (its new version starts every environment afresh).
 */
export function invocationPlanOf(
  active: readonly LocalFault[],
  random: () => number,
  firstRunOf: (deploy: LocalFault) => boolean,
): InvocationFaultPlan | undefined {
  if (active.length === 0) return undefined;
  const plan: InvocationFaultPlan = {};
  const roll = (p: number) => random() < p;
  for (const f of active) {
    switch (f.kind) {
      case 'dependency_error':
        if (roll(0.2 + 0.6 * f.intensity))
          plan.error = { name: 'Error', message: 'entitlement record failed validation: missing titleId' };
        break;
      case 'dependency_latency':
        plan.delayMs = Math.round(200 + 1800 * f.intensity * (0.5 + random()));
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
          Math.round(150 + 1200 * f.intensity * (0.7 + 0.6 * random())),
        );
        break;
      case 'memory_saturation':
        plan.maxMemoryUsedMb = 240 + Math.round(16 * random());
        plan.killed = plan.killed || roll(0.1 + 0.3 * f.intensity);
        if (!plan.killed) plan.delayMs = Math.max(plan.delayMs ?? 0, Math.round(100 * f.intensity));
        break;
      case 'bad_deploy':
        plan.version = '2';
        if (firstRunOf(f)) plan.coldStart = true;
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
