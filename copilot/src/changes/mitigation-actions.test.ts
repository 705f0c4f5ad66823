import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDeliveryTable } from '@boundless/delivery/store';
import { startTestDynamo, type TestDynamo } from '../state/test-dynamo.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadMitigationConfig } from '../mitigation/config.ts';
import { MitigationEngine } from '../mitigation/engine.ts';
import { MitigationPlanner } from '../mitigation/policy.ts';
import type { Mitigation, MitigationPolicy, MitigationPort } from '../mitigation/types.ts';
import { markFalsePositive } from '../service/false-positive.ts';
import { CopilotStore } from '../state/copilot-store.ts';
import type { ChangeSetError } from './errors.ts';
import type { Actor } from './lifecycle.ts';
import { mitigationExecutor } from './mitigation-actions.ts';
import { ChangeSetProposalSink, type SuggestionProposalInput } from './proposals.ts';
import { ChangeSetService } from './service.ts';
import { ChangeSetStore } from './store.ts';

let dynamo: TestDynamo;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let table = 0;

beforeAll(async () => {
  dynamo = await startTestDynamo();
  client = dynamo.client;
  doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
});
afterAll(() => dynamo.close());

const alice: Actor = { actor: 'user:alice', roles: ['viewer', 'on_call'] };
const bob: Actor = { actor: 'user:bob', roles: ['viewer', 'on_call'] };

/** The abuse pipeline's port, recording what it was asked to do. */
class RecordingPort implements MitigationPort {
  readonly applied: Mitigation[] = [];
  readonly lifted: Mitigation[] = [];
  async apply(mitigation: Mitigation) {
    this.applied.push(mitigation);
  }
  async lift(mitigation: Mitigation) {
    this.lifted.push(mitigation);
  }
}

const policies: MitigationPolicy[] = [
  {
    name: 'shorten',
    kinds: ['scraping'],
    subjects: ['accountId'],
    action: 'short_ttl',
    minScore: 0.6,
    minCorroboration: 1,
    costToLegitimateReader: 'a shorter grant: the reading app asks for a new one sooner',
    durationSeconds: 600,
    ttlSeconds: 120,
  },
];

/** What the incident service hands its sink when an on-call engineer promotes a suggestion. */
function promoted(
  action: string,
  target: Record<string, string>,
  suggestionId = 'sug_1',
): SuggestionProposalInput {
  return {
    incidentId: 'inc_1',
    suggestion: {
      id: suggestionId,
      action,
      target,
      rationale: 'the token is shared across 9 countries',
      by: 'model',
    },
    evidence: [{ id: 'E2', kind: 'finding', ref: { findingId: 'f1' }, excerpt: 'token_sharing score 0.93' }],
    proposedBy: alice.actor,
    at: '2026-12-05T10:00:00.000Z',
  };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: ChangeSetError) => ({ code: error.code, message: error.message }),
  );

describe('Function: mitigationExecutor, through the change-set flow', () => {
  let port: RecordingPort;
  let store: CopilotStore;
  let engine: MitigationEngine;
  let service: ChangeSetService;
  let sink: ChangeSetProposalSink;

  beforeEach(async () => {
    table += 1;
    await createDeliveryTable(client, `actions-${table}`);
    port = new RecordingPort();
    // The abuse pipeline's own engine and state: an approved action is one of its mitigations.
    store = await CopilotStore.open(client, `copilot-${table}`);
    engine = new MitigationEngine(
      new MitigationPlanner(policies, loadMitigationConfig().guardrails),
      port,
      store,
    );
    service = new ChangeSetService(new ChangeSetStore(doc, `actions-${table}`), {
      documents: [],
      actions: [mitigationExecutor(engine, policies)],
    });
    sink = new ChangeSetProposalSink(service);
  });

  it('carries a promoted suggestion through another engineer’s approval to the port, and lifts it on rollback', async () => {
    const { proposal, created } = await sink.submit(promoted('revoke_token', { tokenId: 'tok-9' }));
    expect(created).toBe(true);
    expect(proposal).toMatchObject({ status: 'pending', proposedBy: alice.actor, action: 'revoke_token' });
    const id = proposal.changeSetId;
    expect(await service.get(id)).toMatchObject({
      status: 'proposed',
      proposedBy: alice.actor,
      origin: { kind: 'incident', ref: 'inc_1/sug_1', suggestedBy: 'model' },
    });

    // Nothing is applied without approval, and the promoting engineer cannot approve it.
    expect(await refusal(service.apply(id, bob))).toMatchObject({ code: 'wrong_status' });
    expect(await refusal(service.approve(id, alice))).toMatchObject({ code: 'self_approval' });
    expect(port.applied).toEqual([]);

    await service.approve(id, bob);
    const applied = await service.apply(id, bob);
    expect(applied.status).toBe('applied');
    expect(port.applied).toHaveLength(1);
    expect(port.applied[0]).toMatchObject({
      action: 'revoke_token',
      target: { tokenId: 'tok-9' },
      dryRun: false,
    });
    expect((await sink.list({ incidentId: 'inc_1' }))[0]).toMatchObject({
      status: 'applied',
      changeSetId: id,
    });

    // Recorded among the pipeline's mitigations, its origin the change set (no made-up detection).
    const [active] = await store.listMitigations('active');
    expect(active).toMatchObject({
      id: port.applied[0]!.id,
      changeSet: { kind: 'change_set', changeSetId: id, proposedBy: alice.actor, approvedBy: bob.actor },
    });
    expect(active?.detection).toBeUndefined();
    const audit = await store.listAudit(active!.decidedAt.slice(0, 10));
    expect(audit.find((entry) => entry.action === 'revoke_token:active')?.actor).toBe(bob.actor);

    const rolledBack = await service.rollback(id, bob, 'the account owner was travelling');
    expect(rolledBack.status).toBe('rolled_back');
    expect(port.lifted.map((m) => [m.id, m.action, m.target])).toEqual([
      [port.applied[0]!.id, 'revoke_token', { tokenId: 'tok-9' }],
    ]);
    expect((await store.getMitigation(port.applied[0]!.id))?.status).toBe('rolled_back');
  });

  it('refuses to call an approved action a false positive: the change set is rolled back instead', async () => {
    const { proposal } = await sink.submit(promoted('short_ttl', { accountId: 'acct-7' }));
    await service.approve(proposal.changeSetId, bob);
    await service.apply(proposal.changeSetId, bob);
    const [active] = await store.listMitigations('active');
    const pipeline = {
      engine,
      feedback: { add: () => undefined },
      guardrails: loadMitigationConfig().guardrails,
    };
    const attempt = markFalsePositive(
      { store, pipeline: pipeline as never },
      {
        mitigationId: active!.id,
        operator: { actor: 'user:carol', roles: ['viewer', 'on_call'] } as never,
        reason: 'not abuse',
        remedy: 'suppress',
        suppressHours: 24,
        at: '2026-12-05T11:00:00.000Z',
      },
    );
    await expect(attempt).rejects.toMatchObject({
      code: 'approved_by_a_person',
      status: 409,
      details: { changeSetId: proposal.changeSetId },
    });
    // Nothing was lifted and no feedback recorded.
    expect(port.lifted).toEqual([]);
    expect(await store.listFeedback()).toEqual([]);
    expect((await store.getMitigation(active!.id))?.status).toBe('active');
  });

  it('takes duration and parameters from the policy of the same action', async () => {
    const { proposal } = await sink.submit(promoted('short_ttl', { accountId: 'acct-4' }));
    await service.approve(proposal.changeSetId, bob);
    await service.apply(proposal.changeSetId, bob);
    const [mitigation] = port.applied;
    expect(mitigation!.params).toEqual({ ttlSeconds: 120 });
    expect(Date.parse(mitigation!.expiresAt) - Date.parse(mitigation!.decidedAt)).toBe(600_000);
  });

  it('refuses an action without an executor, and a mitigation whose target names nothing it acts on', async () => {
    const manual = (await sink.submit(promoted('rollback_deploy', { component: 'catalog-api' }))).proposal;
    await service.approve(manual.changeSetId, bob);
    expect(await refusal(service.apply(manual.changeSetId, bob))).toEqual({
      code: 'unsupported_action',
      message: 'no executor carries out rollback_deploy; do it by hand',
    });
    const untargeted = (await sink.submit(promoted('block_ip', { accountId: 'acct-4' }, 'sug_2'))).proposal;
    await service.approve(untargeted.changeSetId, bob);
    expect(await refusal(service.apply(untargeted.changeSetId, bob))).toMatchObject({
      code: 'unsupported_action',
      message: expect.stringContaining('block_ip needs a target naming ip'),
    });
    expect(port.applied).toEqual([]);
  });
});
