import type { CacheBehavior } from '../edge/cache-behaviors.ts';
import type { ThrottlingSettings } from '../lambda/api-throttling.ts';

/**
 * The part of the tunables file (infra/tunables.json, validated by infra before it gets here) the local runtime
 * can honour while running: cache TTLs per path pattern, API throttling, Lambda memory and provisioned
 * concurrency (its baseline, or the floor of the scheduled window in force). What has no local stand-in
 * (storage classes, WAF rate rules, the canary's settings, compression) is left to the stacks.
 */
export interface LocalTunables {
  cache: {
    behaviors: Record<
      string,
      { minTtlSeconds: number; defaultTtlSeconds: number; maxTtlSeconds: number; compress: boolean }
    >;
  };
  api: { throttling: ThrottlingSettings };
  lambda: {
    defaults: { memoryMb: number };
    functions: Record<
      string,
      {
        memoryMb?: number;
        provisionedConcurrency?: {
          baseline: number;
          schedules?: { name: string; schedule: string; timeZone?: string; min: number; max: number }[];
        };
      }
    >;
  };
}

/** What the runtime offers for reconfiguration. */
export interface ReconfigurableRuntime {
  setCacheBehaviors(behaviors: CacheBehavior[]): void;
  setThrottling(settings: ThrottlingSettings): void;
  functionNames(): string[];
  memoryOf(functionName: string): number;
  setMemory(functionName: string, memoryMb: number): void;
  setProvisionedConcurrency(functionName: string, value: number): Promise<void>;
}

/** `grantAccess` (the handler name the tunables use) -> `delivery-grant-access` (the function's name). */
export function functionNameOf(handler: string): string {
  return `delivery-${handler.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export function cacheBehaviorsOf(tunables: LocalTunables): CacheBehavior[] {
  return Object.entries(tunables.cache.behaviors).map(([pattern, b]) => ({ pattern, ...b }));
}

/**
 * The provisioned concurrency in force at `nowMs`: the floor of the latest daily window that has started today
 * (`cron(M H * * ? *)`, read in UTC here), else the baseline. Other schedule shapes are left to Application Auto
 * Scaling in AWS and count as not started locally.
 */
export function provisionedAt(
  pc: NonNullable<LocalTunables['lambda']['functions'][string]['provisionedConcurrency']>,
  nowMs: number,
): number {
  const minuteOfDay = Math.floor((nowMs % 86_400_000) / 60_000);
  let best: { at: number; min: number } | undefined;
  for (const window of pc.schedules ?? []) {
    const daily = /^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$/.exec(window.schedule);
    if (!daily) continue;
    const at = Number(daily[2]) * 60 + Number(daily[1]);
    if (at <= minuteOfDay && (!best || at > best.at)) best = { at, min: window.min };
  }
  // Before today's first window the last one of yesterday is still in force.
  if (!best) {
    for (const window of pc.schedules ?? []) {
      const daily = /^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$/.exec(window.schedule);
      if (!daily) continue;
      const at = Number(daily[2]) * 60 + Number(daily[1]);
      if (!best || at > best.at) best = { at, min: window.min };
    }
  }
  return Math.max(pc.baseline, best?.min ?? 0);
}

/** Makes the running runtime match the tunables; returns what it set, per knob. */
export async function applyTunables(
  runtime: ReconfigurableRuntime,
  tunables: LocalTunables,
  nowMs: number,
): Promise<Record<string, unknown>> {
  const behaviors = cacheBehaviorsOf(tunables);
  runtime.setCacheBehaviors(behaviors);
  runtime.setThrottling(tunables.api.throttling);
  const functions: Record<string, { memoryMb: number; provisionedConcurrency: number }> = {};
  const known = new Set(runtime.functionNames());
  for (const name of known) {
    const handler = Object.keys(tunables.lambda.functions).find((h) => functionNameOf(h) === name);
    const own = handler ? tunables.lambda.functions[handler] : undefined;
    const memoryMb = own?.memoryMb ?? tunables.lambda.defaults.memoryMb;
    if (runtime.memoryOf(name) !== memoryMb) runtime.setMemory(name, memoryMb);
    const pc = own?.provisionedConcurrency ? provisionedAt(own.provisionedConcurrency, nowMs) : 0;
    await runtime.setProvisionedConcurrency(name, pc);
    functions[name] = { memoryMb, provisionedConcurrency: pc };
  }
  return {
    cacheBehaviors: Object.fromEntries(behaviors.map((b) => [b.pattern, b.defaultTtlSeconds])),
    throttling: tunables.api.throttling,
    functions,
  };
}
