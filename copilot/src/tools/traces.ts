import { z } from 'zod';
import { groupTraces, serviceMap, type TraceView } from '../telemetry/trace-graph.ts';
import type { Span } from '../telemetry/types.ts';
import { answer, capped, rangedQuery, skipNotes } from './results.ts';
import { failure, notConfigured } from './run-tool.ts';
import { resolveTimeRange, timeRangeInput } from './time-range.ts';
import type { CopilotTool } from './types.ts';

/**
 * The X-Ray filter expressions on-call engineers type most: `fault`, `error`, `throttle`, `responsetime > 1.5`
 * (seconds), `service("name")`, `http.status = 503`, joined with AND / OR (AND binds tighter).
 */
function compileTraceExpression(expression: string | undefined): (trace: TraceView) => boolean {
  const text = expression?.trim() ?? '';
  if (text === '') return () => true;
  const alternatives = text.split(/\s+OR\s+/i).map((alternative) =>
    alternative.split(/\s+AND\s+/i).map((term): ((t: TraceView) => boolean) => {
      const t = term.trim();
      if (/^(fault|error|throttle)(\s*=\s*true)?$/i.test(t)) {
        const flag = t.split(/\s|=/)[0]!.toLowerCase() as 'fault' | 'error' | 'throttle';
        return (trace) => trace[flag];
      }
      const time = /^(responsetime|duration)\s*(>=|>|<=|<)\s*([\d.]+)$/i.exec(t);
      if (time) {
        const ms = Number(time[3]) * 1000;
        const op = time[2];
        return (trace) =>
          op === '>'
            ? trace.durationMs > ms
            : op === '>='
              ? trace.durationMs >= ms
              : op === '<'
                ? trace.durationMs < ms
                : trace.durationMs <= ms;
      }
      const service = /^service\(\s*"([^"]+)"\s*\)$/i.exec(t);
      if (service) return (trace) => trace.spans.some((s) => s.name === service[1]);
      const status = /^http\.status\s*=\s*(\d{3})$/i.exec(t);
      if (status) return (trace) => trace.spans.some((s) => s.status === Number(status[1]));
      throw new Error(
        `unsupported filter term "${t}": use fault, error, throttle, responsetime > n, service("name"), http.status = n`,
      );
    }),
  );
  return (trace) => alternatives.some((terms) => terms.every((test) => test(trace)));
}

/** The span a trace's trouble started at: the deepest span with a fault, error or throttle flag. */
function deepestTrouble(trace: TraceView): Span | undefined {
  const byId = new Map(trace.spans.map((s) => [s.id, s]));
  const depth = (span: Span) => {
    let d = 0;
    for (let cursor = span; cursor.parentId && d < 128; d++) {
      const parent = byId.get(cursor.parentId);
      if (!parent) break;
      cursor = parent;
    }
    return d;
  };
  let best: Span | undefined;
  let bestDepth = -1;
  for (const span of trace.spans) {
    if (!(span.fault || span.error || span.throttle)) continue;
    const d = depth(span);
    if (d > bestDepth) {
      best = span;
      bestDepth = d;
    }
  }
  return best;
}

function summary(trace: TraceView) {
  const trouble = deepestTrouble(trace);
  return {
    traceId: trace.traceId,
    start: new Date(trace.startMs).toISOString(),
    durationMs: Math.round(trace.durationMs),
    entry: trace.root?.name,
    services: trace.services,
    fault: trace.fault,
    error: trace.error,
    throttle: trace.throttle,
    ...(trouble
      ? {
          troubleAt: {
            service: trouble.owner,
            span: trouble.name,
            status: trouble.status,
            exceptions: trouble.exceptions.slice(0, 3),
          },
        }
      : {}),
  };
}

const searchInput = z.strictObject({
  filter: z
    .string()
    .max(500)
    .optional()
    .describe(
      'X-Ray filter expression subset: fault, error, throttle, responsetime > 1.5, service("name"), http.status = 503, joined with AND / OR',
    ),
  limit: z.number().int().min(1).max(200).default(20),
  ...timeRangeInput,
});

export const searchTracesTool: CopilotTool<typeof searchInput> = {
  name: 'search_traces',
  description:
    'Find traces in a time range (X-Ray), optionally filtered; each summary names the services touched and the deepest span with a fault, error or throttle (where the trouble started).',
  input: searchInput,
  async run(params, ctx) {
    if (!ctx.telemetry) return notConfigured(this.name, params, 'telemetry');
    const range = resolveTimeRange(params, ctx.now());
    if ('invalid' in range) return failure(this.name, params, 'invalid_input', range.invalid);
    const query = rangedQuery(this.name, params, range, params.filter);
    let keep: (trace: TraceView) => boolean;
    try {
      keep = compileTraceExpression(params.filter);
    } catch (error) {
      return failure(this.name, params, 'unsupported_query', (error as Error).message, query);
    }
    const snapshot = await ctx.telemetry.snapshot(range.startMs, range.endMs, { groups: [] });
    if (!snapshot.has.traces)
      return failure(this.name, params, 'source_failed', 'no trace store (xray/) in the telemetry', query);
    const traces = groupTraces(snapshot.spans).filter(keep);
    // Troubled and slow first: what an on-call engineer opens first.
    traces.sort(
      (a, b) => Number(b.fault || b.error) - Number(a.fault || a.error) || b.durationMs - a.durationMs,
    );
    const notes = skipNotes(snapshot.skips);
    const shown = capped(traces, params.limit, notes, 'traces').map(summary);
    return answer(query, { matched: traces.length, traces: shown }, traces.length === 0, notes);
  },
};

const traceInput = z.strictObject({
  traceId: z.string().regex(/^[\w-]{8,64}$/),
  ...timeRangeInput,
});

export const getTraceTool: CopilotTool<typeof traceInput> = {
  name: 'get_trace',
  description:
    'Every span of one trace (segments and subsegments) with timings, flags, HTTP statuses and exceptions.',
  input: traceInput,
  async run(params, ctx) {
    if (!ctx.telemetry) return notConfigured(this.name, params, 'telemetry');
    const range = resolveTimeRange(params, ctx.now(), 86_400_000);
    if ('invalid' in range) return failure(this.name, params, 'invalid_input', range.invalid);
    const query = rangedQuery(this.name, params, range, params.traceId);
    const snapshot = await ctx.telemetry.snapshot(range.startMs, range.endMs, { groups: [] });
    const spans = snapshot.spans.filter((s) => s.traceId === params.traceId);
    const [trace] = groupTraces(spans);
    const data = trace
      ? {
          ...summary(trace),
          spans: spans.map((s) => ({
            id: s.id,
            parentId: s.parentId,
            name: s.name,
            service: s.owner,
            segment: s.isSegment,
            offsetMs: Math.round(s.startMs - trace.startMs),
            durationMs: Math.round((s.endMs - s.startMs) * 10) / 10,
            ...(s.fault ? { fault: true } : {}),
            ...(s.error ? { error: true } : {}),
            ...(s.throttle ? { throttle: true } : {}),
            ...(s.status !== undefined ? { status: s.status } : {}),
            ...(s.namespace ? { namespace: s.namespace } : {}),
            ...(s.operation ? { operation: s.operation } : {}),
            ...(s.exceptions.length ? { exceptions: s.exceptions } : {}),
          })),
        }
      : undefined;
    return answer(
      query,
      data,
      !trace,
      trace ? [] : [`no trace ${params.traceId} between ${query.from} and ${query.to}`],
    );
  },
};

const mapInput = z.strictObject({ ...timeRangeInput });

export const serviceMapTool: CopilotTool<typeof mapInput> = {
  name: 'service_map',
  description:
    'The service map of a time range from traces: each service and dependency with request, error, fault and throttle counts and p50/p95 latency, and each caller → callee edge with the same.',
  input: mapInput,
  async run(params, ctx) {
    if (!ctx.telemetry) return notConfigured(this.name, params, 'telemetry');
    const range = resolveTimeRange(params, ctx.now());
    if ('invalid' in range) return failure(this.name, params, 'invalid_input', range.invalid);
    const query = rangedQuery(this.name, params, range);
    const snapshot = await ctx.telemetry.snapshot(range.startMs, range.endMs, { groups: [] });
    const map = serviceMap(snapshot.spans);
    return answer(query, map, map.nodes.length === 0, skipNotes(snapshot.skips));
  },
};
