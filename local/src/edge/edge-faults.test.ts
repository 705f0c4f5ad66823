import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { deviceHashOf, issueEdgeToken, kvsKeys } from '@boundless/delivery';
import type { EdgeFaultPlan } from './edge-faults.ts';
import { type LocalEdge, startLocalEdge } from './local-edge.ts';
import { LocalKeyValueStore } from './local-kvs.ts';

// Injected faults on the real local edge: the plan is asked once per request, and that one plan decides the key
// store, the cache, the origin and the size of the response.
const root = mkdtempSync(join(tmpdir(), 'edge-faults-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const NOW = Date.UTC(2026, 10, 2, 9, 0, 0);
const SECRET = 'edge-secret-for-tests-0123456789';
const BOOK = Buffer.alloc(1_000, 7);
const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
mkdirSync(join(root, 'origin', 'titles', 't-1'), { recursive: true });
writeFileSync(join(root, 'origin', 'titles', 't-1', 'book.epub'), BOOK);

const token = issueEdgeToken(
  {
    kid: 'k1',
    tokenId: 'tok_faults001',
    accountId: 'acct-1',
    deviceHash: deviceHashOf('acct-1', 'dev-1'),
    iat: Math.floor(NOW / 1000) - 60,
    exp: Math.floor(NOW / 1000) + 3600,
    scope: '/titles/t-1/',
  },
  SECRET,
);

let edge: LocalEdge | undefined;
let edges = 0;
afterEach(async () => {
  await edge?.close();
  edge = undefined;
});

/** An edge whose fault plan is `plan` at every moment, counting how often it is asked. */
async function edgeWith(plan: EdgeFaultPlan, random: () => number) {
  const asked = { count: 0 };
  const waited: number[] = [];
  edge = await startLocalEdge({
    port: 0,
    originDir: join(root, 'origin'),
    kvs: new LocalKeyValueStore({ initial: { [kvsKeys.signingSecret('k1')]: SECRET } }),
    trustedKeys: { K1: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    logDir: join(root, `logs-${++edges}`),
    logFlushIntervalMs: 0,
    clock: () => NOW,
    protectedPrefixes: [],
    cache: { maxEntries: 100, maxBytes: 1_000_000, defaultTtlSeconds: 60 },
    faults: {
      plan: () => {
        asked.count += 1;
        return plan;
      },
      wait: async (ms) => {
        waited.push(ms);
      },
      random,
    },
  });
  const get = async () => {
    const response = await fetch(`${edge?.url}/titles/t-1/book.epub?bbt=${token}`, {
      headers: { 'x-bb-device': 'dev-1' },
    });
    return { response, body: Buffer.from(await response.arrayBuffer()) };
  };
  return { asked, waited, get };
}

describe('Local edge under injected faults', () => {
  it('asks the fault plan once per request, however many points of the pipeline it touches', async () => {
    // Every part of the plan present, none rolled (0.99 is above each share): the key is found, the cached copy
    // is used once there is one, the origin is slow but answers, and the object leaves twice its size.
    const plan = { missingKeyP: 0.5, cacheBypassP: 0.5, originErrorP: 0.5, originDelayMs: 40, bytesX: 2 };
    const { asked, waited, get } = await edgeWith(plan, () => 0.99);
    const results = [await get(), await get(), await get()];
    expect(results.map((r) => r.response.headers.get('x-cache'))).toEqual([
      'Miss from cloudfront',
      'Hit from cloudfront',
      'Hit from cloudfront',
    ]);
    for (const { response, body } of results) {
      expect(response.status).toBe(200);
      expect(body.length).toBe(2 * BOOK.length);
    }
    expect(waited).toEqual([40 * 1.49]);
    expect(asked.count).toBe(3);
  });

  it("hides the signing key from that request's function run only, whatever the function awaits", async () => {
    const missing = await edgeWith({ missingKeyP: 0.5 }, () => 0);
    const refused = await missing.get();
    expect(refused.response.status).toBe(403);
    expect(refused.response.headers.get('x-bb-refused')).toBe('unknown_kid');
    expect(missing.asked.count).toBe(1);
    await edge?.close();
    // Without a plan the same request passes: the key store itself was never changed.
    const healthy = await edgeWith({}, () => 0);
    expect((await healthy.get()).response.status).toBe(200);
  });
});
