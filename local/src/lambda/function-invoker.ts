import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { ExecutionEnvironment } from './environment-pool.ts';
import type { FunctionVersion } from './function-versions.ts';
import { runWithOutputScope } from './function-output.ts';
import { chargedCpuMs, handleWithFaults, type InvocationFaultPlan } from './invocation-faults.ts';
import { type InvocationLogs, logGroupOf } from './invocation-logs.ts';
import type { LambdaEmulatorOptions } from './lambda-emulator-options.ts';
import { LambdaEmulatorError, TooManyRequestsError } from './lambda-errors.ts';
import {
  type InvocationFacts,
  initStartRecord,
  logStreamName,
  newTraceId,
  parseTraceHeader,
  startRecord,
  throttleMetrics,
} from './lambda-records.ts';
import type { RegisteredFunction } from './registered-function.ts';

export interface Invocation<TResult> {
  result: TResult;
  requestId: string;
  traceId: string;
  coldStart: boolean;
}

export type InvocationListener = (facts: InvocationFacts) => void;

/**
 * One invocation as Lambda runs it: an environment from the version's pool (warm, cold after INIT, or throttled),
 * the handler under its timeout with the injected fault around it, then the records, metrics and segment of what
 * happened. The options object is read as each invocation runs, as the emulator did before it was split out.
 */
export class FunctionInvoker {
  private readonly listeners = new Set<InvocationListener>();
  /** Log stream names by environment and version: named once per environment, not per invocation. */
  private readonly streams = new Map<string, string>();
  private readonly arns = new Map<string, string>();

  constructor(
    private readonly options: LambdaEmulatorOptions,
    private readonly clock: () => number,
    private readonly wait: (ms: number) => Promise<void>,
    private readonly logs: InvocationLogs,
  ) {}

  observe(listener: InvocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async invoke<TResult>(
    fn: RegisteredFunction,
    event: unknown,
    options: { traceHeader?: string },
  ): Promise<Invocation<TResult>> {
    const { functionName } = fn.definition;
    const arrivedAt = this.clock();
    const plan = this.options.faults?.(functionName, arrivedAt);
    const version = fn.versions.next();
    const pool = version.pool;
    // A forced cold start: every idle environment has gone (recycled, or the version changed under it).
    pool.expire(plan?.coldStart ? Number.POSITIVE_INFINITY : arrivedAt);
    const acquisition = plan?.throttle
      ? { outcome: 'throttled' as const, concurrentExecutions: pool.snapshot().concurrentExecutions }
      : pool.acquire(arrivedAt);
    if (acquisition.outcome === 'throttled') {
      fn.counters.throttles += 1;
      this.logs.write(
        functionName,
        'throttles',
        throttleMetrics(functionName, arrivedAt, acquisition.concurrentExecutions),
      );
      throw new TooManyRequestsError(functionName, acquisition.concurrentExecutions);
    }
    const { environment } = acquisition;
    const coldStart = acquisition.outcome === 'cold';
    const requestId = randomUUID();
    // The environment's log stream, named once for every record of this invocation (a fault's version label
    // over the version's own).
    const stream = this.streamOf(environment, plan?.version ?? version.version);
    const init = coldStart ? await this.initialise(fn, version, environment, 'on-demand', stream) : undefined;
    fn.counters.invocations += 1;
    version.counters.invocations += 1;
    if (coldStart) {
      fn.counters.coldStarts += 1;
      version.counters.coldStarts += 1;
    }
    const trace = parseTraceHeader(options.traceHeader);
    const traceId = trace?.root ?? newTraceId(arrivedAt);
    const run = await this.run(fn, version, environment, stream, event, requestId, plan);
    if (run.failed) {
      fn.counters.errors += 1;
      version.counters.errors += 1;
    }
    const after = pool.snapshot();
    pool.release(environment.id, run.endMs);
    const facts: InvocationFacts = {
      functionName,
      version: version.version,
      requestId,
      functionArn: this.arnOf(functionName),
      memoryMb: fn.memoryMb,
      startMs: run.startMs,
      endMs: run.endMs,
      coldStart,
      ...(init ? { initStartMs: init.startMs, initDurationMs: init.durationMs } : {}),
      provisioned: environment.provisioned,
      failed: run.failed,
      ...(run.failed ? {} : statusOf(run.result)),
      concurrentExecutions: after.concurrentExecutions,
      provisionedConcurrency: after.provisionedConcurrency,
      provisionedUtilization: after.provisionedUtilization,
      ...(plan?.maxMemoryUsedMb !== undefined ? { maxMemoryUsedMb: plan.maxMemoryUsedMb } : {}),
      cpuTimeMs: run.cpuMs,
      ...(run.failed && run.timedOut ? { status: 'timeout' as const } : {}),
    };
    this.logs.report(facts, stream, traceId, trace?.parent);
    for (const listener of this.listeners) listener(facts);
    if (run.failed) throw run.error;
    return { result: run.result as TResult, requestId, traceId, coldStart };
  }

  /** The INIT of environments that provisioned concurrency just allocated to a version. */
  async initialiseProvisioned(
    fn: RegisteredFunction,
    version: FunctionVersion,
    environments: ExecutionEnvironment[],
  ): Promise<void> {
    await Promise.all(
      environments.map((environment) => this.initialise(fn, version, environment, 'provisioned-concurrency')),
    );
  }

  private async initialise(
    fn: RegisteredFunction,
    version: FunctionVersion,
    environment: ExecutionEnvironment,
    type: 'on-demand' | 'provisioned-concurrency',
    stream = this.streamOf(environment, version.version),
  ): Promise<{ startMs: number; durationMs: number }> {
    const startMs = this.clock();
    this.logs.write(
      fn.definition.functionName,
      stream,
      initStartRecord(fn.definition.functionName, startMs, type, version.version),
      startMs,
    );
    await this.wait(this.options.coldStartMs ?? 250);
    const endMs = this.clock();
    version.pool.initialised(environment.id, endMs);
    return { startMs, durationMs: endMs - startMs };
  }

  private async run(
    fn: RegisteredFunction,
    version: FunctionVersion,
    environment: ExecutionEnvironment,
    stream: string,
    event: unknown,
    requestId: string,
    plan?: InvocationFaultPlan,
  ) {
    const { functionName } = fn.definition;
    const startMs = this.clock();
    const deadline = startMs + (this.options.timeoutMs ?? 10_000);
    this.logs.write(functionName, stream, startRecord(requestId, startMs, version.version), startMs);
    const context = this.contextFor(fn, version.version, stream, requestId, deadline);
    const scope = {
      writeLine: (line: string) => this.logs.line(functionName, stream, line, this.clock()),
    };
    try {
      const result = await runWithOutputScope(scope, () =>
        withTimeout(
          handleWithFaults(version.handler, event, context, this.wait, plan),
          deadline - startMs,
          functionName,
        ),
      );
      return { result, failed: false as const, startMs, endMs: this.clock(), cpuMs: chargedCpuMs(plan) };
    } catch (error) {
      const at = this.clock();
      const timedOut = error instanceof LambdaEmulatorError && error.code === 'TimeoutError';
      this.logs.failed(functionName, stream, requestId, {
        error,
        killed: Boolean(plan?.killed),
        timedOut,
        startMs,
        at,
      });
      // A timed-out or crashed runtime is not reused, so the next request pays INIT again as in Lambda.
      if (error instanceof LambdaEmulatorError) version.pool.discard(environment.id);
      const failure = new LambdaEmulatorError('Unhandled', `${functionName} failed`, { cause: error });
      return {
        error: failure,
        failed: true as const,
        timedOut,
        startMs,
        endMs: this.clock(),
        cpuMs: chargedCpuMs(plan),
      };
    }
  }

  private contextFor(
    fn: RegisteredFunction,
    version: string,
    stream: string,
    requestId: string,
    deadline: number,
  ): Context {
    const { functionName } = fn.definition;
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: version,
      invokedFunctionArn: this.arnOf(functionName),
      memoryLimitInMB: String(fn.memoryMb),
      awsRequestId: requestId,
      logGroupName: logGroupOf(functionName),
      logStreamName: stream,
      getRemainingTimeInMillis: () => Math.max(0, deadline - this.clock()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
  }

  private arnOf(functionName: string): string {
    let arn = this.arns.get(functionName);
    if (arn === undefined) {
      const region = this.options.region ?? 'us-east-1';
      arn = `arn:aws:lambda:${region}:${this.options.accountId ?? '000000000000'}:function:${functionName}`;
      this.arns.set(functionName, arn);
    }
    return arn;
  }

  private streamOf(environment: ExecutionEnvironment, version: string): string {
    const key = `${environment.id}/${version}`;
    let stream = this.streams.get(key);
    if (stream === undefined) {
      // Environments come and go; the names of those long gone are not kept.
      if (this.streams.size >= 10_000) this.streams.clear();
      stream = logStreamName(environment.id, environment.createdAt, version);
      this.streams.set(key, stream);
    }
    return stream;
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number, functionName: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new LambdaEmulatorError('TimeoutError', `${functionName} timed out after ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function statusOf(result: unknown): { statusCode?: number } {
  const statusCode = (result as { statusCode?: unknown } | null)?.statusCode;
  return typeof statusCode === 'number' ? { statusCode } : {};
}
