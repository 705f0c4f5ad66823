import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceEvidenceResolver } from '../incidents/evidence-resolver.ts';
import { LocalLogEventSource, LocalTraceSource } from '../sources/index.ts';
import { checkoutLogEvents, checkoutTrace, T, writeTelemetryFixture } from '../telemetry/test-support.ts';
import { COPILOT_TOOLS, LocalTelemetry, RunbookIndex, type ToolContext } from '../tools/index.ts';
import { TokenBudget } from './budget.ts';
import { EvidenceLedger } from './evidence.ts';
import { TelemetryShield } from './injection.ts';
import { LoopGuard } from './loop-guard.ts';
import { Masker } from './masking.ts';
import { runOfflineTurn } from './offline.ts';
import { chatToolsFrom, evidenceIn, registryDiagnostician } from './registry-tools.ts';
import { BRIEF } from './testing/chat-harness.ts';
import { MemoryToolCache } from './tool-cache.ts';

describe('evidence in registry tool results', () => {
  it('reads diagnosis evidence, Logs Insights rows, flagged metric points and trace summaries', () => {
    const evidence = evidenceIn({
      hypotheses: [
        {
          rank: 1,
          evidence: [
            { kind: 'log', ref: { group: '/aws/lambda/api', eventId: 'e1', timestamp: 1 }, excerpt: 'boom' },
          ],
        },
      ],
      rows: [{ '@ptr': '/aws/lambda/api#e2', '@timestamp': '2026-12-05T10:00:00Z', '@message': 'ERROR x' }],
      anomalies: [
        {
          component: 'api',
          metric: 'Duration',
          namespace: 'N',
          stat: 'p95',
          t: '2026-12-05T10:01:00Z',
          value: 900,
          ref: { group: 'g', eventId: 'e3' },
        },
      ],
      traces: [{ traceId: '1-abc-def', start: '2026-12-05T10:02:00Z', durationMs: 12 }],
    });
    expect(evidence).toEqual([
      { kind: 'log', ref: { group: '/aws/lambda/api', eventId: 'e1', timestamp: 1 }, excerpt: 'boom' },
      {
        kind: 'log',
        ref: { group: '/aws/lambda/api', eventId: 'e2', timestamp: '2026-12-05T10:00:00Z' },
        excerpt: 'ERROR x',
      },
      {
        kind: 'metric',
        ref: {
          component: 'api',
          namespace: 'N',
          metric: 'Duration',
          stat: 'p95',
          timestamp: '2026-12-05T10:01:00Z',
          value: 900,
          group: 'g',
          eventId: 'e3',
        },
      },
      { kind: 'trace', ref: { traceId: '1-abc-def', timestamp: '2026-12-05T10:02:00Z' } },
    ]);
  });

  it('finds nothing in data that names no observation, and stops at its bound', () => {
    expect(evidenceIn({ series: [{ metric: 'x', points: 3 }], asOf: null })).toEqual([]);
    const many = { rows: Array.from({ length: 500 }, (_, i) => ({ '@ptr': `g#${i}` })) };
    expect(evidenceIn(many).length).toBeLessThanOrEqual(60);
  });
});

describe('the registry behind the chat', () => {
  const ctx: ToolContext = { now: () => Date.parse('2026-12-05T10:00:00Z') };

  it("offers every registry tool but diagnose (the chat's own), and never throws", async () => {
    const tools = chatToolsFrom(COPILOT_TOOLS, ctx);
    expect(tools.map((t) => t.name)).not.toContain('diagnose');
    expect(tools.length).toBe(COPILOT_TOOLS.length - 1);
    const logs = tools.find((t) => t.name === 'query_logs');
    const result = await logs?.run({ query: 'fields @message', last: '30m' });
    expect(result?.status).toBe('error');
    expect(result?.error?.code).toBe('not_configured');
  });

  it('diagnoses through the registry, and says why when it cannot', async () => {
    await expect(
      registryDiagnostician(ctx).diagnose({ at: '2026-12-05T10:00:00Z', windowMs: 30 * 60_000 }),
    ).rejects.toThrow(/telemetry/);
  });
});

describe('offline chat over the real diagnostician and telemetry directory', () => {
  it('cites the observations the diagnosis rests on, and each citation opens from the files', async () => {
    const root = await writeTelemetryFixture(
      [
        {
          name: '/aws/lambda/checkout',
          events: checkoutLogEvents(),
        },
      ],
      Array.from({ length: 40 }, (_, i) => checkoutTrace(i, i % 20 >= 15)),
    );
    try {
      const ctx: ToolContext = {
        telemetry: new LocalTelemetry(root),
        runbooks: await RunbookIndex.load(),
        now: () => T(20),
      };
      const brief = {
        ...BRIEF,
        window: { from: new Date(T(0)).toISOString(), to: new Date(T(20)).toISOString() },
      };
      const shield = new TelemetryShield(['diagnose']);
      const answer = await runOfflineTurn({
        brief,
        masker: new Masker(),
        ledger: new EvidenceLedger(),
        shield,
        budget: new TokenBudget({ maxTokens: 10_000, maxCostUsd: 1, maxOutputTokensPerCall: 512 }, undefined),
        cache: new MemoryToolCache(),
        tools: [],
        guard: new LoopGuard(),
        question: 'What is wrong with checkout?',
        diagnostician: registryDiagnostician(ctx),
      });
      expect(answer.text).toMatch(/About checkout|Most likely: (checkout|orders-table)/);
      expect(answer.citations.length).toBeGreaterThan(0);
      // The runbook sections the diagnostician matched, by file and line.
      expect(answer.text).toMatch(/Runbooks for [^\n]+:\n- [^\n]+\(runbooks\/[^:]+\.md:\d+\)/);
      const resolver = new SourceEvidenceResolver({
        logs: new LocalLogEventSource(join(root, 'logs')),
        logGroups: async () => ['/aws/lambda/checkout'],
        traces: new LocalTraceSource(join(root, 'xray')),
      });
      const opened = await Promise.all(
        answer.citations.filter((c) => c.kind !== 'change').map((c) => resolver.resolve(c)),
      );
      expect(opened.map((o) => [o.citation.kind, o.status])).toEqual(
        answer.citations.filter((c) => c.kind !== 'change').map((c) => [c.kind, 'found']),
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
