import {
  coldStartLine,
  type InvocationFacts,
  initStartRecord,
  invocationMetrics,
  logStreamName,
  reportRecord,
  startRecord,
  throttleMetrics,
} from '@boundless/local/lambda';
import type { Rng } from '../sim/rng.ts';
import type { CallResult } from './calls.ts';
import type { ComponentSpec } from './estate.ts';
import type { TelemetryDirectoryWriter } from './telemetry-writer.ts';

/**
 * Telemetry of a simulated request as each runtime writes it: Lambda functions through the same record builders
 * as the local runtime (platform records, Powertools lines, EMF, the function segment), containers as JSON or
 * text log lines in one of several styles plus an X-Ray segment, managed dependencies only as their callers'
 * subsegments.
 */
export interface EmitContext {
  writer: TelemetryDirectoryWriter;
  rng: Rng;
  /** Lambda environments per function: an id per instance, renewed on a cold start. */
  environments: Map<string, string[]>;
  route: string;
}

const seconds = (ms: number) => ms / 1000;
const iso = (ms: number) => new Date(ms).toISOString();

function fill(template: string, rng: Rng): string {
  return template
    .replace(/\{id\}/g, () => rng.hex(8))
    .replace(/\{n\}/g, () => String(rng.int(1, 500)))
    .replace(/\{op\}/g, () => rng.pick(['read', 'write', 'list', 'update']));
}

function flags(r: CallResult) {
  if (r.throttled) return { error: true, throttle: true };
  if (r.failed) return r.status >= 500 ? { fault: true } : { error: true };
  return {};
}

function cause(r: CallResult) {
  return r.exception
    ? {
        cause: {
          exceptions: [{ id: '0000000000000000', type: r.exception.type, message: r.exception.message }],
        },
      }
    : {};
}

/** A dependency call as the caller's subsegment (and the callee's own segment id when it sends one). */
function callSubsegment(child: CallResult, rng: Rng): Record<string, unknown> {
  const base = {
    id: rng.hex(16),
    name: child.component,
    start_time: seconds(child.startMs),
    end_time: seconds(child.endMs),
    ...flags(child),
    ...cause(child),
  };
  const spec = child.spec;
  if (spec.runtime === 'managed' && spec.namespace === 'aws')
    return {
      ...base,
      namespace: 'aws',
      aws: { operation: child.operation, table_name: 'boundless', retries: 0 },
      http: { response: { status: child.status } },
    };
  if (spec.runtime === 'managed' && (spec.operations ?? []).includes('SELECT'))
    return {
      ...base,
      namespace: 'remote',
      sql: { sanitized_query: `${child.operation} ...`, url: spec.name },
    };
  return {
    ...base,
    namespace: 'remote',
    http: { request: { method: child.operation ?? 'GET' }, response: { status: child.status } },
  };
}

function noise(spec: ComponentSpec, rng: Rng): { level: 'WARN' | 'ERROR'; text: string }[] {
  const out: { level: 'WARN' | 'ERROR'; text: string }[] = [];
  if (spec.noiseTemplates.length === 0) return out;
  if (rng.chance(spec.noiseWarnRate))
    out.push({ level: 'WARN', text: fill(rng.pick(spec.noiseTemplates), rng) });
  if (rng.chance(spec.noiseErrorRate))
    out.push({ level: 'ERROR', text: fill(rng.pick(spec.noiseTemplates), rng) });
  return out;
}

export function emitCall(result: CallResult, ctx: EmitContext, traceId: string, parentId?: string): void {
  if (result.spec.runtime === 'lambda') emitLambda(result, ctx, traceId, parentId);
  else if (result.spec.runtime === 'container') emitContainer(result, ctx, traceId, parentId);
}

function environmentOf(result: CallResult, ctx: EmitContext): string {
  const list = ctx.environments.get(result.component) ?? [];
  ctx.environments.set(result.component, list);
  while (list.length < result.spec.instances) list.push(ctx.rng.hex(32));
  if (result.cold) list[result.instance] = ctx.rng.hex(32);
  return list[result.instance]!;
}

function emitLambda(r: CallResult, ctx: EmitContext, traceId: string, parentId?: string): void {
  const { writer, rng } = ctx;
  const spec = r.spec;
  const group = spec.logGroup!;
  if (r.throttled && r.children.length === 0 && r.selfMs === 0) {
    writer.log(group, 'throttles', r.startMs, throttleMetrics(spec.name, r.startMs, spec.instances));
    return;
  }
  const stream = logStreamName(environmentOf(r, ctx), r.startMs).replace('$LATEST', r.version);
  const requestId = `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`;
  const startMs = r.startMs + r.initMs;
  const facts: InvocationFacts = {
    functionName: spec.name,
    version: r.version,
    requestId,
    functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${spec.name}`,
    memoryMb: spec.memoryMb,
    startMs,
    endMs: r.endMs,
    coldStart: r.cold,
    ...(r.cold ? { initDurationMs: Math.round(r.initMs), initStartMs: r.startMs } : {}),
    provisioned: false,
    failed: r.oom,
    statusCode: r.status,
    concurrentExecutions: spec.instances,
    provisionedConcurrency: 0,
    provisionedUtilization: 0,
  };
  if (r.cold) {
    writer.log(group, stream, r.startMs, initStartRecord(spec.name, r.startMs, 'on-demand'));
    writer.log(group, stream, r.startMs, coldStartLine(facts));
  }
  writer.log(group, stream, startMs, startRecord(requestId, startMs));
  const line = {
    level: 'INFO',
    message: 'request',
    timestamp: iso(r.endMs),
    service: 'delivery',
    cold_start: r.cold,
    function_name: spec.name,
    function_request_id: requestId,
    function_version: r.version,
    xray_trace_id: traceId,
    route: ctx.route,
    statusCode: r.status,
    durationMs: Math.round(r.endMs - startMs),
  };
  if (r.failed && !r.oom)
    writer.log(group, stream, r.endMs - 1, {
      ...line,
      level: 'ERROR',
      message: 'request failed',
      error: { name: r.exception?.type, message: r.exception?.message, location: 'handler.ts:42' },
    });
  for (const n of noise(spec, rng))
    writer.log(group, stream, r.endMs - 2, { ...line, level: n.level, message: n.text });
  if (r.oom)
    writer.log(
      group,
      stream,
      r.endMs,
      `${iso(r.endMs)} ${requestId} Error: Runtime exited with error: signal: killed Runtime.ExitError`,
    );
  writer.log(group, stream, r.endMs, line);
  const report = reportRecord(facts) as { record: { status: string; metrics: Record<string, number> } };
  report.record.metrics.maxMemoryUsedMB = Math.round(spec.memoryMb * (r.oom ? 1 : rng.between(0.35, 0.55)));
  if (r.oom) report.record.status = 'error';
  writer.log(group, stream, r.endMs, report);
  writer.log(group, stream, r.endMs, invocationMetrics({ ...facts, failed: r.failed }));
  const subsegments: Record<string, unknown>[] = [];
  if (r.cold)
    subsegments.push({
      id: rng.hex(16),
      name: 'Initialization',
      start_time: seconds(r.startMs),
      end_time: seconds(startMs),
    });
  subsegments.push({
    id: rng.hex(16),
    name: 'Invocation',
    start_time: seconds(startMs),
    end_time: seconds(r.endMs),
    ...(r.failed ? { fault: true } : {}),
    subsegments: r.children.map((child) => callSubsegment(child, rng)),
  });
  writer.segment({
    name: spec.name,
    id: rng.hex(16),
    trace_id: traceId,
    ...(parentId ? { parent_id: parentId } : {}),
    start_time: seconds(r.startMs),
    end_time: seconds(r.endMs),
    origin: 'AWS::Lambda::Function',
    aws: { function_arn: facts.functionArn, request_id: requestId, resource_names: [spec.name] },
    annotations: { ColdStart: r.cold, Service: spec.name },
    http: { response: { status: r.status } },
    ...flags({ ...r, throttled: false }),
    ...cause(r),
    subsegments,
  });
}

function containerLine(
  spec: ComponentSpec,
  level: string,
  text: string,
  at: number,
  traceId: string,
  r: CallResult,
  exception?: { type: string; message: string },
): string | object {
  switch (spec.logStyle) {
    case 'powertools':
      return {
        level,
        message: text,
        service: spec.name,
        timestamp: iso(at),
        xray_trace_id: traceId,
        'service.version': r.version,
        ...(exception ? { error: { name: exception.type, message: exception.message } } : {}),
      };
    case 'logback_json':
      return {
        '@timestamp': iso(at),
        level,
        logger_name: `com.example.${spec.name.split('-').at(-1)}.Handler`,
        thread_name: 'http-nio-8080-exec-4',
        message: text,
        traceId,
        version: r.version,
        ...(exception ? { exception: { class: exception.type, message: exception.message } } : {}),
      };
    default:
      return `${iso(at).replace('T', ' ').slice(0, 23)} ${level.padEnd(5)} [${spec.name},${traceId}] ${text}${exception ? ` ${exception.type}: ${exception.message}` : ''}`;
  }
}

function emitContainer(r: CallResult, ctx: EmitContext, traceId: string, parentId?: string): void {
  const { writer, rng } = ctx;
  const spec = r.spec;
  const group = spec.logGroup!;
  const stream = `ecs/${spec.name}/${r.version}-${r.instance}`;
  const segmentId = rng.hex(16);
  const subsegments: Record<string, unknown>[] = [];
  for (const child of r.children) {
    const sub = callSubsegment(child, rng);
    subsegments.push(sub);
    if (child.spec.runtime === 'container') emitCall(child, ctx, traceId, sub.id as string);
  }
  for (const template of spec.templates)
    writer.log(
      group,
      stream,
      r.startMs + 1,
      containerLine(spec, 'INFO', fill(template, rng), r.startMs + 1, traceId, r),
    );
  for (const n of noise(spec, rng))
    writer.log(group, stream, r.startMs + 2, containerLine(spec, n.level, n.text, r.startMs + 2, traceId, r));
  if (r.failed)
    writer.log(
      group,
      stream,
      r.endMs,
      containerLine(
        spec,
        'ERROR',
        r.oom ? 'worker crashed' : 'request failed',
        r.endMs,
        traceId,
        r,
        r.exception,
      ),
    );
  writer.segment({
    name: spec.name,
    id: segmentId,
    trace_id: traceId,
    ...(parentId ? { parent_id: parentId } : {}),
    start_time: seconds(r.startMs),
    end_time: seconds(r.endMs),
    origin: 'AWS::ECS::Container',
    http: { request: { method: 'POST', url: ctx.route }, response: { status: r.status } },
    ...flags(r),
    ...cause(r),
    subsegments,
  });
}
