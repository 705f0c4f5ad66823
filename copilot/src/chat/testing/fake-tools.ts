import { z } from 'zod';
import type { CopilotTool, Evidence, ToolResult } from '../tools.ts';

/**
 * A small registry of tools with the agreed result shape over fixed telemetry, for chat tests: log events,
 * traces and metric points with evidence references, and a count of the calls each tool ran.
 */
interface FakeLogEvent {
  logGroup: string;
  eventId: string;
  timestamp: number;
  message: string;
}

export interface FakeTelemetry {
  logs: FakeLogEvent[];
  traces: { traceId: string; root: string; faultAt?: string; durationMs: number }[];
  metrics: {
    namespace: string;
    metric: string;
    dimensions: Record<string, string>;
    points: [number, number][];
  }[];
}

export type CallLog = { tool: string; params: Record<string, unknown> }[];

const iso = (ms: number) => new Date(ms).toISOString();

export function fakeTools(telemetry: FakeTelemetry, calls: CallLog = []): CopilotTool[] {
  const logsQuery: CopilotTool<{
    query: string;
    logGroups?: string[];
    from?: string;
    to?: string;
    limit: number;
  }> = {
    name: 'logs_query',
    description: 'Runs a Logs Insights query over the incident log groups. Returns matching log events.',
    params: z.object({
      query: z.string().min(1),
      logGroups: z.array(z.string()).optional(),
      from: z.string().optional(),
      to: z.string().optional(),
      limit: z.number().int().min(1).max(100).default(20),
    }),
    async run(params) {
      calls.push({ tool: 'logs_query', params });
      const terms = [...params.query.matchAll(/"([^"]+)"|\/([^/]+)\//g)].map((m) =>
        (m[1] ?? m[2] ?? '').toLowerCase(),
      );
      const rows = telemetry.logs
        .filter((e) => !params.logGroups || params.logGroups.includes(e.logGroup))
        .filter((e) => terms.every((t) => e.message.toLowerCase().includes(t)))
        .slice(0, params.limit);
      const query = { tool: 'logs_query', params, text: params.query, from: params.from, to: params.to };
      if (rows.length === 0) return { status: 'no_data', query } satisfies ToolResult;
      return {
        status: 'success',
        data: {
          rows: rows.map((e) => ({
            '@timestamp': iso(e.timestamp),
            '@message': e.message,
            '@log': e.logGroup,
          })),
        },
        query,
        evidence: rows.map(
          (e): Evidence => ({
            kind: 'log',
            ref: { logGroup: e.logGroup, eventId: e.eventId, timestamp: e.timestamp },
            excerpt: e.message.slice(0, 240),
          }),
        ),
      };
    },
  };
  const traces: CopilotTool<{ filter?: string; from?: string; to?: string }> = {
    name: 'traces',
    description: 'Lists X-Ray traces in a time range, optionally only those with a fault or error.',
    params: z.object({
      filter: z.string().optional(),
      from: z.string().optional(),
      to: z.string().optional(),
    }),
    async run(params) {
      calls.push({ tool: 'traces', params });
      const found = telemetry.traces.filter((t) => params.filter !== 'fault' || t.faultAt);
      const query = { tool: 'traces', params, text: params.filter, from: params.from, to: params.to };
      if (found.length === 0) return { status: 'no_data', query };
      return {
        status: 'success',
        data: { traces: found },
        query,
        evidence: found.map((t) => ({
          kind: 'trace' as const,
          ref: { traceId: t.traceId },
          excerpt: `${t.root} ${t.durationMs} ms${t.faultAt ? `, fault in ${t.faultAt}` : ''}`,
        })),
      };
    },
  };
  const metrics: CopilotTool<{ metric: string; from?: string; to?: string }> = {
    name: 'metrics',
    description: 'Returns the points of one metric (by name) over a time range.',
    params: z.object({ metric: z.string().min(1), from: z.string().optional(), to: z.string().optional() }),
    async run(params) {
      calls.push({ tool: 'metrics', params });
      const series = telemetry.metrics.filter((m) => m.metric.toLowerCase() === params.metric.toLowerCase());
      const query = { tool: 'metrics', params, from: params.from, to: params.to };
      if (series.length === 0)
        return {
          status: 'error',
          error: { code: 'unknown_metric', message: `no metric ${params.metric}` },
          query,
        };
      return {
        status: 'success',
        data: { series },
        query,
        evidence: series.map((m) => ({
          kind: 'metric' as const,
          ref: {
            namespace: m.namespace,
            metric: m.metric,
            dimensions: m.dimensions,
            from: iso(m.points[0]?.[0] ?? 0),
            to: iso(m.points.at(-1)?.[0] ?? 0),
          },
          excerpt: `${m.metric} ${m.points.map((p) => p[1]).join(', ')}`,
        })),
      };
    },
  };
  return [logsQuery, traces, metrics] as CopilotTool[];
}
