import { type EmfMetric, emfDocument } from '../telemetry/emf.ts';
import { randomHex } from './random-ids.ts';

/**
 * What the emulated Lambda service itself writes: platform records in Lambda's JSON log format, a
 * Powertools-style INIT line on cold starts, one EMF document per invocation, and the function's X-Ray segment.
 * Pure builders: the emulator decides when, these decide the shape.
 */
const EMF_NAMESPACE = 'Boundless/Lambda';

export interface InvocationFacts {
  functionName: string;
  /** The version that ran (`$LATEST` until a version is published and routed to). */
  version: string;
  requestId: string;
  functionArn: string;
  memoryMb: number;
  startMs: number;
  endMs: number;
  coldStart: boolean;
  /** Init time paid by this request (cold start only). */
  initDurationMs?: number;
  initStartMs?: number;
  provisioned: boolean;
  failed: boolean;
  /** The HTTP status of an API Gateway proxy result, when the function returned one. */
  statusCode?: number;
  concurrentExecutions: number;
  provisionedConcurrency: number;
  provisionedUtilization: number;
  /** Peak memory of the invocation, when known (Lambda always reports it; the emulator knows it under a fault). */
  maxMemoryUsedMb?: number;
  /** `error` for a crash, `timeout` for a timeout; `failed` alone reads as `error`. */
  status?: 'error' | 'timeout';
  /** CPU time charged to the invocation, in ms (nominal, plus what an injected CPU fault burns). */
  cpuTimeMs?: number;
}

/** Where the Lambda Insights extension writes its performance events. */
export const LAMBDA_INSIGHTS_LOG_GROUP = '/aws/lambda-insights';

/**
 * The Lambda Insights performance event of one invocation (namespace `LambdaInsights`, dimension
 * `function_name`), with the fields the emulator knows: duration, CPU time, and peak memory when known.
 */
export function lambdaInsightsRecord(facts: InvocationFacts, traceId: string) {
  const metrics: EmfMetric[] = [
    { name: 'cpu_total_time', unit: 'Milliseconds', value: Math.round(facts.cpuTimeMs ?? 0) },
    { name: 'duration', unit: 'Milliseconds', value: facts.endMs - facts.startMs },
  ];
  if (facts.maxMemoryUsedMb !== undefined)
    metrics.push(
      { name: 'used_memory_max', unit: 'Megabytes', value: facts.maxMemoryUsedMb },
      {
        name: 'memory_utilization',
        unit: 'Percent',
        value: Number(((100 * facts.maxMemoryUsedMb) / facts.memoryMb).toFixed(2)),
      },
    );
  return emfDocument(
    'LambdaInsights',
    [['function_name'], ['function_name', 'version']],
    facts.endMs,
    metrics,
    {
      event_type: 'performance',
      function_name: facts.functionName,
      version: facts.version,
      request_id: facts.requestId,
      trace_id: traceId,
      cold_start: facts.coldStart,
      total_memory: facts.memoryMb,
    },
  );
}

export function logStreamName(environmentId: string, atMs: number, version = '$LATEST'): string {
  const day = new Date(atMs).toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${version}]${environmentId}`;
}

/** The Node.js runtime's own line for an error the handler did not catch (Lambda's JSON log format). */
export function invokeErrorLine(requestId: string, atMs: number, error: { name: string; message: string }) {
  return {
    timestamp: new Date(atMs).toISOString(),
    level: 'ERROR',
    requestId,
    message: 'Invoke Error',
    errorType: error.name,
    errorMessage: error.message,
    stackTrace: [`${error.name}: ${error.message}`, '    at handler (/var/task/index.mjs:1:1)'],
  };
}

export function newEnvironmentId(): string {
  return randomHex(16);
}

export function initStartRecord(
  functionName: string,
  atMs: number,
  initializationType: 'on-demand' | 'provisioned-concurrency',
  version = '$LATEST',
) {
  return {
    time: new Date(atMs).toISOString(),
    type: 'platform.initStart',
    record: { initializationType, phase: 'init', functionName, functionVersion: version },
  };
}

/** Powertools' logger marks the first invocation of an environment with `cold_start: true`; so do we. */
export function coldStartLine(facts: InvocationFacts) {
  return {
    level: 'INFO',
    message: 'INIT',
    timestamp: new Date(facts.initStartMs ?? facts.startMs).toISOString(),
    service: facts.functionName,
    cold_start: true,
    function_name: facts.functionName,
    function_arn: facts.functionArn,
    function_memory_size: facts.memoryMb,
    function_request_id: facts.requestId,
    init_duration_ms: facts.initDurationMs ?? 0,
  };
}

export function startRecord(requestId: string, startMs: number, version = '$LATEST') {
  return {
    time: new Date(startMs).toISOString(),
    type: 'platform.start',
    record: { requestId, version },
  };
}

export function reportRecord(facts: InvocationFacts) {
  const durationMs = facts.endMs - facts.startMs;
  return {
    time: new Date(facts.endMs).toISOString(),
    type: 'platform.report',
    record: {
      requestId: facts.requestId,
      status: facts.failed ? (facts.status ?? 'error') : 'success',
      metrics: {
        durationMs,
        billedDurationMs: Math.max(1, Math.ceil(durationMs)),
        memorySizeMB: facts.memoryMb,
        ...(facts.maxMemoryUsedMb !== undefined ? { maxMemoryUsedMB: facts.maxMemoryUsedMb } : {}),
        ...(facts.coldStart ? { initDurationMs: facts.initDurationMs ?? 0 } : {}),
      },
    },
  };
}

/** A Lambda EMF document: `function_name`, the metric values, then the other properties (in that order). */
function lambdaEmf(
  functionName: string,
  atMs: number,
  metrics: EmfMetric[],
  properties: Record<string, unknown>,
  dimensions: string[][] = [['function_name']],
) {
  return {
    ...emfDocument(EMF_NAMESPACE, dimensions, atMs, metrics, { function_name: functionName }),
    ...properties,
  };
}

export function invocationMetrics(facts: InvocationFacts) {
  return lambdaEmf(
    facts.functionName,
    facts.endMs,
    [
      { name: 'Invocations', unit: 'Count', value: 1 },
      { name: 'Errors', unit: 'Count', value: facts.failed ? 1 : 0 },
      { name: 'ColdStart', unit: 'Count', value: facts.coldStart ? 1 : 0 },
      { name: 'Duration', unit: 'Milliseconds', value: facts.endMs - facts.startMs },
      { name: 'ConcurrentExecutions', unit: 'Count', value: facts.concurrentExecutions },
      { name: 'ProvisionedConcurrency', unit: 'Count', value: facts.provisionedConcurrency },
      { name: 'ProvisionedConcurrencyUtilization', unit: 'None', value: facts.provisionedUtilization },
    ],
    {
      requestId: facts.requestId,
      provisioned: facts.provisioned,
      // As Lambda publishes per ExecutedVersion: what a canary's alarms read.
      ExecutedVersion: facts.version,
      ...(facts.coldStart ? { InitDuration: facts.initDurationMs ?? 0 } : {}),
    },
    [['function_name'], ['function_name', 'ExecutedVersion']],
  );
}

export function throttleMetrics(functionName: string, atMs: number, concurrentExecutions: number) {
  return lambdaEmf(
    functionName,
    atMs,
    [
      { name: 'Throttles', unit: 'Count', value: 1 },
      { name: 'ConcurrentExecutions', unit: 'Count', value: concurrentExecutions },
    ],
    {},
  );
}

export function newTraceId(atMs: number): string {
  return `1-${Math.floor(atMs / 1000).toString(16)}-${randomHex(12)}`;
}

function newSegmentId(): string {
  return randomHex(8);
}

/** The function's segment as Lambda reports it, with Initialization and Invocation subsegments. */
export function functionSegment(facts: InvocationFacts, traceId: string, parentId?: string) {
  const seconds = (ms: number) => ms / 1000;
  const subsegments = [];
  if (facts.coldStart && facts.initStartMs !== undefined) {
    subsegments.push({
      id: newSegmentId(),
      name: 'Initialization',
      start_time: seconds(facts.initStartMs),
      end_time: seconds(facts.initStartMs + (facts.initDurationMs ?? 0)),
    });
  }
  subsegments.push({
    id: newSegmentId(),
    name: 'Invocation',
    start_time: seconds(facts.startMs),
    end_time: seconds(facts.endMs),
    ...(facts.failed ? { fault: true } : {}),
  });
  return {
    name: facts.functionName,
    id: newSegmentId(),
    trace_id: traceId,
    ...(parentId ? { parent_id: parentId } : {}),
    start_time: seconds(facts.initStartMs ?? facts.startMs),
    end_time: seconds(facts.endMs),
    origin: 'AWS::Lambda::Function',
    aws: {
      function_arn: facts.functionArn,
      request_id: facts.requestId,
      resource_names: [facts.functionName],
    },
    annotations: { ColdStart: facts.coldStart, Service: facts.functionName, Provisioned: facts.provisioned },
    ...(facts.statusCode !== undefined ? { http: { response: { status: facts.statusCode } } } : {}),
    ...statusFlags(facts),
    subsegments,
  };
}

/** `Root=...;Parent=...;Sampled=1` from an incoming `X-Amzn-Trace-Id` header, if it carries a valid root. */
export function parseTraceHeader(header: string | undefined): { root: string; parent?: string } | undefined {
  if (!header) return undefined;
  const fields = Object.fromEntries(
    header.split(';').map((part) => {
      const [key = '', value = ''] = part.trim().split('=');
      return [key, value];
    }),
  );
  const root = fields.Root;
  if (!root || !/^1-[0-9a-f]{8}-[0-9a-f]{24}$/.test(root)) return undefined;
  const parent = fields.Parent && /^[0-9a-f]{16}$/.test(fields.Parent) ? fields.Parent : undefined;
  return parent ? { root, parent } : { root };
}

function statusFlags(facts: InvocationFacts): { fault?: true; error?: true; throttle?: true } {
  const status = facts.statusCode ?? 0;
  if (facts.failed || status >= 500) return { fault: true };
  if (status === 429) return { error: true, throttle: true };
  if (status >= 400) return { error: true };
  return {};
}
