import { describe, expect, it } from 'vitest';
import { checkoutLogEvents, checkoutTrace, T, writeTelemetryFixture } from '../telemetry/test-support.ts';
import { COPILOT_TOOLS, toolByName } from './registry.ts';
import { RunbookIndex } from './runbook-index.ts';
import { runTool } from './run-tool.ts';
import { LocalTelemetry, type TelemetryPort } from './telemetry-port.ts';
import type { ToolContext, ToolResult } from './types.ts';

async function context(): Promise<ToolContext> {
  const root = await writeTelemetryFixture(
    [
      {
        name: '/aws/lambda/checkout',
        events: [...checkoutLogEvents(), { raw: 'garbage' }],
      },
      {
        name: 'aws-cloudtrail-logs-test',
        events: [
          {
            timestamp: T(14),
            message: {
              eventVersion: '1.09',
              eventSource: 'lambda.amazonaws.com',
              eventName: 'UpdateFunctionCode20150331v2',
              eventTime: new Date(T(14)).toISOString(),
              requestParameters: { functionName: 'checkout' },
            },
          },
        ],
      },
    ],
    Array.from({ length: 40 }, (_, i) => checkoutTrace(i, i % 20 >= 15)),
  );
  return {
    telemetry: new LocalTelemetry(root),
    runbooks: await RunbookIndex.load(),
    findings: {
      listFindings: async () => [
        {
          id: 'f1',
          kind: 'scraping',
          subject: { ip: '203.0.113.9' },
          firstSeen: new Date(T(3)).toISOString(),
          detectedAt: new Date(T(4)).toISOString(),
          score: 0.9,
          severity: 'critical',
          summary: 'scraper',
          evidence: {},
        },
      ],
      listMitigations: async () => [],
    },
    costs: {
      kind: 'local',
      costs: async () => [
        {
          periodStart: '2026-11-01',
          periodEnd: '2026-11-02',
          service: 'Amazon CloudFront',
          amount: 1,
          currency: 'USD',
        },
        {
          periodStart: '2026-11-02',
          periodEnd: '2026-11-03',
          service: 'Amazon CloudFront',
          amount: 5,
          currency: 'USD',
        },
      ],
    },
    now: () => T(20),
  };
}

const ok = (result: ToolResult) => expect(['success', 'no_data']).toContain(result.status);

describe('Copilot tools', () => {
  it('every tool answers its typical question with a result carrying the exact query and range', async () => {
    const ctx = await context();
    const inputs: Record<string, unknown> = {
      describe_telemetry: { last: '30m' },
      diagnose: { at: new Date(T(20)).toISOString() },
      query_logs: { query: 'filter level = "ERROR" | stats count(*) as errors by bin(5m)', last: '30m' },
      search_traces: { filter: 'fault AND service("checkout")', last: '30m' },
      get_trace: { traceId: checkoutTrace(15, true).trace_id, last: '30m' },
      service_map: { last: '30m' },
      query_metrics: { metric: 'Errors', last: '30m' },
      metric_anomalies: { last: '30m' },
      slo_status: {},
      list_findings: { last: '1h' },
      list_mitigations: {},
      change_history: { last: '1h' },
      cost_breakdown: { from: '2026-11-01', to: '2026-11-03' },
      search_runbooks: { query: 'dynamodb throttling ProvisionedThroughputExceededException' },
      read_runbook: { runbook: 'bad-deploy', section: 'Remediation' },
    };
    expect(Object.keys(inputs).sort()).toEqual(COPILOT_TOOLS.map((t) => t.name).sort());
    for (const tool of COPILOT_TOOLS) {
      const result = await runTool(tool, inputs[tool.name], ctx);
      expect(result.query.tool).toBe(tool.name);
      if (tool.name === 'slo_status') {
        expect(result).toMatchObject({ status: 'error', error: { code: 'not_configured' } });
        continue;
      }
      ok(result);
    }
    const logs = await runTool(toolByName('query_logs')!, inputs.query_logs, ctx);
    expect(logs.query).toMatchObject({
      text: 'filter level = "ERROR" | stats count(*) as errors by bin(5m)',
      from: new Date(T(-10)).toISOString(),
      to: new Date(T(20)).toISOString(),
    });
    expect((logs.data as { rows: Record<string, string>[] }).rows.map((r) => r.errors)).toEqual(['5']);
    const traces = await runTool(toolByName('search_traces')!, inputs.search_traces, ctx);
    expect(traces.data).toMatchObject({
      matched: 10,
      traces: expect.arrayContaining([
        expect.objectContaining({
          troubleAt: expect.objectContaining({ service: 'checkout', span: 'orders-table' }),
        }),
      ]),
    });
    const changes = await runTool(toolByName('change_history')!, inputs.change_history, ctx);
    expect(changes.data).toMatchObject({
      changes: [{ component: 'checkout', kind: 'deploy', source: 'cloudtrail' }],
    });
    const runbooks = await runTool(toolByName('search_runbooks')!, inputs.search_runbooks, ctx);
    expect(
      (runbooks.data as { hits: { runbook: string; section: string; line: number }[] }).hits[0],
    ).toMatchObject({ runbook: 'dynamodb-throttling', line: expect.any(Number) });
    const cost = await runTool(toolByName('cost_breakdown')!, inputs.cost_breakdown, ctx);
    expect(cost.data).toMatchObject({ services: [{ service: 'Amazon CloudFront', lastVsAverage: 5 }] });
    const described = await runTool(toolByName('describe_telemetry')!, inputs.describe_telemetry, ctx);
    expect(described.notes?.[0]).toMatch(/1 lines or documents could not be read: logs: line is not JSON/);
  });

  it('never throws: bad input, unsupported queries, missing sources and failing sources come back as errors', async () => {
    const ctx = await context();
    const cases: [string, unknown, ToolContext, string][] = [
      ['query_logs', { query: 'pattern @message' }, ctx, 'unsupported_query'],
      ['query_logs', { query: 42 }, ctx, 'invalid_input'],
      ['query_logs', { query: 'fields @message', from: 'yesterday' }, ctx, 'invalid_input'],
      ['query_logs', { query: 'fields @message', unknownField: 1 }, ctx, 'invalid_input'],
      ['search_traces', { filter: 'annotation.x = 1' }, ctx, 'unsupported_query'],
      ['read_runbook', { runbook: 'nope' }, ctx, 'not_found'],
      ['list_findings', {}, { now: ctx.now }, 'not_configured'],
      ['diagnose', {}, { now: ctx.now }, 'not_configured'],
      ['cost_breakdown', { from: '2026-11-05', to: '2026-11-01' }, ctx, 'invalid_input'],
    ];
    for (const [name, input, c, code] of cases) {
      const result = await runTool(toolByName(name)!, input, c);
      expect(result.status, `${name} ${JSON.stringify(input)}`).toBe('error');
      expect(result.error?.code, `${name} ${JSON.stringify(input)}`).toBe(code);
    }
    const broken: TelemetryPort = {
      kind: 'local',
      logGroups: async () => ['/g'],
      // biome-ignore lint/correctness/useYield: a source that fails before yielding anything.
      async *filterLogs() {
        throw new Error('disk on fire');
      },
      insights: async () => {
        throw new Error('throttled by CloudWatch');
      },
      snapshot: async () => {
        throw new Error('disk on fire');
      },
    };
    const failing = { ...ctx, telemetry: broken };
    expect(await runTool(toolByName('query_logs')!, { query: 'fields @message' }, failing)).toMatchObject({
      status: 'error',
      error: { code: 'source_failed', message: 'throttled by CloudWatch' },
    });
    expect(await runTool(toolByName('service_map')!, {}, failing)).toMatchObject({
      status: 'error',
      error: { code: 'internal', message: 'disk on fire' },
    });
    expect(await runTool(toolByName('diagnose')!, {}, failing)).toMatchObject({
      status: 'error',
      error: { code: 'source_failed' },
    });
  });
});
