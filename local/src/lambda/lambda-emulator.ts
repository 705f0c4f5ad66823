import { setTimeout as sleep } from 'node:timers/promises';
import { publishVersion, routeAlias, type VersionStats, versionStats } from './alias-routing.ts';
import { EnvironmentPool, type PoolSnapshot } from './environment-pool.ts';
import { FunctionInvoker, type Invocation, type InvocationListener } from './function-invoker.ts';
import type { AliasRouting, Handler } from './function-versions.ts';
import { InvocationLogs } from './invocation-logs.ts';
import type { LambdaEmulatorOptions } from './lambda-emulator-options.ts';
import { LambdaEmulatorError } from './lambda-errors.ts';
import { newEnvironmentId } from './lambda-records.ts';
import {
  type LambdaFunction,
  newRegisteredFunction,
  type RegisteredFunction,
} from './registered-function.ts';

// The emulator is composed of parts with a module each: versions and the weighted alias (alias-routing.ts), one
// invocation through its environment (function-invoker.ts), the records it leaves (invocation-logs.ts) and what
// an injected fault does (invocation-faults.ts). Callers import all of it from here.
export type { VersionStats } from './alias-routing.ts';
export type { Invocation, InvocationListener } from './function-invoker.ts';
export type { InvocationFaultPlan } from './invocation-faults.ts';
export { logGroupOf } from './invocation-logs.ts';
export type { LambdaEmulatorOptions } from './lambda-emulator-options.ts';
export { LambdaEmulatorError, TooManyRequestsError } from './lambda-errors.ts';
export type { LambdaFunction } from './registered-function.ts';

/** What the pre-warm planner drives, locally this emulator and in AWS the Lambda API. */
interface ProvisionedConcurrencyTarget {
  setProvisionedConcurrency(functionName: string, value: number): Promise<void>;
}

export interface FunctionStats extends PoolSnapshot {
  invocations: number;
  coldStarts: number;
  throttles: number;
  errors: number;
}

export class LambdaEmulator implements ProvisionedConcurrencyTarget {
  private readonly functions = new Map<string, RegisteredFunction>();
  private readonly clock: () => number;
  private readonly invoker: FunctionInvoker;

  constructor(private readonly options: LambdaEmulatorOptions = {}) {
    this.clock = options.clock ?? Date.now;
    const wait = options.wait ?? ((ms) => sleep(ms));
    this.invoker = new FunctionInvoker(options, this.clock, wait, new InvocationLogs(options, this.clock));
  }

  register(definition: LambdaFunction<never, unknown>): void {
    if (this.functions.has(definition.functionName)) {
      throw new LambdaEmulatorError(
        'ResourceConflictException',
        `${definition.functionName} is already registered`,
      );
    }
    const newPool = () =>
      new EnvironmentPool(
        definition.functionName,
        {
          concurrencyLimit: this.options.concurrencyLimit ?? 100,
          keepAliveMs: this.options.keepAliveMs ?? 600_000,
        },
        newEnvironmentId,
      );
    this.functions.set(definition.functionName, newRegisteredFunction(definition, newPool, this.clock));
  }

  /** Every invocation's facts as it completes (what CloudWatch's per-version metrics are made of). */
  observe(listener: InvocationListener): () => void {
    return this.invoker.observe(listener);
  }

  /** The function's memory size from the next invocation on (Lambda's UpdateFunctionConfiguration). */
  setMemory(functionName: string, memoryMb: number): void {
    if (!Number.isInteger(memoryMb) || memoryMb < 128 || memoryMb > 10_240)
      throw new LambdaEmulatorError(
        'InvalidParameterValueException',
        `memory must be 128..10240 MB, got ${memoryMb}`,
      );
    this.lookup(functionName).memoryMb = memoryMb;
  }

  memoryOf(functionName: string): number {
    return this.lookup(functionName).memoryMb;
  }

  /**
   * Publishes a version of the function's code; `wrap` stands in for new code (a local deploy has no other code
   * to publish): it receives the current handler and returns the version's.
   */
  publishVersion(
    functionName: string,
    version: string,
    options: { wrap?: (handler: Handler) => Handler; description?: string } = {},
  ): void {
    publishVersion(this.lookup(functionName), version, options, this.clock);
  }

  /** Points the alias (and a weighted share during a canary); provisioned concurrency follows the alias's version. */
  async routeAlias(functionName: string, routing: AliasRouting): Promise<void> {
    await routeAlias(this.lookup(functionName), routing, this.clock, (fn, version, environments) =>
      this.invoker.initialiseProvisioned(fn, version, environments),
    );
  }

  aliasRouting(functionName: string): AliasRouting {
    return this.lookup(functionName).versions.aliasRouting();
  }

  versionStats(functionName: string): VersionStats[] {
    return versionStats(this.lookup(functionName));
  }

  functionNames(): string[] {
    return [...this.functions.keys()];
  }

  stats(functionName: string): FunctionStats {
    const fn = this.lookup(functionName);
    return { ...fn.versions.primary().pool.snapshot(), ...fn.counters };
  }

  async setProvisionedConcurrency(functionName: string, value: number): Promise<void> {
    const fn = this.lookup(functionName);
    const primary = fn.versions.primary();
    const fresh = primary.pool.setProvisioned(value, this.clock());
    fn.provisioned = value;
    await this.invoker.initialiseProvisioned(fn, primary, fresh);
  }

  async invoke<TResult>(
    functionName: string,
    event: unknown,
    options: { traceHeader?: string } = {},
  ): Promise<Invocation<TResult>> {
    return this.invoker.invoke<TResult>(this.lookup(functionName), event, options);
  }

  private lookup(functionName: string): RegisteredFunction {
    const fn = this.functions.get(functionName);
    if (!fn)
      throw new LambdaEmulatorError(
        'ResourceNotFoundException',
        `function ${functionName} is not registered`,
      );
    return fn;
  }
}
