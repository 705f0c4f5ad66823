import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readLogGroupEvents } from '@boundless/copilot/telemetry-dir';
import { DEPLOYMENTS_LOG_GROUP, type LocalDelivery, startLocalDelivery } from '@boundless/local';
import { DeliveryClient } from '@boundless/local/client';
import type { Deployment } from '@boundless/local/lambda';
import { type LocalCopilot, startLocalCopilot } from '@boundless/local/copilot';
import { runTool, toolByName } from '@boundless/copilot/tools';
import type { Finding } from '@boundless/copilot/findings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Canary deploys on the local Lambda emulator over real HTTP: readers call GET /v1/devices while a version is
// deployed through POST /local/deployments; a good one takes all traffic after its canary, a bad one (errors or
// latency injected) is rolled back by the guard while it holds only its 10 %, and the copilot, reading the deploy
// log group, records each rollback as a finding with an audit entry.
const dataDir = mkdtempSync(join(tmpdir(), 'canary-'));
const LIST = 'delivery-list-devices';
let delivery: LocalDelivery;
let copilot: LocalCopilot;
let jwt: string;

beforeAll(async () => {
  delivery = await startLocalDelivery({ dataDir, lambda: { coldStartMs: 5 } });
  const client = new DeliveryClient(delivery.apiUrl, delivery.edgeUrl);
  const reader = delivery.demoUsers.find((user) => user.role === 'reader');
  jwt = await client.localToken(reader?.name ?? 'missing');
  copilot = await startLocalCopilot({ adminApiUrl: delivery.apiUrl, local: { dataDir }, env: {} });
}, 60_000);
afterAll(async () => {
  await copilot?.close();
  await delivery?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Readers at a bounded pace until `stop()`: counts the answers by status class. */
function readers(stop: () => boolean) {
  const served = { ok: 0, errors: 0 };
  const done = (async () => {
    for (let round = 0; round < 2_000 && !stop(); round++) {
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          const r = await fetch(`${delivery.apiUrl}/v1/devices`, {
            headers: { authorization: `Bearer ${jwt}` },
          });
          await r.arrayBuffer();
          if (r.status >= 500) served.errors += 1;
          else if (r.ok) served.ok += 1;
        }),
      );
      await sleep(20);
    }
  })();
  return { served, done };
}

async function deploy(body: Record<string, unknown>): Promise<Deployment> {
  const r = await fetch(`${delivery.apiUrl}/local/deployments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ functionName: LIST, ...body }),
  });
  expect(r.status).toBe(202);
  return ((await r.json()) as { deployment: Deployment }).deployment;
}

async function settled(id: string, deadlineMs: number): Promise<Deployment> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const r = await fetch(`${delivery.apiUrl}/local/deployments/${id}`);
    const { deployment } = (await r.json()) as { deployment: Deployment };
    if (deployment.status !== 'canary' || Date.now() > end) return deployment;
    await sleep(100);
  }
}

describe('canary deploys with a guard that rolls back', () => {
  it('moves all traffic to a good version after its canary', async () => {
    let stop = false;
    const traffic = readers(() => stop);
    try {
      // This test is about promotion: the latency guard has its own test below, and a loaded machine's p99 can
      // pass the default 1 s bar with no fault in the version.
      const started = await deploy({
        version: 'v2',
        canaryMs: 1_500,
        minInvocations: 5,
        p99LatencyMs: 30_000,
      });
      const result = await settled(started.id, 30_000);
      expect(result.status).toBe('promoted');
      expect(result.canary.invocations).toBeGreaterThan(0);
      expect(delivery.emulator.aliasRouting(LIST)).toEqual({ version: 'v2' });
    } finally {
      stop = true;
      await traffic.done;
    }
  }, 60_000);

  it.each([
    ['errors', { kind: 'errors', rate: 1 }, /error rate/],
    ['latency', { kind: 'latency', addMs: 1_500 }, /p99 duration/],
  ])(
    'rolls a bad deploy (%s) back by itself, the errors served confined to the canary',
    async (name, fault, reason) => {
      let stop = false;
      const traffic = readers(() => stop);
      try {
        const t0 = Date.now();
        const started = await deploy({ version: `v3-${name}`, fault, canaryMs: 120_000, minInvocations: 3 });
        const result = await settled(started.id, 60_000);
        const rolledBackAfterMs = Date.now() - t0;
        expect(result.status).toBe('rolled_back');
        expect(result.reason).toMatch(reason);
        expect(delivery.emulator.aliasRouting(LIST)).toEqual({ version: 'v2' });
        const errorsDuringCanary = traffic.served.errors;
        // Traffic after the rollback is served by the good version only.
        const okBefore = traffic.served.ok;
        // Requests already inside the slow version finish first (their batch waits for them): poll, bounded.
        for (let i = 0; i < 100 && traffic.served.ok <= okBefore + 8; i++) await sleep(100);
        expect(traffic.served.errors).toBe(errorsDuringCanary);
        expect(traffic.served.ok).toBeGreaterThan(okBefore);
        process.stdout.write(
          `canary ${name}: rolled back ${rolledBackAfterMs} ms after the deploy began; ${errorsDuringCanary} errors served, ${result.canary.invocations} canary invocations (${result.reason})\n`,
        );
      } finally {
        stop = true;
        await traffic.done;
      }
      await delivery.logs.flush();
      const steps: string[] = [];
      for await (const event of readLogGroupEvents(
        delivery.logsDir,
        DEPLOYMENTS_LOG_GROUP,
        0,
        Date.now() + 60_000,
      ))
        steps.push((JSON.parse(event.message) as { step: string }).step);
      expect(steps).toContain('rolled_back');
    },
    90_000,
  );

  it('records each rollback as a deploy_rolled_back finding the chat can list and cite, with an audit entry', async () => {
    await delivery.logs.flush();
    // The pipeline reads the deploy log group on its own every few seconds; read it now rather than wait.
    await copilot.pipeline.readDeployLogs();
    const viewer = await copilot.operatorToken('viewer');
    const r = await fetch(`${copilot.url}/api/findings?kind=deploy_rolled_back`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(r.status).toBe(200);
    const { findings } = (await r.json()) as { findings: Finding[] };
    // Both bad deploys of the same function, minutes apart or not: each rollback is its own finding.
    expect(findings.map((f) => f.evidence.version).sort()).toEqual(['v3-errors', 'v3-latency']);
    const errors = findings.find((f) => f.evidence.version === 'v3-errors') as Finding;
    expect(errors).toMatchObject({
      kind: 'deploy_rolled_back',
      subject: { functionName: LIST },
      severity: 'warning',
      score: 1,
      evidence: {
        previousVersion: 'v2',
        guard: 'error_rate',
        errorRatePercent: 100,
        logGroup: DEPLOYMENTS_LOG_GROUP,
        window: { from: expect.any(String), to: expect.any(String) },
      },
    });
    expect(String(errors.evidence.reason)).toMatch(/error rate/);
    expect(errors.evidence.invocations).toBeGreaterThanOrEqual(3);
    expect(findings.find((f) => f.evidence.version === 'v3-latency')?.evidence).toMatchObject({
      guard: 'p99_duration',
      p99Ms: expect.any(Number),
    });
    // The step events it cites are the deploy's own lines in the log group, and it was detected at the rollback's.
    const lines = new Map<string, { step: string; version: string; timestampMs: number }>();
    for await (const event of readLogGroupEvents(
      delivery.logsDir,
      DEPLOYMENTS_LOG_GROUP,
      0,
      Date.now() + 60_000,
    ))
      lines.set(event.id, { ...JSON.parse(event.message), timestampMs: event.timestamp });
    const steps = errors.evidence.steps as { name: string; eventId: string }[];
    expect(steps.map((s) => s.name)).toEqual(['canary_started', 'rolled_back']);
    for (const step of steps)
      expect(lines.get(step.eventId)).toMatchObject({ step: step.name, version: 'v3-errors' });
    const rolledBackAt = lines.get(steps[1]?.eventId ?? '')?.timestampMs;
    expect(errors.detectedAt).toBe(new Date(rolledBackAt ?? 0).toISOString());

    // Read again (a restart re-reads from the checkpoint): no second finding, no second audit entry.
    await copilot.pipeline.readDeployLogs();
    expect(await copilot.store.listFindings(100)).toHaveLength(findings.length);
    const audit = (await copilot.store.listAudit(errors.detectedAt.slice(0, 10))).filter(
      (entry) => entry.action === 'deploy:rolled_back',
    );
    expect(audit).toHaveLength(2);
    expect(audit).toContainEqual(
      expect.objectContaining({
        actor: 'system:deploy-guard',
        detail: expect.objectContaining({ findingId: errors.id, version: 'v3-errors' }),
      }),
    );

    // The chat's list_findings tool lists it, with the evidence it will cite.
    const listed = await runTool(
      toolByName('list_findings') as never,
      { kind: 'deploy_rolled_back', last: '1h' },
      { findings: copilot.store, now: Date.now },
    );
    expect(JSON.stringify(listed)).toContain(errors.id);
  }, 30_000);

  it('refuses a malformed deploy with a clear error', async () => {
    const r = await fetch(`${delivery.apiUrl}/local/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ functionName: LIST, version: 'bad label!' }),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toContain('version');
  });
});
