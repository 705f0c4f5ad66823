import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDeliveryTable } from '@boundless/delivery/store';
import { startTestDynamo, type TestDynamo } from '../state/test-dynamo.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CostRow, CostSource } from '../sources/cost.ts';
import { JsonFileDocument, jsonDocumentPlanner } from './documents.ts';
import type { ChangeSetError } from './errors.ts';
import type { Actor } from './lifecycle.ts';
import type { PatchOperation } from './plan.ts';
import type { MetricReader, SloGuard } from './ports.ts';
import { ChangeSetService } from './service.ts';
import { ChangeSetStore, verifyChain } from './store.ts';
import type { ChangeSet } from './types.ts';

let dynamo: TestDynamo;
let doc: DynamoDBDocumentClient;
let table = 0;

beforeAll(async () => {
  dynamo = await startTestDynamo();
  const client = dynamo.client;
  doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  (globalThis as { __client?: DynamoDBClient }).__client = client;
});
afterAll(() => dynamo.close());

const alice: Actor = { actor: 'user:alice', roles: ['viewer', 'on_call'] };
const bob: Actor = { actor: 'user:bob', roles: ['viewer', 'on_call'] };
const olga: Actor = { actor: 'user:olga', roles: ['viewer', 'on_call', 'owner'] };
const copilot: Actor = { actor: 'copilot', roles: ['viewer', 'on_call', 'owner'] };

interface Settings {
  cache: { ttl: number };
  memoryMb: number;
  protected: boolean;
}

/** A toy document: the diff is the JSON change; turning `protected` off needs an owner. */
class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'changes-'));
  readonly path = join(this.dir, 'settings.json');
  now = Date.parse('2026-12-01T10:00:00Z');
  readonly applied: Settings[] = [];
  failApply = false;
  burning: string[] = [];
  metric: Record<string, number | null> = { before: 0.5, after: 0.8 };
  costRows: CostRow[] = [];
  service!: ChangeSetService;
  store!: ChangeSetStore;

  async start() {
    table += 1;
    const name = `changes-${table}`;
    await createDeliveryTable((globalThis as unknown as { __client: DynamoDBClient }).__client, name);
    writeFileSync(this.path, JSON.stringify({ cache: { ttl: 300 }, memoryMb: 1024, protected: true }));
    this.store = new ChangeSetStore(doc, name);
    const metrics: MetricReader = {
      measure: async (_metric, _scope, fromMs) => ({
        value: fromMs < this.appliedAt() ? this.metric.before! : this.metric.after!,
        samples: 100,
        unit: 'ratio',
      }),
    };
    const slo: SloGuard = { burning: async () => this.burning };
    const costs: CostSource = { kind: 'focus', costs: async () => this.costRows };
    this.service = new ChangeSetService(this.store, {
      documents: [
        {
          name: 'settings',
          repository: new JsonFileDocument(this.path),
          planner: jsonDocumentPlanner(
            (content) => {
              if (typeof (content as Settings).memoryMb !== 'number')
                throw new Error('memoryMb: must be a number');
            },
            (before, after) =>
              (before as Settings).protected && !(after as Settings).protected
                ? ['turns protection off']
                : [],
          ),
          applier: {
            apply: async (after) => {
              if (this.failApply) throw new Error('runtime refused');
              this.applied.push(after as Settings);
              return { reconfigured: true };
            },
          },
        },
      ],
      metrics,
      slo,
      costs,
      clock: () => this.now,
      approvalTtlMs: 3_600_000,
    });
    return this;
  }

  private appliedAtMs = 0;
  appliedAt() {
    return this.appliedAtMs;
  }
  markApplied() {
    this.appliedAtMs = this.now;
  }

  propose(patch: PatchOperation[] = [{ op: 'replace', path: '/cache/ttl', value: 3600 }], by = alice.actor) {
    return this.service.propose({
      document: 'settings',
      patch,
      title: 'longer cache TTL',
      rationale: 'most misses are expired objects',
      origin: { kind: 'report', ref: '2026-11-30/cache-1' },
      proposedBy: by,
      verification: {
        metric: 'edge.hit_ratio',
        scope: { pattern: '/public/*' },
        windowMinutes: 30,
        direction: 'increase',
        expected: 0.85,
        guardSlos: ['edge-public-availability'],
      },
    });
  }

  file(): Settings {
    return JSON.parse(readFileSync(this.path, 'utf8'));
  }
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: ChangeSetError) => error.code,
  );

describe('Class: ChangeSetService', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await new Harness().start();
  });

  it('carries a change from proposal through approval, apply, verification and rollback, auditing each step', async () => {
    const proposed = await h.propose();
    expect(proposed.status).toBe('proposed');
    expect(proposed.tier).toBe('on_call');
    expect(proposed.plan.diff.text).toBe('~ /cache/ttl: 300 -> 3600');

    const approved = await h.service.approve(proposed.id, bob);
    expect(approved.approval).toMatchObject({ by: bob.actor, planHash: proposed.plan.planHash });

    h.markApplied();
    const applied = await h.service.apply(proposed.id, bob);
    expect(applied.status).toBe('applied');
    expect(h.file().cache.ttl).toBe(3600);
    expect(h.applied.at(-1)?.cache.ttl).toBe(3600);

    await expect(codeOf(h.service.verify(proposed.id))).resolves.toBe('window_open');
    h.now += 31 * 60_000;
    const verified = await h.service.verify(proposed.id);
    expect(verified.status).toBe('verified');
    expect(verified.verificationResult).toMatchObject({
      outcome: 'verified',
      moved: true,
      metEstimate: true,
    });

    const rolledBack = await h.service.rollback(proposed.id, alice, 'on demand');
    expect(rolledBack.status).toBe('rolled_back');
    expect(h.file().cache.ttl).toBe(300);

    const trail = await h.service.audit(proposed.id);
    expect(trail.map((e) => e.action)).toEqual([
      'proposed',
      'approved',
      'applied',
      'verified',
      'rolled_back',
    ]);
    expect(trail.every((e) => e.planHash === proposed.plan.planHash)).toBe(true);
    expect(verifyChain(trail)).toEqual({ ok: true });
    const edited = trail.map((e, i) => (i === 1 ? { ...e, actor: 'user:mallory' } : e));
    expect(verifyChain(edited)).toEqual({ ok: false, brokenAt: 2 });
  });

  it('refuses self-approval and approval by the copilot, and audits the refusals', async () => {
    const proposed = await h.propose();
    await expect(codeOf(h.service.approve(proposed.id, alice))).resolves.toBe('self_approval');
    await expect(codeOf(h.service.approve(proposed.id, copilot))).resolves.toBe('copilot_cannot_approve');
    await expect(
      codeOf(h.service.approve(proposed.id, { actor: 'user:vic', roles: ['viewer'] })),
    ).resolves.toBe('forbidden');
    expect((await h.service.get(proposed.id)).status).toBe('proposed');
    const refusals = (await h.service.audit(proposed.id)).filter((e) => e.action === 'approve_refused');
    expect(refusals.map((e) => e.detail.code)).toEqual([
      'self_approval',
      'copilot_cannot_approve',
      'forbidden',
    ]);
  });

  it('needs an owner when the document rules or the diff say so', async () => {
    const proposed = await h.propose([{ op: 'replace', path: '/protected', value: false }]);
    expect(proposed.tier).toBe('owner');
    expect(proposed.tierReasons).toEqual(['turns protection off']);
    await expect(codeOf(h.service.approve(proposed.id, bob))).resolves.toBe('owner_required');
    await expect(h.service.approve(proposed.id, olga)).resolves.toMatchObject({ status: 'approved' });
  });

  it('refuses a stale plan: the document moved after approval', async () => {
    const proposed = await h.propose();
    await h.service.approve(proposed.id, bob);
    writeFileSync(h.path, JSON.stringify({ ...h.file(), memoryMb: 2048 }));
    await expect(codeOf(h.service.apply(proposed.id, bob))).resolves.toBe('stale_plan');
    expect(h.file().cache.ttl).toBe(300);
    expect(h.applied).toEqual([]);
  });

  it('refuses an expired approval, and applies once approved again', async () => {
    const proposed = await h.propose();
    await h.service.approve(proposed.id, bob);
    h.now += 61 * 60_000;
    await expect(codeOf(h.service.apply(proposed.id, bob))).resolves.toBe('approval_expired');
    expect(h.file().cache.ttl).toBe(300);
  });

  it('refuses an approval that does not sign the stored plan', async () => {
    const proposed = await h.propose();
    const approved = await h.service.approve(proposed.id, bob);
    const tampered: ChangeSet = {
      ...approved,
      revision: approved.revision + 1,
      plan: { ...approved.plan, patch: [{ op: 'replace', path: '/memoryMb', value: 128 }] },
    };
    await h.store.update(tampered);
    await expect(codeOf(h.service.apply(proposed.id, bob))).resolves.toBe('approval_mismatch');
    expect(h.file().memoryMb).toBe(1024);
  });

  it('undoes a failed apply: the document is restored and the change set is failed', async () => {
    const proposed = await h.propose();
    await h.service.approve(proposed.id, bob);
    h.failApply = true;
    await expect(codeOf(h.service.apply(proposed.id, bob))).resolves.toBe('apply_failed');
    expect(h.file().cache.ttl).toBe(300);
    expect((await h.service.get(proposed.id)).status).toBe('failed');
  });

  it('rolls back by itself when a guard SLO burns after apply', async () => {
    const proposed = await h.propose();
    await h.service.approve(proposed.id, bob);
    h.markApplied();
    await h.service.apply(proposed.id, bob);
    h.now += 5 * 60_000;
    h.burning = ['edge-public-availability'];
    const done = await h.service.tick();
    expect(done.rolledBack).toEqual([proposed.id]);
    const after = await h.service.get(proposed.id);
    expect(after.status).toBe('rolled_back');
    expect(after.rollback).toMatchObject({ by: 'copilot', automatic: true });
    expect(after.verificationResult?.outcome).toBe('slo_hurt');
    expect(h.file().cache.ttl).toBe(300);
  });

  it('refuses a rollback once a later change moved the document', async () => {
    const first = await h.propose();
    await h.service.approve(first.id, bob);
    await h.service.apply(first.id, bob);
    const second = await h.propose([{ op: 'replace', path: '/memoryMb', value: 512 }]);
    await h.service.approve(second.id, bob);
    await h.service.apply(second.id, bob);
    await expect(codeOf(h.service.rollback(first.id, bob, 'undo'))).resolves.toBe('stale_plan');
    await expect(h.service.rollback(second.id, bob, 'undo')).resolves.toMatchObject({
      status: 'rolled_back',
    });
  });

  it('refuses invalid patches and documents, and returns the open change set for the same plan', async () => {
    await expect(codeOf(h.propose([{ op: 'replace', path: '/nope/deeper', value: 1 }]))).resolves.toBe(
      'invalid_patch',
    );
    await expect(codeOf(h.propose([{ op: 'replace', path: '/memoryMb', value: 'big' }]))).resolves.toBe(
      'invalid_document',
    );
    await expect(codeOf(h.propose([{ op: 'replace', path: '/memoryMb', value: 1024 }]))).resolves.toBe(
      'resolved',
    );
    const first = await h.propose();
    const again = await h.propose(undefined, bob.actor);
    expect(again.id).toBe(first.id);
  });

  it("checks a cost recommendation's realised saving once the bill covers the days after apply", async () => {
    const proposed = await h.service.propose({
      document: 'settings',
      patch: [{ op: 'replace', path: '/memoryMb', value: 512 }],
      title: 'right-size',
      rationale: 'memory twice what the function uses',
      origin: { kind: 'report' },
      proposedBy: 'copilot',
      recommendation: {
        evidence: [{ label: 'GB-s', value: '1,000', ref: { service: 'AWS Lambda' } }],
        estimate: { monthlySavingUsd: 30, assumptions: [] },
        risk: 'low',
        reversible: true,
        reversibility: 'memory back up',
      },
      verification: {
        metric: 'lambda.gb_seconds',
        scope: { service: 'AWS Lambda' },
        windowMinutes: 10,
        direction: 'decrease',
        guardSlos: [],
      },
    });
    await h.service.approve(proposed.id, bob);
    h.markApplied();
    await h.service.apply(proposed.id, bob);
    h.metric = { before: 10, after: 5 };
    h.now += 11 * 60_000;
    await h.service.tick();
    const day = (n: number) =>
      new Date(Date.parse('2026-12-01T00:00:00Z') + n * 86_400_000).toISOString().slice(0, 10);
    h.costRows = [];
    for (let n = -7; n <= 6; n++)
      h.costRows.push({
        periodStart: day(n),
        periodEnd: day(n + 1),
        service: 'AWS Lambda',
        amount: n < 0 ? 3 : 2,
        currency: 'USD',
      });
    h.now = Date.parse('2026-12-09T00:00:00Z');
    expect((await h.service.tick()).billed).toEqual([]);
    h.costRows.push({
      periodStart: day(7),
      periodEnd: day(8),
      service: 'AWS Lambda',
      amount: 2,
      currency: 'USD',
    });
    expect((await h.service.tick()).billed).toEqual([proposed.id]);
    expect((await h.service.get(proposed.id)).billing).toMatchObject({
      beforePerDay: 3,
      afterPerDay: 2,
      realisedMonthlySavingUsd: 30,
      estimatedMonthlySavingUsd: 30,
    });
  });
});
