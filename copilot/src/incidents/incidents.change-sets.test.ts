import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeoutTelemetry } from '../chat/testing/chat-harness.ts';
import { FakeDiagnostician, TIMEOUT_DIAGNOSIS } from '../chat/testing/fake-diagnostician.ts';
import { ChangeSetProposalSink } from '../changes/proposals.ts';
import { ChangeSetService } from '../changes/service.ts';
import { ChangeSetStore } from '../changes/store.ts';
import { type IncidentsHarness, startIncidentsHarness } from './testing.ts';

let h: IncidentsHarness;
let changeSets: ChangeSetService;

beforeAll(async () => {
  h = await startIncidentsHarness({
    telemetry: timeoutTelemetry(),
    diagnostician: new FakeDiagnostician(TIMEOUT_DIAGNOSIS),
    proposals: (doc, tableName) => {
      changeSets = new ChangeSetService(new ChangeSetStore(doc, tableName), { documents: [] });
      return new ChangeSetProposalSink(changeSets);
    },
  });
});

afterAll(async () => {
  await h?.close();
});

describe('Proposals through the change-set flow', () => {
  it('makes a promoted suggestion a change set proposed by the promoting engineer, which that engineer cannot approve', async () => {
    const opened = await h.call('/api/incidents', 'on_call', {
      method: 'POST',
      body: JSON.stringify({ title: 'catalog slow', at: '2026-11-02T10:00:00Z', windowMinutes: 20 }),
    });
    const id = opened.body.incident.id;
    const asked = await h.call(`/api/incidents/${id}/messages`, 'on_call', {
      method: 'POST',
      body: JSON.stringify({ text: 'What is wrong?' }),
    });
    const [suggestion] = asked.body.suggestions;
    const promoted = await h.call(`/api/incidents/${id}/suggestions/${suggestion.id}/propose`, 'on_call', {
      method: 'POST',
      body: '{}',
    });
    expect(promoted.status).toBe(201);
    expect(promoted.body.proposal).toMatchObject({
      status: 'pending',
      proposedBy: 'user:on-call-1',
      changeSetId: expect.any(String),
    });
    const cs = await changeSets.get(promoted.body.proposal.changeSetId);
    expect(cs).toMatchObject({
      status: 'proposed',
      document: 'action',
      proposedBy: 'user:on-call-1',
      origin: { kind: 'incident', ref: `${id}/${suggestion.id}` },
      action: { action: suggestion.action, target: suggestion.target },
    });
    await expect(
      changeSets.approve(cs.id, { actor: 'user:on-call-1', roles: ['on_call'] }),
    ).rejects.toMatchObject({
      code: 'self_approval',
    });
    const listed = await h.call(`/api/proposals?incidentId=${id}`, 'viewer');
    expect(listed.body.proposals).toEqual([
      expect.objectContaining({ changeSetId: cs.id, status: 'pending' }),
    ]);
  });
});
