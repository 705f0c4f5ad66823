import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '@boundless/common/random';
import { analyse } from '@boundless/copilot/diagnose';
import { readTelemetryDirectory } from '@boundless/copilot/telemetry-dir';
import { deviceHashOf, issueEdgeToken, kvsKeys } from '@boundless/delivery';
import { startLocalEdge } from '../edge/local-edge.ts';
import { LocalKeyValueStore } from '../edge/local-kvs.ts';
import { LambdaEmulator } from '../lambda/lambda-emulator.ts';
import { LogGroupWriter } from '../telemetry/log-groups.ts';
import { createSegmentEmitter, startXRayReceiver } from '../telemetry/xray-receiver.ts';
import { AbuseLoad } from './abuse-load.ts';
import { type LocalFaultKind, LocalFaultInjector } from './injector.ts';
import { recordFaultChanges } from './wiring.ts';

/**
 * Every fault kind, end to end through the real local parts: injected into the Lambda emulator and the local
 * edge (viewer-request function, cache, origin), the telemetry they write read back from the telemetry
 * directory, and the diagnostician asked about the window. Time is a clock the test moves (half an hour of
 * traffic, the fault in its last ten minutes), so each case takes about a second.
 */
const root = mkdtempSync(join(tmpdir(), 'faults-e2e-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);
const MINUTE = 60_000;
const DISTRIBUTION = 'ETESTEDGE';
const EDGE_FUNCTION = 'edge-viewer-request';
const SECRET = 'edge-secret-for-tests-0123456789';
const DEVICE = 'device-1';
const OBJECTS = 60;
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

const origin = join(root, 'origin');
for (let i = 0; i < OBJECTS; i++) {
  mkdirSync(join(origin, 'titles', 't-1'), { recursive: true });
  writeFileSync(join(origin, 'titles', 't-1', `p${i}.bin`), Buffer.alloc(2_000 + 37 * i, i));
}

const token = issueEdgeToken(
  {
    kid: 'k1',
    tokenId: 'tok_e2e00001',
    accountId: 'acct-1',
    deviceHash: deviceHashOf('acct-1', DEVICE),
    iat: Math.floor(T0 / 1000) - 60,
    exp: Math.floor(T0 / 1000) + 3 * 3600,
    scope: '/titles/t-1/',
  },
  SECRET,
);

/**
 * Runs 40 minutes of traffic (the first 10 warm the cache and the functions, outside the window read) with
 * `kind` injected from minute 30, then diagnoses the last 30 minutes.
 */
async function injectAndDiagnose(kind: LocalFaultKind) {
  const dir = join(root, kind);
  const clock = { now: T0 };
  const now = () => clock.now;
  const wait = async (ms: number) => {
    clock.now += ms;
  };
  const random = mulberry32(7);
  const logs = new LogGroupWriter(join(dir, 'logs'));
  const injector = new LocalFaultInjector(
    {
      functions: () => ['grant', 'catalog'],
      table: 'delivery',
      defaultFunction: 'grant',
      edge: { distributionId: DISTRIBUTION, functionName: EDGE_FUNCTION },
    },
    now,
    random,
  );
  recordFaultChanges(injector, logs, now);
  // Segments travel to the local X-Ray daemon over UDP, as in the running stack.
  const xray = await startXRayReceiver({ dir: join(dir, 'xray'), host: '127.0.0.1', port: 0 });
  const emitter = createSegmentEmitter(xray.address, { batchWindowMs: 0 });
  let sent = 0;
  const segments = {
    ...emitter,
    emit: (document: object) => {
      sent += 1;
      emitter.emit(document);
    },
  };
  const emulator = new LambdaEmulator({
    logs,
    segments,
    clock: now,
    wait,
    coldStartMs: 180,
    lambdaInsights: true,
    faults: (name, at) => injector.invocationPlan(name, at),
  });
  const work = (base: number) => async () => {
    await wait(base * (0.7 + 0.6 * random()));
    return { statusCode: 200, body: '{}' };
  };
  emulator.register({ functionName: 'grant', handler: work(40) });
  emulator.register({ functionName: 'catalog', handler: work(25) });
  const edge = await startLocalEdge({
    originDir: origin,
    kvs: new LocalKeyValueStore({ initial: { [kvsKeys.signingSecret('k1')]: SECRET } }),
    trustedKeys: { K1: PUBLIC_PEM },
    logDir: join(dir, 'cloudfront'),
    logFlushIntervalMs: 0,
    clock: now,
    distributionId: DISTRIBUTION,
    protectedPrefixes: [],
    cache: { maxEntries: 1_000, maxBytes: 10_000_000, defaultTtlSeconds: 240 },
    viewerIpFrom: 'x-forwarded-for',
    telemetry: { logs, functionName: EDGE_FUNCTION },
    faults: { plan: (at) => injector.edgePlan(at), wait, random },
  });
  const abuse = new AbuseLoad(() => edge.url, injector, now, undefined, 0.02);
  try {
    for (let minute = 0; minute < 40; minute++) {
      const start = T0 + minute * MINUTE;
      if (minute === 30) injector.inject({ kind, intensity: 0.8, durationMs: 15 * MINUTE });
      for (let i = 0; i < 16; i++) {
        clock.now = start + i * 3_700;
        await emulator.invoke('grant', {}).catch(() => undefined);
        await emulator.invoke('catalog', {}).catch(() => undefined);
        clock.now = start + i * 3_700 + 1_000;
        const object = Math.floor(random() ** 1.5 * OBJECTS);
        const response = await fetch(`${edge.url}/titles/t-1/p${object}.bin?bbt=${token}`, {
          headers: { 'x-bb-device': DEVICE, 'x-forwarded-for': `10.0.${i}.${1 + (minute % 50)}` },
        });
        await response.arrayBuffer();
      }
      clock.now = start + 59_000;
      await abuse.sendDue(clock.now);
    }
  } finally {
    await edge.close();
    injector.close();
    await logs.close();
    // UDP: wait (bounded) until the daemon has every segment sent, then store them.
    for (let i = 0; i < 100 && xray.stats().received < sent; i++) await new Promise((r) => setTimeout(r, 20));
    emitter.close();
    await xray.close();
  }
  const atMs = T0 + 40 * MINUTE;
  const snapshot = await readTelemetryDirectory(dir, { startMs: atMs - 30 * MINUTE, endMs: atMs });
  return { snapshot, ...analyse({ snapshot }, { atMs, windowMs: 30 * MINUTE }) };
}

const CASES: [LocalFaultKind, string][] = [
  ['dependency_error', 'grant'],
  ['dependency_latency', 'grant'],
  ['throttling', 'grant'],
  ['bad_deploy', 'grant'],
  ['cold_start_storm', 'grant'],
  ['memory_saturation', 'grant'],
  ['cpu_saturation', 'grant'],
  ['origin_errors', DISTRIBUTION],
  ['cache_hit_collapse', DISTRIBUTION],
  ['egress_cost_spike', DISTRIBUTION],
];

const shown = (hypotheses: { component: string; fault: string }[]) =>
  hypotheses.slice(0, 3).map((h) => `${h.component}/${h.fault}`);

describe('Fault injection end to end (local parts → telemetry directory → diagnose)', () => {
  it.each(CASES)(
    '%s: the diagnosis names %s and the kind first',
    async (kind, component) => {
      const { diagnosis } = await injectAndDiagnose(kind);
      expect(shown(diagnosis.hypotheses)[0]).toBe(`${component}/${kind}`);
      expect(diagnosis.hypotheses.every((h) => h.evidence.length > 0)).toBe(true);
    },
    90_000,
  );

  it('signing_key_mismatch: the kind first, on the edge, with the viewer-request function among the first two', async () => {
    const { diagnosis } = await injectAndDiagnose('signing_key_mismatch');
    const top = shown(diagnosis.hypotheses);
    expect(top[0]).toMatch(/\/signing_key_mismatch$/);
    expect([DISTRIBUTION, EDGE_FUNCTION]).toContain(diagnosis.hypotheses[0]?.component);
    expect(top.slice(0, 2)).toContain(`${EDGE_FUNCTION}/signing_key_mismatch`);
  }, 90_000);

  it('abuse_load: the scrapers reach the edge logs, and the surge they make names the kind', async () => {
    const { diagnosis, snapshot } = await injectAndDiagnose('abuse_load');
    const scrapers = snapshot.logs.filter((r) => r.message.includes('"c-ip":"203.0.113.'));
    expect(scrapers.length).toBeGreaterThan(200);
    expect(shown(diagnosis.hypotheses)[0]).toBe(`${DISTRIBUTION}/abuse_load`);
  }, 90_000);
});
