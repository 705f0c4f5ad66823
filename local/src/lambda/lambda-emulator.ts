import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'aws-lambda';
import { EnvironmentPool, type ExecutionEnvironment, type PoolSnapshot } from './environment-pool.ts';
import {
  type AliasRouting,
  type FunctionVersion,
  FunctionVersions,
  type Handler,
} from './function-versions.ts';
import { runWithOutputScope } from './function-output.ts';
import {
  coldStartLine,
  functionSegment,
  type InvocationFacts,
  initStartRecord,
  invocationMetrics,
  invokeErrorLine,
  LAMBDA_INSIGHTS_LOG_GROUP,
  lambdaInsightsRecord,
  logStreamName,
  newEnvironmentId,
  newTraceId,
  parseTraceHeader,
  reportRecord,
  startRecord,
  throttleMetrics,
} from './lambda-records.ts';
import type { LogGroupWriter } from '../telemetry/log-groups.ts';
import type { SegmentEmitter } from '../telemetry/xray-receiver.ts';

/** What the pre-warm planner drives, locally this emulator and in AWS the Lambda API. */
interface ProvisionedConcurrencyTarget {
  setProvisionedConcurrency(functionName: string, value: number): Promise<void>;
}

export interface LambdaFunction<TEvent = unknown, TResult = unknown> {
  functionName: string;
  handler: (event: TEvent, context: Context) => Promise<TResult>;
  /** @default 256 */
  memoryMb?: number;
}

export interface LambdaEmulatorOptions {
  /** Time a new execution environment spends in INIT before its first request. @default 250 */
  coldStartMs?: number;
  /** How long an idle on-demand environment is kept for reuse. @default 600000 (10 min) */
  keepAliveMs?: number;
  /** Environments of one function executing at once; more requests are throttled. @default 100 */
  concurrencyLimit?: number;
  /** @default 10000 */
  timeoutMs?: number;
  region?: string;
  accountId?: string;
  logs?: LogGroupWriter;
  segments?: SegmentEmitter;
  clock?: () => number;
  /** How INIT time passes; tests inject one that resolves on their signal. */
  wait?: (ms: number) => Promise<void>;
  /** Injected faults (local/src/faults): what to do to one invocation, decided as it arrives. */
  faults?: (functionName: string, atMs: number) => InvocationFaultPlan | undefined;
  /** Write each invocation's Lambda Insights performance event (CPU, memory) too, as the extension does. */
  lambdaInsights?: boolean;
}

/**
 * What an injected fault does to one invocation, in the ways Lambda itself can go wrong: refuse it as throttled,
 * start it in a new environment, run it slower, fail it (an error the handler did not catch), kill it at its
 * memory limit, or run a different version.
 */
export interface InvocationFaultPlan {
  throttle?: boolean;
  coldStart?: boolean;
  delayMs?: number;
  error?: { name: string; message: string };
  /** Killed at its memory limit: the runtime exits, the environment is gone. */
  killed?: boolean;
  /** Peak memory the invocation reports, in MB. */
  maxMemoryUsedMb?: number;
  version?: string;
  /** CPU the handler burns on top of its work, in ms of real CPU (a CPU-starved function). */
  cpuBurnMs?: number;
}

export class LambdaEmulatorError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'LambdaEmulatorError';
  }
}

export class TooManyRequestsError extends LambdaEmulatorError {
  constructor(functionName: string, concurrentExecutions: number) {
    super(
      'TooManyRequestsException',
      `${functionName} is at its concurrency limit (${concurrentExecutions})`,
    );
    this.name = 'TooManyRequestsError';
  }
}

export interface Invocation<TResult> {
  result: TResult;
  requestId: string;
  traceId: string;
  coldStart: boolean;
}

export interface FunctionStats extends PoolSnapshot {
  invocations: number;
  coldStarts: number;
  throttles: number;
  errors: number;
}

interface RegisteredFunction {
  definition: LambdaFunction;
  memoryMb: number;
  versions: FunctionVersions;
  /** Provisioned concurrency on the alias: held by the version it points at. */
  provisioned: number;
  counters: { invocations: number; coldStarts: number; throttles: number; errors: number };
}

export interface VersionStats {
  version: string;
  publishedAt: number;
  description?: string;
  invocations: number;
  errors: number;
  coldStarts: number;
  environments: number;
}

export type InvocationListener = (facts: InvocationFacts) => void;

export function logGroupOf(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

export class LambdaEmulator implements ProvisionedConcurrencyTarget {
  private readonly functions = new Map<string, RegisteredFunction>();
  private readonly listeners = new Set<InvocationListener>();
  private readonly clock: () => number;
  private readonly wait: (ms: number) => Promise<void>;

  constructor(private readonly options: LambdaEmulatorOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.wait = options.wait ?? ((ms) => sleep(ms));
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
    const versions = new FunctionVersions(
      {
        version: '$LATEST',
        handler: definition.handler as Handler,
        pool: newPool(),
        publishedAt: this.clock(),
        counters: { invocations: 0, errors: 0, coldStarts: 0 },
      },
      newPool,
    );
    const counters = { invocations: 0, coldStarts: 0, throttles: 0, errors: 0 };
    this.functions.set(definition.functionName, {
      definition: definition as LambdaFunction,
      memoryMb: definition.memoryMb ?? 256,
      versions,
      provisioned: 0,
      counters,
    });
  }

  /** Every invocation's facts as it completes (what CloudWatch's per-version metrics are made of). */
  observe(listener: InvocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
    const fn = this.lookup(functionName);
    const base = fn.definition.handler as Handler;
    try {
      fn.versions.publish(
        version,
        options.wrap ? options.wrap(base) : base,
        this.clock(),
        options.description,
      );
    } catch (error) {
      throw new LambdaEmulatorError('InvalidParameterValueException', (error as Error).message, {
        cause: error,
      });
    }
  }

  /** Points the alias (and a weighted share during a canary); provisioned concurrency follows the alias's version. */
  async routeAlias(functionName: string, routing: AliasRouting): Promise<void> {
    const fn = this.lookup(functionName);
    const before = fn.versions.primary();
    try {
      fn.versions.route(routing);
    } catch (error) {
      throw new LambdaEmulatorError('InvalidParameterValueException', (error as Error).message, {
        cause: error,
      });
    }
    const after = fn.versions.primary();
    if (after !== before && fn.provisioned > 0) {
      before.pool.setProvisioned(0, this.clock());
      const fresh = after.pool.setProvisioned(fn.provisioned, this.clock());
      await Promise.all(fresh.map((env) => this.initialise(fn, after, env, 'provisioned-concurrency')));
    }
  }

  aliasRouting(functionName: string): AliasRouting {
    return this.lookup(functionName).versions.aliasRouting();
  }

  versionStats(functionName: string): VersionStats[] {
    return this.lookup(functionName)
      .versions.list()
      .map((v) => ({
        version: v.version,
        publishedAt: v.publishedAt,
        ...(v.description ? { description: v.description } : {}),
        ...v.counters,
        environments: v.pool.snapshot().environments,
      }));
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
    await Promise.all(
      fresh.map((environment) => this.initialise(fn, primary, environment, 'provisioned-concurrency')),
    );
  }

  async invoke<TResult>(
    functionName: string,
    event: unknown,
    options: { traceHeader?: string } = {},
  ): Promise<Invocation<TResult>> {
    const fn = this.lookup(functionName);
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
      this.write(
        functionName,
        'throttles',
        throttleMetrics(functionName, arrivedAt, acquisition.concurrentExecutions),
      );
      throw new TooManyRequestsError(functionName, acquisition.concurrentExecutions);
    }
    const { environment } = acquisition;
    const coldStart = acquisition.outcome === 'cold';
    const requestId = randomUUID();
    const init = coldStart
      ? await this.initialise(fn, version, environment, 'on-demand', plan?.version)
      : undefined;
    fn.counters.invocations += 1;
    version.counters.invocations += 1;
    if (coldStart) {
      fn.counters.coldStarts += 1;
      version.counters.coldStarts += 1;
    }
    const trace = parseTraceHeader(options.traceHeader);
    const traceId = trace?.root ?? newTraceId(arrivedAt);
    const run = await this.run(fn, version, environment, event, requestId, plan);
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
    this.report(facts, environment, traceId, trace?.parent, plan?.version);
    for (const listener of this.listeners) listener(facts);
    if (run.failed) throw run.error;
    return { result: run.result as TResult, requestId, traceId, coldStart };
  }

  private async initialise(
    fn: RegisteredFunction,
    version: FunctionVersion,
    environment: ExecutionEnvironment,
    type: 'on-demand' | 'provisioned-concurrency',
    /** A fault's version label for the log stream, over the version's own. */
    label?: string,
  ): Promise<{ startMs: number; durationMs: number }> {
    const startMs = this.clock();
    const stream = logStreamName(environment.id, environment.createdAt, label ?? version.version);
    this.write(
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
    event: unknown,
    requestId: string,
    plan?: InvocationFaultPlan,
  ) {
    const { functionName } = fn.definition;
    const stream = logStreamName(environment.id, environment.createdAt, plan?.version ?? version.version);
    const startMs = this.clock();
    // The handler shares this process with everything else, so its own CPU cannot be told apart: the emulator
    // charges a nominal millisecond plus what an injected fault burns.
    const cpuMs = () => 1 + Math.min(plan?.cpuBurnMs ?? 0, MAX_BURN_MS);
    const deadline = startMs + (this.options.timeoutMs ?? 10_000);
    this.write(functionName, stream, startRecord(requestId, startMs, version.version), startMs);
    const context = this.contextFor(fn, version.version, stream, requestId, deadline);
    const scope = {
      writeLine: (line: string) =>
        this.options.logs?.append(logGroupOf(functionName), stream, line, this.clock()),
    };
    try {
      const result = await runWithOutputScope(scope, () =>
        withTimeout(this.handle(version.handler, event, context, plan), deadline - startMs, functionName),
      );
      return { result, failed: false as const, startMs, endMs: this.clock(), cpuMs: cpuMs() };
    } catch (error) {
      const at = this.clock();
      const timedOut = error instanceof LambdaEmulatorError && error.code === 'TimeoutError';
      // What Lambda prints when a handler does not return: the runtime's exit, the timeout, or the error.
      if (plan?.killed)
        this.options.logs?.append(
          logGroupOf(functionName),
          stream,
          `RequestId: ${requestId} Error: Runtime exited with error: signal: killed\nRuntime.ExitError`,
          at,
        );
      else if (timedOut)
        this.options.logs?.append(
          logGroupOf(functionName),
          stream,
          `${new Date(at).toISOString()} ${requestId} Task timed out after ${((at - startMs) / 1000).toFixed(2)} seconds`,
          at,
        );
      else {
        const thrown = error instanceof Error ? error : new Error(String(error));
        this.write(
          functionName,
          stream,
          invokeErrorLine(requestId, at, { name: thrown.name, message: thrown.message }),
          at,
        );
      }
      // A timed-out or crashed runtime is not reused, so the next request pays INIT again as in Lambda.
      if (error instanceof LambdaEmulatorError) version.pool.discard(environment.id);
      const failure = new LambdaEmulatorError('Unhandled', `${functionName} failed`, { cause: error });
      return {
        error: failure,
        failed: true as const,
        timedOut,
        startMs,
        endMs: this.clock(),
        cpuMs: cpuMs(),
      };
    }
  }

  /** The handler, with what an injected fault does around it. */
  private async handle(handler: Handler, event: unknown, context: Context, plan?: InvocationFaultPlan) {
    if (plan?.cpuBurnMs) burnCpu(Math.min(plan.cpuBurnMs, MAX_BURN_MS));
    if (plan?.delayMs) await this.wait(plan.delayMs);
    if (plan?.killed)
      throw new LambdaEmulatorError('Runtime.ExitError', 'Runtime exited with error: signal: killed');
    if (plan?.error) throw Object.assign(new Error(plan.error.message), { name: plan.error.name });
    return handler(event as never, context as never);
  }

  private report(
    facts: InvocationFacts,
    environment: ExecutionEnvironment,
    traceId: string,
    parent?: string,
    version?: string,
  ) {
    const stream = logStreamName(environment.id, environment.createdAt, version ?? facts.version);
    if (facts.coldStart) this.write(facts.functionName, stream, coldStartLine(facts), facts.initStartMs);
    this.write(facts.functionName, stream, reportRecord(facts), facts.endMs);
    this.write(facts.functionName, stream, invocationMetrics(facts), facts.endMs);
    if (this.options.lambdaInsights)
      this.options.logs?.append(
        LAMBDA_INSIGHTS_LOG_GROUP,
        stream,
        JSON.stringify(lambdaInsightsRecord(facts, traceId)),
        facts.endMs,
      );
    this.options.segments?.emit(functionSegment(facts, traceId, parent));
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

  private write(functionName: string, stream: string, record: object, at = this.clock()): void {
    this.options.logs?.append(logGroupOf(functionName), stream, JSON.stringify(record), at);
  }

  private arnOf(functionName: string): string {
    const region = this.options.region ?? 'us-east-1';
    return `arn:aws:lambda:${region}:${this.options.accountId ?? '000000000000'}:function:${functionName}`;
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

const MAX_BURN_MS = 50;

/** A busy loop: the CPU a starved function spends (bounded by the caller). */
function burnCpu(ms: number): void {
  const until = performance.now() + ms;
  let x = 0;
  while (performance.now() < until) x += Math.sqrt(x + 1);
  if (x < 0) throw new RangeError('unreachable');
}
