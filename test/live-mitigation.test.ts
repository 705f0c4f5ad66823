import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredMitigation } from '@boundless/copilot/service/events';
import { driveEdgeLive } from '@boundless/datasets/sim/live-driver';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessFor,
  byTime,
  type LiveReader,
  type LiveStack,
  readerRequests,
  startLiveStack,
} from './support/live-copilot.ts';

// The detection -> mitigation loop over real HTTP: readers and a scraper through the local edge, the copilot
// reading the edge's logs, revoking the scraper's token through the admin API, and an on-call rollback.
const dataDir = mkdtempSync(join(tmpdir(), 'live-mitigation-'));
let stack: LiveStack;
let readers: LiveReader[];
let scraper: LiveReader;

beforeAll(async () => {
  stack = await startLiveStack(dataDir);
  const [abuser, ...legit] = await Promise.all(stack.candidates.slice(0, 5).map((id) => stack.grantFor(id)));
  scraper = abuser as LiveReader;
  readers = legit;
}, 120_000);

afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function nextApplied(token: string, tokenId: string, deadlineMs: number): Promise<StoredMitigation> {
  const socket = connect(stack.copilot.url, { auth: { token }, transports: ['websocket'] });
  return new Promise<StoredMitigation>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no mitigation for ${tokenId} within ${deadlineMs} ms`)),
      deadlineMs,
    );
    socket.on('mitigation.applied', (m: StoredMitigation) => {
      if (m.target.tokenId !== tokenId || m.status !== 'active') return;
      clearTimeout(timer);
      resolve(m);
    });
    socket.on('connect_error', (error) => reject(error));
  }).finally(() => socket.close());
}

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

async function fetchAs(reader: LiveReader): Promise<number> {
  const url = new URL(`${reader.grant.scope}${reader.assets[0]}`, stack.delivery.edgeUrl);
  url.searchParams.set('bbt', reader.grant.bbt);
  const cookie = Object.entries(reader.grant.cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  const response = await fetch(url, { headers: { 'x-bb-device': reader.deviceId, cookie } });
  await response.arrayBuffer();
  return response.status;
}

describe('Live loop: detection to mitigation against the local edge', () => {
  it('revokes a scraper’s token while readers keep reading, and an on-call rollback restores it', async () => {
    expect(await fetchAs(readers[0] as LiveReader)).toBe(200);
    const viewer = await stack.copilot.operatorToken('viewer');
    const applied = nextApplied(viewer, scraper.grant.tokenId, 60_000);
    const start = Date.now();
    const attack = byTime(
      readerRequests(scraper, { startMs: start, count: 200, gapMs: 15, scraper: true }),
      ...readers.map((r, i) => readerRequests(r, { startMs: start + i * 50, count: 8, gapMs: 400 })),
    );
    const first = await driveEdgeLive({
      edgeUrl: stack.delivery.edgeUrl,
      obtainAccess: accessFor([scraper, ...readers]),
      requests: attack,
      speedup: 1,
      // In-order arrival keeps the scraper's signals where its script puts them (see readerRequests).
      concurrency: 2,
    });
    for (const r of readers)
      expect(first.actors[`reader:${r.accountId}`]).toMatchObject({ refused: 0, other: 0 });

    const mitigation = await applied;
    expect(mitigation).toMatchObject({ action: 'revoke_token', policy: 'revoke-shared-token' });
    expect(mitigation.detection.kind).toBe('scraping');

    const after = await driveEdgeLive({
      edgeUrl: stack.delivery.edgeUrl,
      obtainAccess: accessFor([scraper, ...readers]),
      requests: byTime(
        readerRequests(scraper, { startMs: 0, count: 10, gapMs: 20, scraper: true }),
        ...readers.map((r) => readerRequests(r, { startMs: 0, count: 3, gapMs: 100 })),
      ),
      speedup: 1,
      concurrency: 4,
    });
    expect(after.actors[`abuse:${scraper.accountId}`]).toMatchObject({ served: 0, refused: 10 });
    for (const r of readers)
      expect(after.actors[`reader:${r.accountId}`]).toMatchObject({ served: 3, refused: 0 });
    expect(await fetchAs(scraper)).toBe(403);

    const stored = await stack.copilot.store.getMitigation(mitigation.id);
    expect(stored?.status).toBe('active');
    const day = mitigation.decidedAt.slice(0, 10);
    const audit = await api<{ entries: { action: string; detail: { mitigationId?: string } }[] }>(
      `/api/audit?day=${day}`,
      viewer,
    );
    expect(audit.body.entries).toContainEqual(
      expect.objectContaining({
        action: 'revoke_token:active',
        detail: expect.objectContaining({ mitigationId: mitigation.id }),
      }),
    );
    const findings = await api<{ findings: { kind: string; subject: { tokenId?: string } }[] }>(
      '/api/findings?kind=scraping',
      viewer,
    );
    expect(findings.body.findings.filter((f) => f.subject.tokenId === scraper.grant.tokenId)).toHaveLength(1);

    const onCall = await stack.copilot.operatorToken('on_call');
    const rollback = await api<{ mitigation: StoredMitigation }>(
      `/api/mitigations/${mitigation.id}/rollback`,
      onCall,
      {
        method: 'POST',
        body: JSON.stringify({ reason: 'integration test: false positive' }),
      },
    );
    expect(rollback.status).toBe(200);
    expect(rollback.body.mitigation.status).toBe('rolled_back');
    expect(await fetchAs(scraper)).toBe(200);
    const afterRollback = await api<{ entries: { action: string; actor: string }[] }>(
      `/api/audit?day=${new Date().toISOString().slice(0, 10)}`,
      viewer,
    );
    expect(afterRollback.body.entries).toContainEqual(
      expect.objectContaining({ action: 'revoke_token:rolled_back', actor: 'user:on-call-operator' }),
    );
  }, 120_000);
});
