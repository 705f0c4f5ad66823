import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnosis, Diagnostician } from '../chat/diagnostician.ts';
import { timeoutTelemetry } from '../chat/testing/chat-harness.ts';
import { TIMEOUT_DIAGNOSIS } from '../chat/testing/fake-diagnostician.ts';
import type { Finding } from '../findings.ts';
import { type IncidentsHarness, startIncidentsHarness } from './testing.ts';

/** A diagnostician that answers only when the test lets it, to hold an answer open. */
class GatedDiagnostician implements Diagnostician {
  runs = 0;
  private release: (() => void) | undefined;
  private gate: Promise<void> = Promise.resolve();

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  open(): void {
    this.release?.();
  }

  async diagnose(input: { at: string; windowMs: number }): Promise<Diagnosis> {
    this.runs += 1;
    await this.gate;
    return { at: input.at, window: `${input.windowMs / 60_000}m`, mode: 'offline', ...TIMEOUT_DIAGNOSIS };
  }
}

const page = (id: string, slo: string, severity: Finding['severity']): Finding => ({
  id,
  kind: 'slo_burn',
  subject: { slo },
  firstSeen: '2026-11-02T09:41:00.000Z',
  detectedAt: '2026-11-02T09:58:00.000Z',
  score: 0.9,
  severity,
  summary: `${slo}: page`,
  evidence: {},
});

const diagnostician = new GatedDiagnostician();
let h: IncidentsHarness;

beforeAll(async () => {
  h = await startIncidentsHarness({ telemetry: timeoutTelemetry(), diagnostician });
});

afterAll(async () => {
  await h?.close();
});

describe('Incidents in offline mode (the default)', () => {
  it('answers from the diagnostician, says it is offline, and spends no tokens', async () => {
    const opened = await h.call('/api/incidents', 'on_call', {
      method: 'POST',
      body: JSON.stringify({
        title: 'catalog is slow',
        at: '2026-11-02T10:00:00Z',
        windowMinutes: 20,
        note: 'reported by support',
      }),
    });
    expect(opened.status).toBe(201);
    expect(opened.body.incident).toMatchObject({
      origin: { kind: 'operator' },
      window: { from: '2026-11-02T09:40:00.000Z', to: '2026-11-02T10:00:00.000Z' },
      chat: { mode: 'offline', model: 'offline diagnostician' },
    });
    const id = opened.body.incident.id;
    const asked = await h.call(`/api/incidents/${id}/messages`, 'on_call', {
      method: 'POST',
      body: JSON.stringify({ text: 'What is wrong?' }),
    });
    expect(asked.status).toBe(200);
    expect(asked.body.message).toMatchObject({ mode: 'offline', usage: { modelCalls: 0, inputTokens: 0 } });
    expect(asked.body.message.text).toMatch(/^Offline mode: no language model is configured/);
    expect(asked.body.message.text).toContain('Most likely: catalog-api, dependency_slow');
    expect(asked.body.citations.map((c: { id: string }) => c.id)).toEqual(['E1', 'E2', 'E3']);
    expect(asked.body.suggestions).toEqual([
      expect.objectContaining({ by: 'diagnostician', target: { component: 'catalog-api' } }),
    ]);
    const evidence = await h.call(`/api/incidents/${id}/evidence/E2`, 'viewer');
    expect(evidence.body).toMatchObject({
      status: 'found',
      observation: { traceId: '1-6ae85aac-4f3c2d1e0a9b8c7d6e5f4a3b' },
    });
  });

  it('answers one question at a time per incident', async () => {
    const opened = await h.call('/api/incidents', 'on_call', {
      method: 'POST',
      body: JSON.stringify({ title: 'second incident' }),
    });
    const id = opened.body.incident.id;
    diagnostician.hold();
    const runs = diagnostician.runs;
    const first = h.call(`/api/incidents/${id}/messages`, 'on_call', {
      method: 'POST',
      body: JSON.stringify({ text: 'one' }),
    });
    await expect.poll(() => diagnostician.runs).toBe(runs + 1);
    const second = await h.call(`/api/incidents/${id}/messages`, 'on_call', {
      method: 'POST',
      body: JSON.stringify({ text: 'two' }),
    });
    expect(second).toMatchObject({ status: 409, body: { error: { code: 'turn_in_progress' } } });
    diagnostician.open();
    expect((await first).status).toBe(200);
    const third = await h.call(`/api/incidents/${id}/messages`, 'on_call', {
      method: 'POST',
      body: JSON.stringify({ text: 'three' }),
    });
    expect(third.status).toBe(200);
  });

  it('opens an incident by itself when an SLO alert pages, once per SLO', async () => {
    const watcher = await h.socket('viewer');
    const opened = new Promise((resolve) => watcher.once('incident.opened', resolve));
    for (const finding of [
      page('p1', 'reader-latency', 'critical'),
      page('p2', 'reader-latency', 'critical'),
      page('p3', 'api-errors', 'warning'),
    ]) {
      await h.store.putFinding(finding);
      await h.incidents.onFinding(finding);
    }
    expect(await opened).toMatchObject({ openedBy: 'copilot', origin: { automatic: true, findingId: 'p1' } });
    const all = (await h.call('/api/incidents', 'viewer')).body.incidents as {
      origin: { findingId?: string };
    }[];
    expect(all.filter((i) => i.origin.findingId?.startsWith('p')).map((i) => i.origin.findingId)).toEqual([
      'p1',
    ]);
  });

  it('refuses requests without a valid operator token', async () => {
    expect((await h.call('/api/incidents', undefined)).status).toBe(401);
    const bad = await h.call('/api/incidents', 'on_call', {
      method: 'POST',
      body: JSON.stringify({ windowMinutes: 5 }),
    });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
  });
});
