import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadMitigationConfig, type Mitigation, type MitigationPort } from '@boundless/copilot/mitigation';
import { CopilotPipeline, localStandardLogFeed } from '@boundless/copilot/pipeline';
import { PrewarmDecisionLog } from '@boundless/copilot/prewarm';
import { ReportFiles } from '@boundless/copilot/report';
import {
  type CopilotService,
  type Finding,
  startCopilotService,
  type StoredMitigation,
} from '@boundless/copilot/service';
import { CopilotStore } from '@boundless/copilot/state';
import { LocalIdentityIssuer } from '@boundless/delivery/identity';
import dynalite from 'dynalite';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { prewarmLoopFor } from './support/prewarm.ts';

// The service over real HTTP and socket.io, with the pipeline reading a log folder and a recording port.
const dir = mkdtempSync(join(tmpdir(), 'copilot-service-'));
const logDir = join(dir, 'logs');
mkdirSync(logDir);
const dynamo = dynalite({ path: join(dir, 'dynamodb'), createTableMs: 0 });
const ISSUER = 'https://identity.boundless.local';
let store: CopilotStore;
let issuer: LocalIdentityIssuer;
let readerAppIssuer: LocalIdentityIssuer;
let service: CopilotService;
let pipeline: CopilotPipeline;
const port = new (class implements MitigationPort {
  readonly applied: Mitigation[] = [];
  readonly lifted: Mitigation[] = [];
  async apply(m: Mitigation) {
    this.applied.push(m);
  }
  async lift(m: Mitigation) {
    this.lifted.push(m);
  }
})();

const FIELDS = 'date time c-ip cs-method cs-uri-stem sc-status cs(User-Agent) cs-uri-query x-edge-request-id';
const LOG = join(logDir, 'E1TEST.2026-11-02-10.abcd1234');
const TOKEN = 'v1.k1.tok_shared_0001.acct-42.0123456789abcdef.1793000000.1799999999.L3RpdGxlcy8.sig';
let requestSeq = 0;

/** A reader in Germany and a copy of their token in Brazil seconds apart: impossible travel. */
function lines(fromSecond: number, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const second = fromSecond + i;
    const ip = i % 2 === 0 ? '81.169.145.10' : '200.147.67.10';
    const time = `10:00:${String(second).padStart(2, '0')}`;
    requestSeq += 1;
    out.push(
      [
        '2026-11-02',
        time,
        ip,
        'GET',
        '/titles/t1/book.epub',
        '200',
        'Reader/1.0',
        `bbt=${TOKEN}`,
        `req-${requestSeq}`,
      ].join('\t'),
    );
  }
  return `${out.join('\n')}\n`;
}

function newPipeline(): CopilotPipeline {
  return new CopilotPipeline({
    store,
    feeds: [localStandardLogFeed(logDir, store)],
    port,
    mitigation: loadMitigationConfig(),
    pollIntervalMs: 60_000,
  });
}

beforeAll(async () => {
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  store = await CopilotStore.open(client, 'copilot-test');
  const keyDir = join(dir, 'keys');
  issuer = await LocalIdentityIssuer.create({ keyDir, issuer: ISSUER, audience: 'boundless-copilot' });
  readerAppIssuer = await LocalIdentityIssuer.create({ keyDir, issuer: ISSUER, audience: 'boundless-local' });
  writeFileSync(LOG, `#Version: 1.0\n#Fields: ${FIELDS}\n`);
  pipeline = newPipeline();
  service = await startCopilotService({ store, pipeline, identity: issuer.settings() });
});

afterAll(async () => {
  await pipeline?.stop();
  await service?.close();
  await new Promise<void>((resolve) => dynamo.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const tokenFor = (role: 'viewer' | 'on_call' | 'owner') =>
  issuer.issue({ sub: `${role.replace('_', '-')}-1`, groups: [role] });

async function call(path: string, token: string | undefined, init: RequestInit = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${service.url}${path}`, {
    ...init,
    headers: { ...headers, ...init.headers },
  });
  // biome-ignore lint/suspicious/noExplicitAny: the assertions read arbitrary JSON answers
  return { status: response.status, body: (await response.json()) as any };
}

function socketWith(token: string | undefined): Socket {
  return connect(service.url, {
    auth: token ? { token } : {},
    transports: ['websocket'],
    reconnection: false,
  });
}

function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

describe('Copilot service: authentication and roles', () => {
  it('refuses a missing token, a token for another app client and a forged one with 401 and a stable code', async () => {
    const none = await call('/api/findings', undefined);
    const otherClient = await call(
      '/api/findings',
      await readerAppIssuer.issue({ sub: 'v', groups: ['viewer'] }),
    );
    const forged = await call('/api/findings', `${(await tokenFor('viewer')).slice(0, -4)}AAAA`);

    expect(none).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(otherClient.status).toBe(401);
    expect(otherClient.body.error.message).toContain('aud');
    expect(forged.status).toBe(401);
  });

  it('lets viewers read but not roll back or change guardrails; owners change guardrails with an audit entry', async () => {
    const viewer = await tokenFor('viewer');
    expect((await call('/api/mitigations', viewer)).status).toBe(200);
    const rollback = await call('/api/mitigations/mit_x/rollback', viewer, {
      method: 'POST',
      body: JSON.stringify({ reason: 'not mine to do' }),
    });
    expect(rollback).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const onCallGuardrails = await call('/api/guardrails', await tokenFor('on_call'), {
      method: 'PUT',
      body: JSON.stringify({ dryRun: true }),
    });
    expect(onCallGuardrails.status).toBe(403);

    const owner = await tokenFor('owner');
    const changed = await call('/api/guardrails', owner, {
      method: 'PUT',
      body: JSON.stringify({ maxActionsPerHour: 20 }),
    });
    expect(changed.body.guardrails).toMatchObject({ maxActionsPerHour: 20, dryRun: false });
    expect(pipeline.guardrails.maxActionsPerHour).toBe(20);
  });

  it('validates bodies and queries, caps body size, and answers unknown routes as JSON', async () => {
    const owner = await tokenFor('owner');
    const bad = await call('/api/guardrails', owner, {
      method: 'PUT',
      body: JSON.stringify({ dryRun: 'yes' }),
    });
    const huge = await call('/api/guardrails', owner, {
      method: 'PUT',
      body: JSON.stringify({ dryRun: false, padding: 'x'.repeat(40_000) }),
    });
    const malformed = await call('/api/guardrails', owner, { method: 'PUT', body: '{"dryRun":' });
    const query = await call('/api/audit?day=yesterday', owner);
    const missing = await call('/api/nothing-here', owner);

    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    expect(huge).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: 'malformed_json' } } });
    expect(query.status).toBe(400);
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'route_not_found' } } });
  });

  it('refuses socket handshakes without a valid copilot token', async () => {
    const anonymous = socketWith(undefined);
    const otherClient = socketWith(await readerAppIssuer.issue({ sub: 'v', groups: ['viewer'] }));
    await expect(connected(anonymous)).rejects.toMatchObject({ data: { code: 'unauthorized' } });
    await expect(connected(otherClient)).rejects.toMatchObject({ data: { code: 'unauthorized' } });
    anonymous.close();
    otherClient.close();
  });
});

describe('Copilot service: local operator sign-in', () => {
  it('issues operator tokens locally only when the runtime asks for it, and they carry exactly the role asked', async () => {
    expect(
      (await call('/local/token', undefined, { method: 'POST', body: '{"role":"viewer"}' })).status,
    ).toBe(404);
    const local = await startCopilotService({
      store,
      pipeline,
      identity: issuer.settings(),
      localIssuer: { issue: (role) => issuer.issue({ sub: `${role}-local`, groups: [role] }) },
    });
    try {
      const post = (body: string) =>
        fetch(`${local.url}/local/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      expect((await post('{"role":"superuser"}')).status).toBe(400);
      const { token } = (await (await post('{"role":"viewer"}')).json()) as { token: string };
      const read = await fetch(`${local.url}/api/findings`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(read.status).toBe(200);
      const guardrails = await fetch(`${local.url}/api/guardrails`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"dryRun":true}',
      });
      expect(guardrails.status).toBe(403);
    } finally {
      await local.close();
    }
  });
});

describe('Copilot service: live events and the pipeline', () => {
  it('pushes finding.created and mitigation.applied, and on_call rolls back with mitigation.lifted', async () => {
    const socket = socketWith(await tokenFor('viewer'));
    await connected(socket);
    const finding = new Promise<Finding>((resolve) => socket.once('finding.created', resolve));
    const applied = new Promise<StoredMitigation>((resolve) => socket.once('mitigation.applied', resolve));
    appendFileSync(LOG, lines(0, 6));
    await pipeline.tick();
    // The pass counted requests, so it sent an update naming the counts, which a page joining later is sent too.
    expect(pipeline.opsUpdate()).toEqual({
      epoch: pipeline.ops.epoch,
      version: pipeline.ops.version,
      asOf: expect.stringMatching(/^2026-11-02T10:00/),
    });

    expect(await finding).toMatchObject({ kind: 'token_sharing', subject: { tokenId: 'tok_shared_0001' } });
    const mitigation = await applied;
    // Sharing seen on one family of evidence: the proportional answer is re-authentication, never a denial.
    expect(mitigation).toMatchObject({
      action: 'force_reauth',
      status: 'active',
      target: { accountId: 'acct-42' },
    });
    expect(port.applied.map((m) => m.id)).toEqual([mitigation.id]);

    const lifted = new Promise<StoredMitigation>((resolve) => socket.once('mitigation.lifted', resolve));
    const rollback = await call(`/api/mitigations/${mitigation.id}/rollback`, await tokenFor('on_call'), {
      method: 'POST',
      body: JSON.stringify({ reason: 'family trip, confirmed by support' }),
    });
    expect(rollback.body.mitigation).toMatchObject({ status: 'rolled_back' });
    expect(await lifted).toMatchObject({ id: mitigation.id, status: 'rolled_back' });
    const again = await call(`/api/mitigations/${mitigation.id}/rollback`, await tokenFor('on_call'), {
      method: 'POST',
      body: JSON.stringify({ reason: 'twice' }),
    });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'not_active' } } });
    socket.close();
  });

  it('sends a socket that joins the objectives as of now, so a snapshot published before it joined is not missed', async () => {
    // The objectives as the pipeline holds them once a minute has closed (this pipeline reads no SLO traffic).
    const snapshot = { asOf: '2026-12-06T10:01:00.000Z', slos: [] };
    const holds = vi.spyOn(pipeline, 'sloSnapshot').mockReturnValue(snapshot);
    const socket = socketWith(await tokenFor('viewer'));
    try {
      const report = new Promise<unknown>((resolve) => socket.once('slo.report', resolve));
      await connected(socket);
      expect(await report).toEqual(snapshot);
    } finally {
      holds.mockRestore();
      socket.close();
    }
  });

  it('stamps the operational views with the counts they were computed from, and sends a joining socket the newest update', async () => {
    const viewer = await tokenFor('viewer');
    const overview = await call('/api/overview', viewer);
    const capacity = await call('/api/capacity', viewer);
    const stamp = { epoch: pipeline.ops.epoch, version: pipeline.ops.version };
    expect(overview.body.ops).toEqual(stamp);
    expect(capacity.body.ops).toEqual(stamp);
    // The update the pipeline last sent, as a page that joins after it must still learn of it.
    const sent = { ...stamp, asOf: '2026-12-06T10:01:00.000Z' };
    const holds = vi.spyOn(pipeline, 'opsUpdate').mockReturnValue(sent);
    const socket = socketWith(viewer);
    try {
      const update = new Promise<unknown>((resolve) => socket.once('ops.updated', resolve));
      await connected(socket);
      expect(await update).toEqual(sent);
    } finally {
      holds.mockRestore();
      socket.close();
    }
  });

  it('plans the Capacity view as far ahead as the running pre-warming loop looks, 10 minutes without one', async () => {
    const viewer = await tokenFor('viewer');
    expect((await call('/api/capacity', viewer)).body.leadMinutes).toBe(10);
    const decisions = new PrewarmDecisionLog();
    const withLoop = await startCopilotService({
      store,
      pipeline,
      identity: issuer.settings(),
      prewarmDecisions: decisions,
    });
    const prewarm = await prewarmLoopFor('boundless-capacity-lead', decisions, {
      minCapacity: 0,
      maxCapacity: 4,
    });
    try {
      const answer = await fetch(`${withLoop.url}/api/capacity`, {
        headers: { authorization: `Bearer ${viewer}` },
      });
      const view = (await answer.json()) as { leadMinutes: number };
      expect(prewarm.loop.settings.leadMinutes).toBe(5);
      expect(view.leadMinutes).toBe(5);
      // Once the loop stops, the view plans as with none.
      decisions.attach(null, 'the loop stopped');
      const after = await fetch(`${withLoop.url}/api/capacity`, {
        headers: { authorization: `Bearer ${viewer}` },
      });
      expect(((await after.json()) as { leadMinutes: number }).leadMinutes).toBe(10);
    } finally {
      await prewarm.close();
      await withLoop.close();
    }
  });

  it('runs a report on request for on call only, one at a time, for today or yesterday only', async () => {
    const reportDir = join(dir, 'reports-on-request');
    const release: (() => void)[] = [];
    const runs: string[] = [];
    let failNext = false;
    const runner = {
      run: async (day: string) => {
        runs.push(day);
        if (failNext) {
          failNext = false;
          throw new Error('EACCES: permission denied, open /secret/reports/x.json');
        }
        await new Promise<void>((resolve) => release.push(resolve));
        return {
          day,
          generatedAt: new Date().toISOString(),
          recommendations: 0,
          estimatedMonthlySavingUsd: 0,
        };
      },
    };
    const withRunner = await startCopilotService({
      store,
      pipeline,
      identity: issuer.settings(),
      reports: new ReportFiles(reportDir),
      reportRunner: runner,
    });
    const post = async (token: string, body: unknown) => {
      const response = await fetch(`${withRunner.url}/api/reports/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      // biome-ignore lint/suspicious/noExplicitAny: the assertions read arbitrary JSON answers
      return { status: response.status, body: (await response.json()) as any };
    };
    try {
      const viewer = await tokenFor('viewer');
      const onCall = await tokenFor('on_call');
      const list = await fetch(`${withRunner.url}/api/reports`, {
        headers: { authorization: `Bearer ${viewer}` },
      });
      expect(((await list.json()) as { canRun: boolean }).canRun).toBe(true);
      expect(await post(viewer, {})).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
      const dayAt = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      expect(await post(onCall, { day: dayAt(1) })).toMatchObject({ status: 400 });
      // An older report stays as published.
      expect(await post(onCall, { day: dayAt(-2) })).toMatchObject({ status: 400 });
      expect(await post(onCall, { day: 'yesterday' })).toMatchObject({ status: 400 });
      expect(runs).toEqual([]);
      // Today by default; a second request while it runs is refused, not queued.
      const first = post(onCall, {});
      await vi.waitFor(() => expect(runs).toHaveLength(1));
      expect(await post(onCall, {})).toMatchObject({
        status: 409,
        body: { error: { code: 'report_in_progress' } },
      });
      release.shift()?.();
      const today = new Date().toISOString().slice(0, 10);
      expect(await first).toMatchObject({ status: 201, body: { day: today, recommendations: 0 } });
      expect(runs).toEqual([today]);
      // A failed run answers 500 without its internals and frees the route for the next.
      failNext = true;
      const logged: string[] = [];
      const write = process.stderr.write.bind(process.stderr);
      const capture = vi.spyOn(process.stderr, 'write').mockImplementation((chunk, ...rest) => {
        logged.push(String(chunk));
        return write(chunk, ...(rest as []));
      });
      const failed = await post(onCall, { day: dayAt(-1) }).finally(() => capture.mockRestore());
      expect(failed).toMatchObject({ status: 500, body: { error: { code: 'internal' } } });
      expect(JSON.stringify(failed.body)).not.toContain('/secret/');
      // The log keeps what the answer leaves out: the failure's own message.
      expect(logged.find((line) => line.includes('POST /api/reports/run failed'))).toContain('EACCES');
      const again = post(onCall, { day: dayAt(-1) });
      await vi.waitFor(() => expect(runs).toHaveLength(3));
      release.shift()?.();
      expect(await again).toMatchObject({ status: 201, body: { day: dayAt(-1) } });
    } finally {
      await withRunner.close();
    }
    // Reports written on a schedule only (a deployment's scheduled function): none can be run, and the list says so.
    const scheduled = await startCopilotService({
      store,
      pipeline,
      identity: issuer.settings(),
      reports: new ReportFiles(reportDir),
    });
    try {
      const onCall = await tokenFor('on_call');
      const list = await fetch(`${scheduled.url}/api/reports`, {
        headers: { authorization: `Bearer ${onCall}` },
      });
      expect(((await list.json()) as { canRun: boolean }).canRun).toBe(false);
      const refused = await fetch(`${scheduled.url}/api/reports/run`, {
        method: 'POST',
        headers: { authorization: `Bearer ${onCall}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(refused.status).toBe(404);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('no_report_runner');
    } finally {
      await scheduled.close();
    }
  });

  it('reports sources with checkpoints and counts', async () => {
    const answer = await call('/api/sources', await tokenFor('viewer'));
    expect(answer.body.sources).toEqual([
      expect.objectContaining({
        id: 'cloudfront-local',
        state: 'ok',
        records: 6,
        checkpoint: expect.stringContaining('abcd1234'),
      }),
    ]);
  });

  it('restarts mid-stream, even from a lost checkpoint, without a second finding or mitigation', async () => {
    await pipeline.stop();
    appendFileSync(LOG, lines(10, 6));
    await store.save('cloudfront-local', '');
    pipeline = newPipeline();
    await pipeline.start();
    await pipeline.stop();

    const findings = (await store.listFindings()).filter((f) => f.subject.tokenId === 'tok_shared_0001');
    expect(findings).toHaveLength(1);
    expect(port.applied).toHaveLength(1);
    expect(pipeline.counters.records).toBe(12);
    expect(pipeline.counters.suppressed).toBeGreaterThan(0);
  });
});
