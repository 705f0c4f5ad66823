import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ChangeAuditEntry, type ChangeSet, ChangeSetProposalSink } from '@boundless/copilot/changes';
import { EdgeSinkFeed } from '@boundless/copilot/pipeline';
import { loadTunables } from '@boundless/infra/tunables';
import { type LocalDelivery, startLocalDelivery } from '@boundless/local';
import { type LocalCopilot, startLocalCopilot } from '@boundless/local/copilot';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localMetricReader, localTunables, localTunablesDocument } from '../cli/local/change-sets.ts';
import { writeLocalReport } from '../cli/local/report.ts';
import { ReportFiles } from '@boundless/copilot/report';
import { LocalIdentityIssuer } from '@boundless/delivery/identity';

// The change-set flow end to end over real HTTP and socket.io, against the running local stack: a cache-policy
// change to /public/* proposed, approved by someone else, applied to the running edge, verified on the edge's
// own logs, rolled back; and the refusals (self-approval, stale plan, expired approval). Also a promoted chat
// suggestion carried to the runtime's admin API once approved, and lifted on rollback.
const dataDir = mkdtempSync(join(tmpdir(), 'change-sets-'));
// Long enough that no step of a test outlives an approval, however loaded the machine: expiry is reached by
// moving the flow's clock past it, never by waiting.
const APPROVAL_TTL_MS = 10 * 60_000;
/** How far the change-set flow's clock runs ahead of the wall clock: only while a test expires an approval. */
let flowClockAheadMs = 0;
let delivery: LocalDelivery;
let copilot: LocalCopilot;
let tokens: Record<'alice' | 'bob' | 'olga' | 'vera', string>;
let socket: Socket;
const updates: { changeSet: ChangeSet; entry: ChangeAuditEntry }[] = [];

beforeAll(async () => {
  // A one-second TTL on the public pages: every request a second apart finds its copy expired.
  const tunables = loadTunables();
  tunables.cache.behaviors['/public/*'] = {
    minTtlSeconds: 0,
    defaultTtlSeconds: 1,
    maxTtlSeconds: 86_400,
    compress: true,
  };
  writeFileSync(join(dataDir, 'tunables.json'), JSON.stringify(tunables));
  const realtime = new EdgeSinkFeed();
  delivery = await startLocalDelivery(
    {
      dataDir,
      lambda: { coldStartMs: 5 },
      edgeLogFlushIntervalMs: 200,
      tunables: await localTunables(dataDir),
    },
    { realtimeLogSink: realtime.sink },
  );
  copilot = await startLocalCopilot({
    adminApiUrl: delivery.apiUrl,
    local: { dataDir },
    realtime,
    env: {},
    changeSets: {
      documents: [localTunablesDocument(dataDir, delivery)],
      metrics: localMetricReader(dataDir, delivery),
      tickIntervalMs: 300,
      approvalTtlMs: APPROVAL_TTL_MS,
      clock: () => Date.now() + flowClockAheadMs,
    },
    reports: new ReportFiles(join(dataDir, 'reports')),
  });
  tokens = {
    alice: await copilot.operatorToken('on_call', 'alice'),
    bob: await copilot.operatorToken('on_call', 'bob'),
    olga: await copilot.operatorToken('owner', 'olga'),
    vera: await copilot.operatorToken('viewer', 'vera'),
  };
  socket = connect(copilot.url, { auth: { token: tokens.bob }, transports: ['websocket'] });
  socket.on('change_set.updated', (update) => updates.push(update));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}, 120_000);

afterAll(async () => {
  socket?.close();
  await copilot?.close();
  await delivery?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** What the change-set routes answer: a change set (with its audit on a read), or an error. */
interface Answer {
  changeSet: ChangeSet;
  audit: ChangeAuditEntry[];
  auditIntact: boolean;
  error?: { code: string; message: string };
}

async function call(who: keyof typeof tokens, method: string, path: string, body?: unknown) {
  const response = await fetch(`${copilot.url}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

/** Rounds of reading the public pages the report test makes itself, so it needs no other test's traffic. */
const REPORT_ROUNDS = 5;

/** Readers open the public pages, each a little over a second after the last: a bounded loop. */
function readPublicPages(stopAt: () => boolean) {
  const pages = readdirSync(join(dataDir, 'origin', 'public', 'titles')).slice(0, 4);
  return (async () => {
    for (let round = 0; round < 200 && !stopAt(); round++) {
      await Promise.all(
        pages.map((page) => fetch(`${delivery.edgeUrl}/public/titles/${page}`).then((r) => r.arrayBuffer())),
      );
      await sleep(1_100);
    }
  })();
}

const ttlPatch = (ttl: number) => [
  { op: 'replace', path: '/cache/behaviors/~1public~1*/defaultTtlSeconds', value: ttl },
];

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, deadlineMs: number): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await sleep(200);
  }
}

describe('change sets on the running local stack', () => {
  it('proposes, refuses self-approval, applies after another approval, verifies on the edge logs, rolls back', async () => {
    let stop = false;
    const traffic = readPublicPages(() => stop);
    try {
      const proposed = await call('alice', 'POST', '/change-sets', {
        document: 'tunables',
        patch: ttlPatch(3600),
        title: 'Cache the public pages for an hour',
        rationale: 'every request to the public pages revalidates at the origin',
        verification: {
          metric: 'edge.hit_ratio',
          scope: { pattern: '/public/*' },
          windowMinutes: 0.1,
          direction: 'increase',
          guardSlos: ['edge-public-availability'],
        },
      });
      expect(proposed.status).toBe(201);
      const cs = proposed.body.changeSet as ChangeSet;
      expect(cs.tier, cs.tierReasons.join('; ')).toBe('on_call');
      expect(cs.plan.diff.text).toContain('AWS::CloudFront::CachePolicy');
      expect(cs.plan.diff.text).toMatch(/DefaultTTL[\s\S]*\[-\] 1[\s\S]*\[\+\] 3600/);

      const self = await call('alice', 'POST', `/change-sets/${cs.id}/approve`, {});
      expect(self).toMatchObject({ status: 403, body: { error: { code: 'self_approval' } } });

      // Traffic before the apply: the baseline window.
      await sleep(6_500);
      const approved = await call('bob', 'POST', `/change-sets/${cs.id}/approve`, { note: 'looks right' });
      expect(approved.status).toBe(200);
      const applied = await call('alice', 'POST', `/change-sets/${cs.id}/apply`);
      expect(applied.status).toBe(200);
      expect(applied.body.changeSet.status).toBe('applied');
      expect(delivery.cacheBehaviors().find((b) => b.pattern === '/public/*')?.defaultTtlSeconds).toBe(3600);
      const onDisk = JSON.parse(readFileSync(join(dataDir, 'tunables.json'), 'utf8'));
      expect(onDisk.cache.behaviors['/public/*'].defaultTtlSeconds).toBe(3600);

      const verified = await until(
        () => call('bob', 'GET', `/change-sets/${cs.id}`),
        (r) => r.body.changeSet.status !== 'applied',
        30_000,
      );
      const result = verified.body.changeSet.verificationResult;
      expect(verified.body.changeSet.status).toBe('verified');
      expect(result?.outcome).toBe('verified');
      expect(result?.observed.value).toBeGreaterThan(result?.baseline.value ?? Number.POSITIVE_INFINITY);
      // The same windows' origin bytes, for the record (the verification judged the hit ratio).
      const reader = localMetricReader(dataDir, delivery);
      const scope = { pattern: '/public/*' };
      const at = (iso: string | undefined) => Date.parse(iso ?? '');
      const measure = (metric: string, from?: string, to?: string) =>
        reader.measure(metric, scope, at(from), at(to)).then((m) => m.value);
      const b = result?.baseline;
      const w = result?.window;
      process.stdout.write(
        `change set effect on /public/*: hit ratio ${b?.value} -> ${result?.observed.value}; upstream requests ${await measure('edge.upstream_requests', b?.from, b?.to)} -> ${await measure('edge.upstream_requests', w?.from, w?.to)}; origin bytes ${await measure('edge.origin_bytes', b?.from, b?.to)} -> ${await measure('edge.origin_bytes', w?.from, w?.to)} (windows of ${(at(w?.to) - at(w?.from)) / 1000} s)\n`,
      );

      const rolledBack = await call('bob', 'POST', `/change-sets/${cs.id}/rollback`, { reason: 'on demand' });
      expect(rolledBack.body.changeSet.status).toBe('rolled_back');
      expect(delivery.cacheBehaviors().find((b) => b.pattern === '/public/*')?.defaultTtlSeconds).toBe(1);

      const read = await call('olga', 'GET', `/change-sets/${cs.id}`);
      expect(read.body.auditIntact).toBe(true);
      expect(read.body.audit.map((e: ChangeAuditEntry) => e.action)).toEqual([
        'proposed',
        'approve_refused',
        'approved',
        'applied',
        'verified',
        'rolled_back',
      ]);
      // The push follows the stored step (after its daily audit line): the read above may have come first.
      await expect
        .poll(() => updates.filter((u) => u.changeSet.id === cs.id).map((u) => u.entry.action))
        .toContain('verified');
    } finally {
      stop = true;
      await traffic;
    }
  }, 120_000);

  it('refuses a stale plan and an expired approval', async () => {
    const memory = async (mb: number) =>
      (
        await call('alice', 'POST', '/change-sets', {
          document: 'tunables',
          patch: [{ op: 'replace', path: '/lambda/functions/grantAccess/memoryMb', value: mb }],
          title: `grant-access with ${mb} MB`,
          rationale: 'right-sizing',
        })
      ).body.changeSet as ChangeSet;
    const first = await memory(768);
    expect(first.tier, first.tierReasons.join('; ')).toBe('on_call');
    const byViewer = await call('vera', 'POST', `/change-sets/${first.id}/approve`, {});
    expect(byViewer).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const second = await memory(1536);
    expect((await call('bob', 'POST', `/change-sets/${first.id}/approve`, {})).status).toBe(200);
    expect((await call('bob', 'POST', `/change-sets/${second.id}/approve`, {})).status).toBe(200);
    expect((await call('bob', 'POST', `/change-sets/${first.id}/apply`)).status).toBe(200);
    const stale = await call('bob', 'POST', `/change-sets/${second.id}/apply`);
    expect(stale).toMatchObject({ status: 409, body: { error: { code: 'stale_plan' } } });

    const third = await memory(512);
    expect((await call('olga', 'POST', `/change-sets/${third.id}/approve`, {})).status).toBe(200);
    // The approval's lifetime passes (and a moment more) on the flow's clock; back to the wall clock after, or
    // a later test's verification windows would lie in the future, where no edge log reaches.
    flowClockAheadMs = APPROVAL_TTL_MS + 1_000;
    try {
      const expired = await call('bob', 'POST', `/change-sets/${third.id}/apply`);
      expect(expired).toMatchObject({ status: 409, body: { error: { code: 'approval_expired' } } });
    } finally {
      flowClockAheadMs = 0;
    }
    expect(
      JSON.parse(readFileSync(join(dataDir, 'tunables.json'), 'utf8')).lambda.functions.grantAccess.memoryMb,
    ).toBe(768);
  }, 120_000);

  it('needs an owner for a change whose diff deletes resources', async () => {
    const proposed = await call('alice', 'POST', '/change-sets', {
      document: 'tunables',
      patch: [{ op: 'remove', path: '/lambda/functions/grantAccess/provisionedConcurrency' }],
      title: 'No provisioned concurrency for grant-access',
      rationale: 'the evening peak no longer needs it',
    });
    expect(proposed.body.error).toBeUndefined();
    const cs = proposed.body.changeSet;
    expect(cs.tier).toBe('owner');
    expect(cs.plan.diff.deletions).toBeGreaterThan(0);
    const byOnCall = await call('bob', 'POST', `/change-sets/${cs.id}/approve`, {});
    expect(byOnCall).toMatchObject({ status: 403, body: { error: { code: 'owner_required' } } });
    expect((await call('olga', 'POST', `/change-sets/${cs.id}/approve`, {})).status).toBe(200);
  }, 120_000);

  it("renders the day's report from the stack's own logs, serves it, and its change set can be proposed", async () => {
    // Its own traffic, whichever tests ran before: rounds of the public pages a little over their one-second
    // TTL apart, each round after the first revalidating every page (4 pages x 4 rounds, past the report's
    // floor of 10 revalidations a longer TTL must save).
    let rounds = 0;
    await readPublicPages(() => ++rounds > REPORT_ROUNDS);
    const day = new Date().toISOString().slice(0, 10);
    // The edge writes its log in batches: the report is read again until the last round is in it.
    const { report } = await until(
      () => writeLocalReport({ dataDir, day }),
      ({ report }) => report.recommendations.some((r) => r.id === 'cache:/public/*'),
      10_000,
    );
    // The public pages ran at a one-second TTL: the replay finds the revalidations a longer TTL removes.
    const cache = report.recommendations.find((r) => r.id === 'cache:/public/*');
    expect(cache?.estimate.metric?.expected).toBeGreaterThan(cache?.estimate.metric?.before ?? 1);
    expect(report.cache.behaviors.find((b) => b.pattern === '/public/*')?.refreshHits).toBeGreaterThan(0);
    expect(report.inputs.edgeLogs?.read).toBeGreaterThan(0);
    const html = await fetch(`${copilot.url}/api/reports/${day}?format=html`, {
      headers: { authorization: `Bearer ${tokens.vera}` },
    });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    const body = await html.text();
    expect(body).toContain('<svg');
    expect(body).toContain('/public/*');
    const list = await fetch(`${copilot.url}/api/reports`, {
      headers: { authorization: `Bearer ${tokens.vera}` },
    });
    expect(((await list.json()) as { reports: { day: string }[] }).reports.map((r) => r.day)).toContain(day);

    const proposed = await call('alice', 'POST', '/change-sets', {
      document: cache?.changeSet.document,
      patch: cache?.changeSet.patch,
      title: cache?.title,
      rationale: cache?.rationale,
      verification: cache?.changeSet.verification,
    });
    expect(proposed.body.error).toBeUndefined();
    expect(proposed.body.changeSet.plan.diff.text).toContain('AWS::CloudFront::CachePolicy');
  }, 120_000);
  it("carries a promoted chat suggestion to the running stack's admin API once someone else approves it, and lifts it on rollback", async () => {
    // What the incident chat's sink does when alice promotes a suggestion (the sink the local copilot wires).
    const { proposal } = await new ChangeSetProposalSink(copilot.changeSets!).submit({
      incidentId: 'inc_e2e',
      suggestion: {
        id: 'sug_e2e',
        action: 'short_ttl',
        target: { accountId: 'acct-e2e-1' },
        rationale: 'one account reads from many countries at once',
        by: 'model',
      },
      evidence: [{ id: 'E1', kind: 'finding', ref: { findingId: 'f-e2e' } }],
      proposedBy: 'user:alice',
      at: new Date().toISOString(),
    });
    const id = proposal.changeSetId;
    const admin = await LocalIdentityIssuer.create({
      keyDir: join(dataDir, 'keys'),
      issuer: 'https://identity.boundless.local',
      audience: 'boundless-local',
    });
    const adminToken = await admin.issue({ sub: 'e2e-check', groups: ['copilot'] });
    const mitigations = async () => {
      const response = await fetch(`${delivery.apiUrl}/v1/admin/mitigations?accountId=acct-e2e-1`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { mitigations: { kind: string }[] }).mitigations.map((m) => m.kind);
    };
    expect((await call('bob', 'POST', `/change-sets/${id}/apply`)).status).toBe(409);
    expect((await call('alice', 'POST', `/change-sets/${id}/approve`, {})).body.error?.code).toBe(
      'self_approval',
    );
    expect(await mitigations()).toEqual([]);
    expect((await call('bob', 'POST', `/change-sets/${id}/approve`, {})).status).toBe(200);
    const applied = await call('bob', 'POST', `/change-sets/${id}/apply`);
    expect(applied.status).toBe(200);
    expect(applied.body.changeSet.status).toBe('applied');
    expect(await mitigations()).toEqual(['short_ttl']);
    const rolledBack = await call('bob', 'POST', `/change-sets/${id}/rollback`, { reason: 'false alarm' });
    expect(rolledBack.body.changeSet.status).toBe('rolled_back');
    expect(await mitigations()).toEqual([]);
  });
});
