import { describe, expect, it } from 'vitest';
import { TokenBudget } from './budget.ts';
import { EvidenceLedger } from './evidence.ts';
import { TelemetryShield } from './injection.ts';
import { LoopGuard } from './loop-guard.ts';
import { Masker } from './masking.ts';
import { runOfflineTurn } from './offline.ts';
import { BRIEF } from './testing/chat-harness.ts';
import { FakeDiagnostician, TIMEOUT_DIAGNOSIS } from './testing/fake-diagnostician.ts';
import { MemoryToolCache } from './tool-cache.ts';
import type { Diagnostician } from './diagnostician.ts';
import type { TurnEvent } from './turn-run.ts';

function deps(diagnostician: Diagnostician | undefined, cache = new MemoryToolCache(), brief = BRIEF) {
  const shield = new TelemetryShield(['diagnose']);
  shield.trustStructured(brief.context);
  const events: TurnEvent[] = [];
  return {
    events,
    input: {
      brief,
      masker: new Masker(),
      ledger: new EvidenceLedger(),
      shield,
      budget: new TokenBudget({ maxTokens: 10_000, maxCostUsd: 1, maxOutputTokensPerCall: 512 }, undefined),
      cache,
      tools: [],
      guard: new LoopGuard(),
      onEvent: (event: TurnEvent) => events.push(event),
      ...(diagnostician ? { diagnostician } : {}),
    },
  };
}

describe('Function: runOfflineTurn', () => {
  it('answers from the diagnostician, says it is offline, cites evidence and suggests', async () => {
    const { input, events } = deps(new FakeDiagnostician(TIMEOUT_DIAGNOSIS));
    const answer = await runOfflineTurn({ ...input, question: 'What is going on?' });
    expect(answer.mode).toBe('offline');
    expect(answer.text).toMatch(/^Offline mode: no language model is configured/);
    expect(answer.text).toContain(
      'Most likely: catalog-api, dependency_slow (confidence 0.82). DynamoDB GetItem calls',
    );
    expect(answer.text).toContain('[E1, E2]');
    expect(answer.text).toContain('2. reader-api, bad_deploy (0.31)');
    expect(answer.text).toContain('- cost: no cost data');
    expect(answer.citations.map((c) => [c.id, c.kind])).toEqual([
      ['E1', 'log'],
      ['E2', 'trace'],
      ['E3', 'change'],
    ]);
    expect(answer.suggestions).toEqual([
      expect.objectContaining({
        action: 'follow_runbook',
        target: { component: 'catalog-api' },
        by: 'diagnostician',
      }),
    ]);
    expect(answer.usage.modelCalls).toBe(0);
    expect(
      events
        .filter((e) => e.type === 'delta')
        .map((e) => (e.type === 'delta' ? e.text : ''))
        .join(''),
    ).toBe(answer.text);
  });

  it('puts the component the question names first', async () => {
    const { input } = deps(new FakeDiagnostician(TIMEOUT_DIAGNOSIS));
    const answer = await runOfflineTurn({ ...input, question: 'Did the reader-api deploy do this?' });
    expect(answer.text).toContain('About reader-api: reader-api, bad_deploy (confidence 0.31)');
    expect(answer.suggestions[0]).toMatchObject({
      action: 'rollback_deploy',
      target: { component: 'reader-api' },
    });
  });

  it('says "no fault found" when the diagnostician supports none', async () => {
    const { input } = deps(new FakeDiagnostician({ hypotheses: [], gaps: [] }));
    const answer = await runOfflineTurn({ ...input, question: 'Anything?' });
    expect(answer.text).toContain('No fault found: the evidence in the window does not support one.');
    expect(answer.suggestions).toEqual([]);
  });

  it('reports a failing diagnostician instead of throwing', async () => {
    const { input } = deps(new FakeDiagnostician(new Error('telemetry directory missing')));
    const answer = await runOfflineTurn({ ...input, question: 'Anything?' });
    expect(answer.text).toContain('The diagnostician failed: telemetry directory missing.');
    expect(answer.steps).toEqual([expect.objectContaining({ tool: 'diagnose', outcome: 'error' })]);
  });

  it('reuses the cached diagnosis for the next question of the incident', async () => {
    const diagnostician = new FakeDiagnostician(TIMEOUT_DIAGNOSIS);
    const cache = new MemoryToolCache();
    await runOfflineTurn({ ...deps(diagnostician, cache).input, question: 'first' });
    const second = await runOfflineTurn({ ...deps(diagnostician, cache).input, question: 'second' });
    expect(diagnostician.runs).toBe(1);
    expect(second.steps[0]).toMatchObject({ tool: 'diagnose', cached: true });
  });

  it("suggests an abuse finding's own mitigation on its subject", async () => {
    const brief = {
      ...BRIEF,
      context: {
        finding: {
          id: 'f-1',
          kind: 'scraping',
          subject: { accountId: 'reader-048', ip: '203.0.113.9' },
          summary: 'scraping by reader-048',
          mitigation: 'force_reauth',
        },
      },
    };
    const { input } = deps(undefined, new MemoryToolCache(), brief);
    const answer = await runOfflineTurn({ ...input, question: 'What should I do?' });
    expect(answer.text).toContain('The diagnostician is not available');
    expect(answer.suggestions).toEqual([
      expect.objectContaining({
        action: 'force_reauth',
        target: { accountId: 'reader-048', ip: '203.0.113.9' },
        by: 'finding',
      }),
    ]);
    expect(answer.text).toContain('force reauth on reader-048, 203.0.113.9');
  });
});
