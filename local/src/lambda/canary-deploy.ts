import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type CanaryLimits, CanaryWindow } from './canary.ts';
import type { Handler } from './function-versions.ts';
import type { LambdaEmulator } from './lambda-emulator.ts';

/** A fault injected into the new version (a local deploy has no new code): the "bad deploy" of the drills. */
const faultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('errors'), rate: z.number().min(0).max(1) }).strict(),
  z.object({ kind: z.literal('latency'), addMs: z.number().int().min(1).max(60_000) }).strict(),
]);
type DeployFault = z.infer<typeof faultSchema>;

export const deployRequestSchema = z
  .object({
    functionName: z.string().min(1).max(140),
    version: z.string().regex(/^[A-Za-z0-9$._-]{1,64}$/, 'a version label: 1-64 letters, digits, . _ - $'),
    fault: faultSchema.optional(),
    canaryPercent: z.number().gt(0).lt(100).default(10),
    /** How long the canary takes its share before all traffic moves. */
    canaryMs: z.number().int().min(100).max(3_600_000).default(300_000),
    errorRatePercent: z.number().min(0).max(100).default(1),
    p99LatencyMs: z.number().positive().default(1000),
    minInvocations: z.number().int().min(1).default(10),
  })
  .strict();
export type DeployRequest = z.input<typeof deployRequestSchema>;

export interface Deployment {
  id: string;
  functionName: string;
  version: string;
  previousVersion: string;
  status: 'canary' | 'promoted' | 'rolled_back' | 'failed';
  startedAt: string;
  endedAt?: string;
  reason?: string;
  canary: { invocations: number; errors: number; p99Ms: number | null; percent: number };
}

function faulty(fault: DeployFault | undefined): ((h: Handler) => Handler) | undefined {
  if (!fault) return undefined;
  let n = 0;
  return (handler) =>
    (async (event: never, context: never) => {
      if (fault.kind === 'latency') await sleep(fault.addMs);
      // Spread evenly, as the alias spreads traffic: a rate of 0.5 fails every second invocation.
      n += 1;
      if (fault.kind === 'errors' && Math.floor(n * fault.rate) > Math.floor((n - 1) * fault.rate))
        throw new Error(`injected fault: version failing ${Math.round(fault.rate * 100)} % of invocations`);
      return handler(event, context);
    }) as Handler;
}

/**
 * Canary deploys on the local Lambda emulator: publish, route `canaryPercent` of the alias to the new version,
 * judge it while it serves (CanaryWindow), then move all traffic or roll the alias back. One at a time per
 * function. Every step goes to `record` (the runtime writes it to a log group the copilot reads).
 */
export class CanaryDeployments {
  private readonly deployments = new Map<string, Deployment>();
  private readonly running = new Set<string>();
  private next = 1;

  constructor(
    private readonly emulator: LambdaEmulator,
    private readonly options: {
      record: (deployment: Deployment, step: string) => void;
      sloBurning?: (functionName: string, sinceMs: number) => Promise<string[]>;
      checkEveryMs?: number;
      clock?: () => number;
    },
  ) {}

  get(id: string): Deployment | undefined {
    const found = this.deployments.get(id);
    return found && structuredClone(found);
  }

  /** Starts a deploy; resolves once it is under way (the canary serving), with `done` settling at the end. */
  start(input: DeployRequest): { deployment: Deployment; done: Promise<Deployment> } {
    const request = deployRequestSchema.parse(input);
    const { functionName, version } = request;
    if (this.running.has(functionName))
      throw new RangeError(`a deploy of ${functionName} is already running`);
    const previousVersion = this.emulator.aliasRouting(functionName).version;
    const wrap = faulty(request.fault);
    this.emulator.publishVersion(functionName, version, {
      ...(wrap ? { wrap } : {}),
      description: request.fault ? `fault ${JSON.stringify(request.fault)}` : 'deploy',
    });
    const clock = this.options.clock ?? Date.now;
    const deployment: Deployment = {
      id: `deploy-${this.next++}`,
      functionName,
      version,
      previousVersion,
      status: 'canary',
      startedAt: new Date(clock()).toISOString(),
      canary: { invocations: 0, errors: 0, p99Ms: null, percent: request.canaryPercent },
    };
    this.deployments.set(deployment.id, deployment);
    this.running.add(functionName);
    const window = new CanaryWindow(version, request as CanaryLimits);
    const stopObserving = this.emulator.observe((facts) => {
      if (facts.functionName === functionName) window.add(facts);
    });
    const finish = async (status: Deployment['status'], reason: string) => {
      stopObserving();
      this.running.delete(functionName);
      Object.assign(deployment, {
        status,
        reason,
        endedAt: new Date(clock()).toISOString(),
        canary: { ...deployment.canary, ...window.stats() },
      });
      this.options.record(deployment, status);
      return structuredClone(deployment);
    };
    const done = (async () => {
      try {
        await this.emulator.routeAlias(functionName, {
          version: previousVersion,
          additional: { version, weight: request.canaryPercent / 100 },
        });
        this.options.record(deployment, 'canary_started');
        const startedMs = clock();
        while (clock() - startedMs < request.canaryMs) {
          await sleep(this.options.checkEveryMs ?? 250);
          Object.assign(deployment.canary, window.stats());
          const burning = (await this.options.sloBurning?.(functionName, startedMs)) ?? [];
          const verdict = window.verdict(burning);
          if (verdict.trip) {
            await this.emulator.routeAlias(functionName, { version: previousVersion });
            return await finish('rolled_back', verdict.reason);
          }
        }
        await this.emulator.routeAlias(functionName, { version });
        return await finish(
          'promoted',
          `canary served ${window.stats().invocations} invocations within limits`,
        );
      } catch (error) {
        let reason = (error as Error).message;
        try {
          await this.emulator.routeAlias(functionName, { version: previousVersion });
        } catch (rollbackError) {
          reason += `; the alias could not be moved back: ${(rollbackError as Error).message}`;
        }
        return await finish('failed', reason);
      }
    })();
    return { deployment: structuredClone(deployment), done };
  }
}
