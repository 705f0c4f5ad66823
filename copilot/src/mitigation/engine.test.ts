import { startTestDynamo, type TestDynamo } from '../state/test-dynamo.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../detect/types.ts';
import { CopilotStore } from '../state/copilot-store.ts';
import { loadMitigationConfig } from './config.ts';
import { MitigationEngine } from './engine.ts';
import { MitigationPlanner } from './policy.ts';
import type { Mitigation, MitigationPort } from './types.ts';

let dynamo: TestDynamo;
let store: CopilotStore;

beforeAll(async () => {
  dynamo = await startTestDynamo();
  store = await CopilotStore.open(dynamo.client, 'copilot');
});

afterAll(() => dynamo.close());

class RecordingPort implements MitigationPort {
  readonly applied: Mitigation[] = [];
  readonly lifted: Mitigation[] = [];
  failNext = false;
  async apply(mitigation: Mitigation) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('admin API unreachable');
    }
    this.applied.push(mitigation);
  }
  async lift(mitigation: Mitigation) {
    this.lifted.push(mitigation);
  }
}

const config = loadMitigationConfig();

function sharing(tokenId: string, detectedAt: string): Detection {
  return {
    kind: 'token_sharing',
    subject: { tokenId, accountId: 'acct-1' },
    firstSeen: detectedAt,
    detectedAt,
    score: 0.97,
    evidence: { countries: ['DE', 'BR'], corroboration: 2 },
    mitigation: 'revoke_token',
  };
}

describe('Class: MitigationEngine', () => {
  it('applies, audits, expires on its own, and records a port failure without throwing', async () => {
    const port = new RecordingPort();
    const engine = new MitigationEngine(
      new MitigationPlanner(config.policies, config.guardrails),
      port,
      store,
    );
    const decision = await engine.onDetection(sharing('tok_engine_0001', '2026-11-02T10:00:00.000Z'));
    expect(decision.outcome).toBe('apply');
    expect(port.applied.map((m) => m.target.tokenId)).toEqual(['tok_engine_0001']);

    port.failNext = true;
    await engine.onDetection(sharing('tok_engine_0002', '2026-11-02T10:05:00.000Z'));
    const all = await store.listMitigations();
    expect(all.find((m) => m.target.tokenId === 'tok_engine_0002')).toMatchObject({
      status: 'failed',
      statusReason: 'admin API unreachable',
    });

    expect(await engine.expire('2026-11-03T09:59:59.000Z')).toBe(0);
    expect(await engine.expire('2026-11-03T10:00:00.000Z')).toBe(1);
    expect(port.lifted.map((m) => m.target.tokenId)).toEqual(['tok_engine_0001']);
    const audit = await store.listAudit('2026-11-02');
    expect(audit.map((a) => a.action)).toEqual(['revoke_token:active', 'revoke_token:failed']);
    expect((await store.listAudit('2026-11-03')).map((a) => a.action)).toEqual(['revoke_token:expired']);
  });

  it('rolls back once, even when asked twice, and lets a new detection act again', async () => {
    const port = new RecordingPort();
    const engine = new MitigationEngine(
      new MitigationPlanner(config.policies, config.guardrails),
      port,
      store,
    );
    const decision = await engine.onDetection(sharing('tok_engine_0003', '2026-11-04T08:00:00.000Z'));
    if (decision.outcome !== 'apply') throw new Error('expected an action');
    const id = decision.mitigation.id;
    expect(
      (await engine.rollback(id, 'user:alice', 'false positive: family trip', '2026-11-04T08:10:00.000Z'))
        ?.status,
    ).toBe('rolled_back');
    expect((await engine.rollback(id, 'user:alice', 'again', '2026-11-04T08:11:00.000Z'))?.status).toBe(
      'rolled_back',
    );
    expect(port.lifted).toHaveLength(1);
    const again = await engine.onDetection(sharing('tok_engine_0003', '2026-11-04T09:00:00.000Z'));
    expect(again.outcome).toBe('apply');
  });

  it('records dry-run decisions without touching the delivery core', async () => {
    const port = new RecordingPort();
    const planner = new MitigationPlanner(config.policies, { ...config.guardrails, dryRun: true });
    const engine = new MitigationEngine(planner, port, store);
    await engine.onDetection(sharing('tok_engine_0004', '2026-11-05T08:00:00.000Z'));
    expect(port.applied).toHaveLength(0);
    expect((await store.listMitigations('dry_run')).map((m) => m.target.tokenId)).toContain(
      'tok_engine_0004',
    );
  });

  it('stores a finding once however often it is derived, and keeps checkpoints', async () => {
    const finding = {
      id: 'f-1',
      kind: 'scraping' as const,
      subject: { ip: '198.51.100.4' },
      firstSeen: '2026-11-02T10:00:00.000Z',
      detectedAt: '2026-11-02T10:01:00.000Z',
      score: 0.9,
      severity: 'warning' as const,
      summary: 'scraping from 198.51.100.4',
      evidence: {},
    };
    expect(await store.putFinding(finding)).toBe(true);
    expect(await store.putFinding(finding)).toBe(false);
    expect((await store.listFindings()).filter((f) => f.id === 'f-1')).toHaveLength(1);
    await store.save('cloudfront-local:/x', '{"file":"a","lines":3}');
    expect(await store.load('cloudfront-local:/x')).toBe('{"file":"a","lines":3}');
  });
});
