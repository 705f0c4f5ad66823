import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredMitigation } from '@boundless/copilot/service';
import type { LiveEvent, LiveScenarios } from '@boundless/datasets/live';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveStack, nextMitigation, startLiveStack } from './support/live-copilot.ts';

// The detection -> mitigation loop over real HTTP, wired as `boundless start` wires it: seeded readers and an
// abuse scenario (datasets/src/live) against the local edge, the edge's real-time records in the copilot's
// pipeline, the copilot acting through the admin API, and an on-call rollback. Every wait is on an event with a
// generous deadline: the suite runs on two loaded cores.
const DEADLINE_MS = 120_000;
const dataDir = mkdtempSync(join(tmpdir(), 'live-mitigation-'));
let stack: LiveStack;
let live: LiveScenarios;

beforeAll(async () => {
  stack = await startLiveStack(dataDir);
  live = stack.scenarios({ readers: 3 });
}, DEADLINE_MS);

afterAll(async () => {
  await live?.stop();
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function api<T>(
  path: string,
  token: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack.copilot.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function auditOf(day: string, token: string) {
  const audit = await api<{
    entries: { action: string; actor: string; detail: { mitigationId?: string } }[];
  }>(`/api/audit?day=${day}`, token);
  return audit.body.entries;
}

describe('Live loop: detection to mitigation against the local edge', () => {
  it(
    'asks the account of a token shared across countries to re-authenticate while readers keep reading; an on-call rollback restores it',
    async () => {
      const viewer = await stack.copilot.operatorToken('viewer');
      // Proportional: sharing seen on one family of evidence asks the account to sign in again (no denial).
      // Matched by policy too: a late action on an earlier scenario's subject is not this one's.
      const watch = nextMitigation(
        stack.copilot,
        viewer,
        (m) => m.action === 'force_reauth' && m.policy === 'reauthenticate-shared-account',
        DEADLINE_MS,
      );
      await watch.ready;
      const before = live.stats().readers;

      const report = await live.runScenario('shared_token');
      const mitigation = await watch.applied;

      // The crowd was served with the posted link until the copilot acted, then the edge refused it.
      expect(report.abuser.served).toBeGreaterThan(0);
      expect(report.abuser.refused).toBeGreaterThan(0);
      expect(report.refusedAfterSeconds).not.toBeNull();
      expect(report.firstRefusal).toEqual({ status: 403, refusedBy: 'reauth_required' });
      expect((await report.probe()).status).toBe(403);
      // The owner's app took a new grant and read on.
      expect(report.owner?.served).toBeGreaterThan(0);

      expect(mitigation).toMatchObject({
        action: 'force_reauth',
        policy: 'reauthenticate-shared-account',
        target: { accountId: report.subject.accountId },
      });
      expect(mitigation.detection?.kind).toBe('token_sharing');
      expect((await stack.copilot.store.getMitigation(mitigation.id))?.status).toBe('active');
      const findings = await api<{ findings: { kind: string; subject: { tokenId?: string } }[] }>(
        '/api/findings?kind=token_sharing',
        viewer,
      );
      expect(
        findings.body.findings.filter((f) => f.subject.tokenId === report.subject.tokenIds[0]),
      ).toHaveLength(1);
      expect(await auditOf(mitigation.decidedAt.slice(0, 10), viewer)).toContainEqual(
        expect.objectContaining({
          action: 'force_reauth:active',
          detail: expect.objectContaining({ mitigationId: mitigation.id }),
        }),
      );

      const after = live.stats().readers;
      expect(after.served).toBeGreaterThan(before.served);
      expect(after.refused).toBe(0);

      const onCall = await stack.copilot.operatorToken('on_call');
      const rollback = await api<{ mitigation: StoredMitigation }>(
        `/api/mitigations/${mitigation.id}/rollback`,
        onCall,
        { method: 'POST', body: JSON.stringify({ reason: 'integration test: false positive' }) },
      );
      expect(rollback.status).toBe(200);
      expect(rollback.body.mitigation.status).toBe('rolled_back');
      expect((await report.probe()).status).toBe(200);
      expect(await auditOf(new Date().toISOString().slice(0, 10), viewer)).toContainEqual(
        expect.objectContaining({ action: 'force_reauth:rolled_back', actor: 'user:on-call-operator' }),
      );
    },
    2 * DEADLINE_MS,
  );

  it(
    'makes a scraping account re-authenticate, so its tokens stop opening content, while readers keep reading',
    async () => {
      const viewer = await stack.copilot.operatorToken('viewer');
      const watch = nextMitigation(
        stack.copilot,
        viewer,
        (m) => m.action === 'force_reauth' && m.policy === 'reauthenticate-scraping-account',
        DEADLINE_MS,
      );
      await watch.ready;

      const report = await live.runScenario('scraper');
      const mitigation = await watch.applied;

      expect(report.abuser.served).toBeGreaterThan(0);
      expect(report.firstRefusal).toEqual({ status: 403, refusedBy: 'reauth_required' });
      expect((await report.probe()).status).toBe(403);
      expect(mitigation).toMatchObject({
        action: 'force_reauth',
        policy: 'reauthenticate-scraping-account',
        target: { accountId: report.subject.accountId },
      });
      expect(mitigation.detection).toMatchObject({
        kind: 'scraping',
        subject: { accountId: report.subject.accountId, ip: report.subject.ips[0] },
      });
      expect(live.stats().readers.refused).toBe(0);
    },
    2 * DEADLINE_MS,
  );

  it(
    'rate-limits a token-less harvesting bot at the web ACL by its address, while readers keep reading',
    async () => {
      const viewer = await stack.copilot.operatorToken('viewer');
      const watch = nextMitigation(
        stack.copilot,
        viewer,
        (m) => m.action === 'rate_limit' && m.policy === 'rate-limit-scraping-ip',
        DEADLINE_MS,
      );
      await watch.ready;

      const report = await live.runScenario('catalog_crawler');
      const mitigation = await watch.applied;

      // Public pages need no grant: the bot is served until WAF's rate-based rule takes its address.
      expect(report.abuser.served).toBeGreaterThan(60);
      expect(report.firstRefusal).toEqual({ status: 403, refusedBy: 'waf_rate_limited' });
      expect((await report.probe()).status).toBe(403);
      expect(mitigation).toMatchObject({
        action: 'rate_limit',
        policy: 'rate-limit-scraping-ip',
        target: { ip: report.subject.ips[0] },
        status: 'active',
      });
      expect(mitigation.detection).toMatchObject({
        kind: 'scraping',
        subject: { ip: report.subject.ips[0] },
      });
      expect(stack.delivery.waf.sets.rateLimit.name).toBe('boundless-rate-limited-addresses');
      expect(live.stats().readers.refused).toBe(0);
    },
    2 * DEADLINE_MS,
  );

  it('reads the access API functions’ log groups into the SLO engine', async () => {
    const viewer = await stack.copilot.operatorToken('viewer');
    await stack.copilot.pipeline.readApiLogs();
    // The scenarios above took real grants through POST /v1/access; their request lines are in the log group.
    expect(stack.copilot.pipeline.counters.apiRequests).toBeGreaterThan(0);
    const report = await api<{ slos: { id: string }[] }>('/api/slo', viewer);
    expect(report.body.slos.map((slo) => slo.id)).toContain('access-api-availability');
  });

  it(
    'runs scheduled scenarios on timers and stops cleanly',
    async () => {
      const events: LiveEvent[] = [];
      let ended: (report: unknown) => void = () => undefined;
      const endedOnce = new Promise((resolve) => {
        ended = resolve;
      });
      const scheduler = stack.scenarios({
        readers: 1,
        firstAfterMs: 0,
        everyMs: 3_600_000,
        summaryEveryMs: 500,
        kinds: ['shared_token'],
        randomSeed: 11,
        onEvent: (event) => {
          events.push(event);
          if (event.type === 'scenario_ended') ended(event.report);
        },
      });
      await endedOnce;
      await scheduler.stop();
      expect(events[0]).toMatchObject({ type: 'scenario_started', kind: 'shared_token' });
      expect(events.filter((e) => e.type === 'scenario_ended')).toHaveLength(1);
      expect(events.some((e) => e.type === 'summary')).toBe(true);
      await expect(scheduler.runScenario()).rejects.toThrow(/stopped/);
      expect(scheduler.stats().scenarios.run).toBe(1);
    },
    2 * DEADLINE_MS,
  );
});
