import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Harness, startHarness } from './test-support.ts';

let h: Harness;
let copilot: string;
const NOW = () => Math.floor(h.clock.nowMs / 1000);

beforeAll(async () => {
  h = await startHarness();
  await h.store.catalog.putCatalog(
    [{ titleId: 'm-001', name: 'M', format: 'epub', collections: [], releasedAt: 0 }],
    [],
  );
  copilot = await h.token({ sub: 'copilot-svc', groups: ['copilot'] });
});
afterAll(() => h.close());

async function entitledReader(sub: string) {
  await h.store.catalog.putEntitlement({
    accountId: sub,
    target: { type: 'title', id: 'm-001' },
    channel: 'b2c',
    startsAt: 0,
    grantedBy: 'store',
  });
  const token = await h.token({ sub });
  await h.invoke('POST /v1/devices', { token, body: { deviceId: 'ipad' } });
  return token;
}
const open = (token: string) =>
  h.invoke('POST /v1/access', { token, body: { titleId: 'm-001', deviceId: 'ipad' } });

describe('Admin role checks', () => {
  it.each([
    ['POST /v1/admin/tokens/{tokenId}/revoke', { tokenId: 'abcdefgh12' }, { reason: 'x' }],
    ['POST /v1/admin/accounts/{accountId}/reauth', { accountId: 'r' }, { reason: 'x' }],
    ['PUT /v1/admin/accounts/{accountId}/mitigations/{kind}', { accountId: 'r', kind: 'short_ttl' }, {}],
    ['GET /v1/admin/mitigations', {}, undefined],
    ['DELETE /v1/admin/mitigations/{mitigationId}', { mitigationId: 'short_ttl:r' }, undefined],
    ['GET /v1/admin/audit', {}, undefined],
  ])('%s refuses readers and org admins', async (routeKey, params, body) => {
    for (const groups of [[], ['org_admin']] as const) {
      const token = await h.token({ sub: 'someone', groups: [...groups], orgId: 'org-1' });
      const res = await h.invoke(routeKey, { token, params, body });
      expect(res.statusCode).toBe(403);
      expect(res.json.error.code).toBe('forbidden');
    }
  });
});

describe('Mitigation: short TTL', () => {
  it('shortens new grants while active and stops once lifted', async () => {
    const reader = await entitledReader('reader-ttl');
    const set = await h.invoke('PUT /v1/admin/accounts/{accountId}/mitigations/{kind}', {
      token: copilot,
      params: { accountId: 'reader-ttl', kind: 'short_ttl' },
      body: { ttlSeconds: 300, durationSeconds: 3600, reason: 'token sharing suspected' },
    });
    expect(set.statusCode).toBe(201);
    const retry = await h.invoke('PUT /v1/admin/accounts/{accountId}/mitigations/{kind}', {
      token: copilot,
      params: { accountId: 'reader-ttl', kind: 'short_ttl' },
      body: { ttlSeconds: 300, durationSeconds: 3600, reason: 'token sharing suspected' },
    });
    expect([retry.statusCode, retry.json.changed]).toEqual([200, false]);

    const shortened = await open(reader);
    expect(new Date(shortened.json.expiresAt).getTime() / 1000).toBe(NOW() + 300);

    const listed = await h.invoke('GET /v1/admin/mitigations', { token: copilot });
    expect(listed.json.mitigations.map((m: { mitigationId: string }) => m.mitigationId)).toContain(
      'short_ttl:reader-ttl',
    );

    const lift = await h.invoke('DELETE /v1/admin/mitigations/{mitigationId}', {
      token: copilot,
      params: { mitigationId: 'short_ttl:reader-ttl' },
    });
    expect(lift.json.changed).toBe(true);
    expect(new Date((await open(reader)).json.expiresAt).getTime() / 1000).toBe(NOW() + 3600);

    const actions = (await h.store.audit.listBySubject('reader-ttl')).map((e) => e.action);
    expect(actions.filter((a) => a.startsWith('mitigation.')).sort()).toEqual([
      'mitigation.lifted',
      'mitigation.set',
    ]);
  });

  it('expires on its own', async () => {
    const reader = await entitledReader('reader-lapse');
    await h.invoke('PUT /v1/admin/accounts/{accountId}/mitigations/{kind}', {
      token: copilot,
      params: { accountId: 'reader-lapse', kind: 'short_ttl' },
      body: { ttlSeconds: 60, durationSeconds: 120, reason: 'probe' },
    });
    expect(new Date((await open(reader)).json.expiresAt).getTime() / 1000).toBe(NOW() + 60);
    h.clock.nowMs += 121_000;
    // Back to a full-length grant, which ends on a minute boundary.
    expect(new Date((await open(reader)).json.expiresAt).getTime() / 1000).toBe(
      Math.floor((NOW() + 3600) / 60) * 60,
    );
    const listed = await h.invoke('GET /v1/admin/mitigations', { token: copilot });
    expect(listed.json.mitigations.map((m: { mitigationId: string }) => m.mitigationId)).not.toContain(
      'short_ttl:reader-lapse',
    );
  });
});

describe('Mitigation: rate limit', () => {
  it('allows `limit` requests per window, then 429, and resets in the next window', async () => {
    const reader = await entitledReader('reader-rate');
    h.clock.nowMs = Math.ceil(h.clock.nowMs / 60_000) * 60_000;
    const set = await h.invoke('PUT /v1/admin/accounts/{accountId}/mitigations/{kind}', {
      token: copilot,
      params: { accountId: 'reader-rate', kind: 'rate_limit' },
      body: { limit: 2, windowSeconds: 60, durationSeconds: 600, reason: 'scraping' },
    });
    expect(set.statusCode).toBe(201);
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await open(reader)).statusCode);
    expect(statuses).toEqual([200, 200, 429, 429]);
    h.clock.nowMs += 60_000;
    expect((await open(reader)).statusCode).toBe(200);
    await h.invoke('DELETE /v1/admin/mitigations/{mitigationId}', {
      token: copilot,
      params: { mitigationId: 'rate_limit:reader-rate' },
    });
    for (let i = 0; i < 4; i += 1) expect((await open(reader)).statusCode).toBe(200);
  });

  it('rejects a rate limit without a limit', async () => {
    const res = await h.invoke('PUT /v1/admin/accounts/{accountId}/mitigations/{kind}', {
      token: copilot,
      params: { accountId: 'reader-rate', kind: 'rate_limit' },
      body: { durationSeconds: 600, reason: 'scraping' },
    });
    expect(res.json.error.code).toBe('validation_failed');
  });
});

describe('Mitigation: forced re-auth', () => {
  it('marks the edge, refuses sign-ins older than the mark, and replays a retried request', async () => {
    const stale = await entitledReader('reader-reauth');
    h.clock.nowMs += 10_000;
    const request = {
      token: copilot,
      params: { accountId: 'reader-reauth' },
      body: { reason: 'shared session' },
      headers: { 'idempotency-key': 'reauth-reader-reauth-1' },
    };
    const first = await h.invoke('POST /v1/admin/accounts/{accountId}/reauth', request);
    expect(first.statusCode).toBe(200);
    expect(await h.kvs.get('ra:reader-reauth')).toBe(String(NOW()));

    h.clock.nowMs += 30_000;
    const retry = await h.invoke('POST /v1/admin/accounts/{accountId}/reauth', request);
    expect(retry.json).toEqual(first.json);
    expect(retry.headers?.['idempotent-replayed']).toBe('true');
    expect(await h.kvs.get('ra:reader-reauth')).toBe(String(NOW() - 30));
    const reused = await h.invoke('POST /v1/admin/accounts/{accountId}/reauth', {
      ...request,
      body: { reason: 'other' },
    });
    expect(reused.json.error.code).toBe('idempotency_key_reused');

    const denied = await open(stale);
    expect([denied.statusCode, denied.json.error.code]).toEqual([401, 'reauth_required']);
    const fresh = await h.token({ sub: 'reader-reauth' });
    expect((await open(fresh)).statusCode).toBe(200);

    await h.invoke('DELETE /v1/admin/mitigations/{mitigationId}', {
      token: copilot,
      params: { mitigationId: 'forced_reauth:reader-reauth' },
    });
    expect(await h.kvs.get('ra:reader-reauth')).toBeUndefined();
    expect((await open(stale)).statusCode).toBe(200);
    const audits = (await h.store.audit.listBySubject('reader-reauth')).filter(
      (e) => e.action === 'account.reauth_forced',
    );
    expect(audits).toHaveLength(1);
  });
});

describe('Idempotency of admin actions', () => {
  const route = 'POST /v1/admin/accounts/{accountId}/reauth';
  const request = () => ({
    token: copilot,
    params: { accountId: 'reader-stuck' },
    body: { reason: 'shared session' },
    headers: { 'idempotency-key': 'reauth-reader-stuck-1' },
  });

  it("refuses a retry while the first runs, and runs it once the first invocation's time is up", async () => {
    // The first invocation stalls inside the action (its edge write never returns), as a crashed one would.
    const put = h.kvs.put.bind(h.kvs);
    let stalled = 0;
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    h.kvs.put = async (key, value) => {
      stalled++;
      await gate;
      return put(key, value);
    };
    try {
      const first = h.invoke(route, request());
      await vi.waitFor(() => expect(stalled).toBe(1));
      const retried = await h.invoke(route, request());
      expect([retried.statusCode, retried.json.error.code]).toEqual([409, 'idempotency_in_progress']);
      h.kvs.put = put;
      // The harness gives each invocation 30 s; past them the claim is free again, without waiting for a TTL.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
      const afterTimeout = await h.invoke(route, request());
      expect(afterTimeout.statusCode).toBe(200);
      expect(afterTimeout.headers?.['idempotent-replayed']).toBeUndefined();
      vi.useRealTimers();
      release();
      expect((await first).statusCode).toBe(200);
    } finally {
      vi.useRealTimers();
      h.kvs.put = put;
      release();
    }
  });

  it('frees the key when the action fails, so the retry runs it', async () => {
    const put = h.kvs.put.bind(h.kvs);
    h.kvs.put = async () => {
      throw new Error('edge store unreachable');
    };
    const failed = await h.invoke(route, { ...request(), headers: { 'idempotency-key': 'reauth-fails-1' } });
    h.kvs.put = put;
    expect(failed.statusCode).toBe(500);
    const retried = await h.invoke(route, { ...request(), headers: { 'idempotency-key': 'reauth-fails-1' } });
    expect(retried.statusCode).toBe(200);
    expect(retried.headers?.['idempotent-replayed']).toBeUndefined();
  });
});

describe('Token revocation', () => {
  it('writes rv:<tokenId> to the edge store, marks the token, and is idempotent', async () => {
    const reader = await entitledReader('reader-revoke');
    const { tokenId } = (await open(reader)).json;
    const revoke = () =>
      h.invoke('POST /v1/admin/tokens/{tokenId}/revoke', {
        token: copilot,
        params: { tokenId },
        body: { reason: 'shared' },
      });
    const first = await revoke();
    const second = await revoke();
    expect([first.json.changed, second.json.changed]).toEqual([true, false]);
    expect(await h.kvs.get(`rv:${tokenId}`)).toBe(String(NOW()));
    expect((await h.store.access.getToken(tokenId))?.revokedAt).toBe(NOW());

    const tokens = await h.invoke('GET /v1/admin/accounts/{accountId}/tokens', {
      token: copilot,
      params: { accountId: 'reader-revoke' },
    });
    expect(tokens.json.tokens[0]).toMatchObject({ tokenId, revokedAt: expect.any(String) });
    const day = new Date(h.clock.nowMs).toISOString().slice(0, 10);
    const trail = await h.invoke('GET /v1/admin/audit', { token: copilot, query: { day } });
    const revocations = trail.json.entries.filter((e: { action: string }) => e.action === 'token.revoked');
    expect(revocations).toHaveLength(1);
    expect(revocations[0]).toMatchObject({
      actor: 'copilot-svc',
      subject: { tokenId, accountId: 'reader-revoke' },
    });

    await h.invoke('DELETE /v1/admin/mitigations/{mitigationId}', {
      token: copilot,
      params: { mitigationId: `token_revoked:${tokenId}` },
    });
    expect(await h.kvs.get(`rv:${tokenId}`)).toBeUndefined();
    expect((await h.store.access.getToken(tokenId))?.revokedAt).toBeUndefined();
  });

  it('converges when a revocation is retried after failing half-way', async () => {
    const reader = await entitledReader('reader-halfway');
    const { tokenId } = (await open(reader)).json;
    const request = { token: copilot, params: { tokenId }, body: { reason: 'shared' } };
    const mark = vi
      .spyOn(h.store.access.constructor.prototype, 'revokeToken')
      .mockRejectedValueOnce(new Error('throttled'));
    const failed = await h.invoke('POST /v1/admin/tokens/{tokenId}/revoke', request);
    mark.mockRestore();
    expect(failed.statusCode).toBe(500);
    expect(await h.kvs.get(`rv:${tokenId}`)).toBeDefined();

    const retried = await h.invoke('POST /v1/admin/tokens/{tokenId}/revoke', request);
    expect([retried.statusCode, retried.json.changed]).toEqual([200, true]);
    const listed = await h.invoke('GET /v1/admin/mitigations', {
      token: copilot,
      query: { accountId: 'reader-halfway' },
    });
    expect(listed.json.mitigations.map((m: { mitigationId: string }) => m.mitigationId)).toEqual([
      `token_revoked:${tokenId}`,
    ]);
    const audits = (await h.store.audit.listBySubject('reader-halfway')).filter(
      (e) => e.action === 'token.revoked',
    );
    expect(audits).toHaveLength(1);
  });

  it('answers 404 for an unknown token', async () => {
    const res = await h.invoke('POST /v1/admin/tokens/{tokenId}/revoke', {
      token: copilot,
      params: { tokenId: 'NOSUCHTOKEN0' },
      body: { reason: 'x' },
    });
    expect(res.statusCode).toBe(404);
  });
});
