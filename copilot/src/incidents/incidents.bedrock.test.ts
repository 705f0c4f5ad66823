import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRecording, SENSITIVE, timeoutTelemetry } from '../chat/testing/chat-harness.ts';
import type { Finding } from '../findings.ts';
import type { ServerToClientEvents } from '../service/events.ts';
import { type IncidentsHarness, startIncidentsHarness } from './testing.ts';

// The incident chat end to end: REST and socket.io against the real service, the answer from ChatBedrockConverse
// talking to the local Converse replay server, the conversation in dynalite, citations opened from files.
const FINDING: Finding = {
  id: 'slo-burn-catalog-1',
  kind: 'slo_burn',
  subject: { slo: 'catalog-availability' },
  firstSeen: '2026-11-02T09:41:00.000Z',
  detectedAt: '2026-11-02T09:58:00.000Z',
  score: 0.93,
  severity: 'critical',
  summary: 'catalog-availability: page — error budget burning 14.4× over 1h and 15.2× over 5m',
  evidence: { alert: 'page', windows: { long: { burnRate: 14.4 }, short: { burnRate: 15.2 } } },
};

let h: IncidentsHarness;
let incidentId = '';

beforeAll(async () => {
  h = await startIncidentsHarness({
    telemetry: timeoutTelemetry(),
    steps: loadRecording('bedrock-dependency-timeout'),
  });
  await h.store.putFinding(FINDING);
});

afterAll(async () => {
  await h?.close();
});

type Events = { [E in keyof ServerToClientEvents]?: Parameters<ServerToClientEvents[E]>[0][] };

function record(socket: Socket, names: (keyof ServerToClientEvents)[]): Events {
  const seen: Record<string, unknown[]> = {};
  for (const name of names) {
    const list: unknown[] = [];
    seen[name] = list;
    socket.on(name as string, (payload: unknown) => {
      list.push(payload);
    });
  }
  return seen as Events;
}

describe('Incidents API', () => {
  it('opens an incident from a finding with its context, once', async () => {
    expect(
      (
        await h.call('/api/incidents', 'viewer', {
          method: 'POST',
          body: JSON.stringify({ findingId: FINDING.id }),
        })
      ).status,
    ).toBe(403);
    const first = await h.call('/api/incidents', 'on_call', {
      method: 'POST',
      body: JSON.stringify({ findingId: FINDING.id }),
    });
    expect(first.status).toBe(201);
    expect(first.body.incident).toMatchObject({
      status: 'open',
      severity: 'critical',
      title: FINDING.summary,
      origin: { kind: 'finding', findingId: FINDING.id, findingKind: 'slo_burn' },
      window: { from: '2026-11-02T09:28:00.000Z', to: '2026-11-02T09:58:00.000Z' },
      context: { finding: { id: FINDING.id } },
      chat: { mode: 'bedrock' },
      budget: { remainingTokens: 200_000 },
    });
    incidentId = first.body.incident.id;
    const again = await h.call('/api/incidents', 'on_call', {
      method: 'POST',
      body: JSON.stringify({ findingId: FINDING.id }),
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, incident: { id: incidentId } });
    const missing = await h.call('/api/incidents', 'on_call', {
      method: 'POST',
      body: JSON.stringify({ findingId: 'nope' }),
    });
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('streams the answer over socket.io and stores it with its citations and suggestion', async () => {
    const watcher = await h.socket('viewer');
    const seen = record(watcher, [
      'incident.message',
      'incident.answer.delta',
      'incident.answer.step',
      'incident.budget',
      'incident.answer.done',
    ]);
    const asker = await h.socket('on_call');
    const done = new Promise((resolve) => watcher.once('incident.answer.done', resolve));
    const ack = await asker.emitWithAck('incident.ask', {
      incidentId,
      text: 'Why is catalog availability burning?',
    });
    expect(ack).toMatchObject({ ok: true, data: { messageId: expect.stringMatching(/^msg_/) } });
    await done;
    expect(seen['incident.message']).toEqual([
      expect.objectContaining({ text: 'Why is catalog availability burning?', actor: 'user:on-call-1' }),
    ]);
    const streamed = (seen['incident.answer.delta'] ?? []).map((d) => d.text).join('');
    expect(streamed).toContain('Requests from 198.51.100.23 were among the failures');
    expect((seen['incident.answer.step'] ?? []).map((s) => s.step.tool)).toEqual([
      'logs_query',
      'traces',
      'suggest_mitigation',
    ]);
    expect(seen['incident.budget']?.length).toBe(4);
    const [finished] = seen['incident.answer.done'] ?? [];
    expect(finished?.message.citations).toEqual(['E1', 'E2', 'E3']);
    expect(finished?.citations.map((c) => c.kind)).toEqual(['log', 'log', 'trace']);
    expect(finished?.suggestions).toEqual([
      expect.objectContaining({ action: 'rollback_deploy', status: 'suggested' }),
    ]);
    for (const request of h.replay?.requests ?? [])
      for (const value of SENSITIVE) expect(request.text).not.toContain(value);
  });

  it('refuses a viewer’s question, a second question while one is answered, and an unknown incident', async () => {
    const viewer = await h.socket('viewer');
    expect(await viewer.emitWithAck('incident.ask', { incidentId, text: 'hi' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const onCall = await h.socket('on_call');
    expect(await onCall.emitWithAck('incident.ask', { incidentId: 'inc_missing', text: 'hi' })).toMatchObject(
      {
        ok: false,
        error: { code: 'not_found' },
      },
    );
    expect(await onCall.emitWithAck('incident.ask', { incidentId, text: '' })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
  });

  it('lists incidents with their usage and budget, and shows the conversation', async () => {
    const list = await h.call('/api/incidents?status=open', 'viewer');
    expect(list.body.count).toBe(1);
    const [incident] = list.body.incidents;
    expect(incident.messages).toBe(2);
    expect(incident.usage.modelCalls).toBe(4);
    expect(incident.usage.inputTokens + incident.usage.outputTokens).toBe(
      200_000 - incident.budget.remainingTokens,
    );
    expect(incident.usage.costUsd).toBeGreaterThan(0);
    const detail = await h.call(`/api/incidents/${incidentId}`, 'viewer');
    expect(detail.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
    expect(detail.body.messages[1]).toMatchObject({
      mode: 'bedrock',
      unknownCitations: ['E9'],
      coverage: { claims: 5, cited: 3 },
    });
    expect(detail.body.citations.map((c: { id: string }) => c.id)).toEqual(['E1', 'E2', 'E3']);
  });

  it('opens each citation: the log event and the trace it came from', async () => {
    const log = await h.call(`/api/incidents/${incidentId}/evidence/E1`, 'viewer');
    expect(log.body).toMatchObject({
      status: 'found',
      observation: {
        logGroup: '/aws/lambda/catalog-api',
        eventId: '3795642516487100000000000000000000000000000000000001',
        message: expect.stringContaining('GetItem timed out after 3000 ms'),
      },
    });
    const trace = await h.call(`/api/incidents/${incidentId}/evidence/E3`, 'viewer');
    expect(trace.body).toMatchObject({
      status: 'found',
      observation: { traceId: '1-6ae85aac-4f3c2d1e0a9b8c7d6e5f4a3b', hasFault: true },
    });
    expect((await h.call(`/api/incidents/${incidentId}/evidence/E77`, 'viewer')).status).toBe(404);
  });

  it('turns a suggestion into one pending proposal, when on-call says so', async () => {
    const watcher = await h.socket('viewer');
    const created = new Promise((resolve) => watcher.once('proposal.created', resolve));
    const detail = await h.call(`/api/incidents/${incidentId}`, 'viewer');
    const [suggestion] = detail.body.suggestions;
    const path = `/api/incidents/${incidentId}/suggestions/${suggestion.id}/propose`;
    expect((await h.call(path, 'viewer', { method: 'POST', body: '{}' })).status).toBe(403);
    const first = await h.call(path, 'on_call', {
      method: 'POST',
      body: JSON.stringify({ note: 'roll back after the canary' }),
    });
    expect(first.status).toBe(201);
    expect(first.body.proposal).toMatchObject({
      status: 'pending',
      action: 'rollback_deploy',
      target: { component: 'catalog-api' },
      suggestedBy: 'model',
      proposedBy: 'user:on-call-1',
      evidence: [expect.objectContaining({ id: 'E1' }), expect.objectContaining({ id: 'E3' })],
    });
    expect(await created).toMatchObject({ id: first.body.proposal.id });
    const again = await h.call(path, 'on_call', { method: 'POST', body: '{}' });
    expect(again).toMatchObject({
      status: 200,
      body: { created: false, proposal: { id: first.body.proposal.id } },
    });
    expect((await h.call('/api/proposals', 'viewer')).body.count).toBe(1);
    const audit = await h.store.listAudit(first.body.proposal.createdAt.slice(0, 10));
    expect(audit.map((a) => a.action)).toContain('proposal:submitted');
  });

  it('keeps the conversation, the masking and the evidence numbering across a restart', async () => {
    await h.restart({
      steps: [
        {
          reply: {
            content: [{ toolUse: { toolUseId: 'tooluse_R1', name: 'metrics', input: { metric: 'Errors' } } }],
          },
        },
        {
          reply: {
            content: [
              {
                text: 'Errors rose from 0 to 9 per minute [E4]; <ip-1> is still among the failing clients [E1].',
              },
            ],
          },
        },
      ],
    });
    const before = (await h.call(`/api/incidents/${incidentId}`, 'viewer')).body;
    expect(before.messages).toHaveLength(2);
    const asked = await h.call(`/api/incidents/${incidentId}/messages`, 'on_call', {
      method: 'POST',
      body: JSON.stringify({ text: 'And the error metric?' }),
    });
    expect(asked.status).toBe(200);
    expect(asked.body.message.text).toBe(
      'Errors rose from 0 to 9 per minute [E4]; 198.51.100.23 is still among the failing clients [E1].',
    );
    expect(asked.body.citations.map((c: { id: string }) => c.id)).toEqual(['E4', 'E1']);
    // The model saw the earlier conversation again, masked with the same placeholders.
    const request = h.replay?.requests[0]?.text ?? '';
    expect(request).toContain('Why is catalog availability burning?');
    expect(request).toContain('Requests from <ip-1> were among the failures');
    const metric = await h.call(`/api/incidents/${incidentId}/evidence/E4`, 'viewer');
    expect(metric.body).toMatchObject({
      status: 'found',
      observation: { metric: 'Errors', points: [{ value: 0 }, { value: 7 }, { value: 9 }] },
    });
    const after = (await h.call(`/api/incidents/${incidentId}`, 'viewer')).body;
    expect(after.incident.usage.modelCalls).toBe(6);
  });

  it('resolves the incident; a resolved incident takes no more questions', async () => {
    const resolved = await h.call(`/api/incidents/${incidentId}/resolve`, 'on_call', {
      method: 'POST',
      body: JSON.stringify({ resolution: 'rolled back catalog-api' }),
    });
    expect(resolved.body.incident).toMatchObject({ status: 'resolved', resolvedBy: 'user:on-call-1' });
    const asked = await h.call(`/api/incidents/${incidentId}/messages`, 'on_call', {
      method: 'POST',
      body: JSON.stringify({ text: 'more?' }),
    });
    expect(asked).toMatchObject({ status: 409, body: { error: { code: 'incident_resolved' } } });
  });
});
