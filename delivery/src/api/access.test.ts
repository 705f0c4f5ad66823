import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyEdgeToken, deviceHashOf } from '../token/edge-token.ts';
import { EDGE, type Harness, startHarness } from './test-support.ts';

let h: Harness;
const NOW = () => Math.floor(h.clock.nowMs / 1000);

beforeAll(async () => {
  h = await startHarness();
  await h.store.catalog.putCatalog(
    [
      { titleId: 't-001', name: 'One', format: 'epub', collections: ['c-sci'], releasedAt: 0 },
      { titleId: 't-002', name: 'Two', format: 'pdf', collections: ['c-sci'], releasedAt: 0 },
      { titleId: 't-003', name: 'Three', format: 'audio', collections: [], releasedAt: 0 },
    ],
    [],
  );
  await h.store.accounts.putAccount({ kind: 'reader', accountId: 'reader-1', name: 'Ada' });
  await h.store.catalog.putEntitlement({
    accountId: 'reader-1',
    target: { type: 'title', id: 't-001' },
    channel: 'b2c',
    startsAt: 0,
    grantedBy: 'store',
  });
  await h.store.catalog.putEntitlement({
    accountId: 'reader-1',
    target: { type: 'title', id: 't-003' },
    channel: 'b2c',
    startsAt: 0,
    expiresAt: NOW() - 60,
    grantedBy: 'store',
  });
});
afterAll(() => h.close());

async function readerWithDevice(sub: string, deviceId = 'phone-1') {
  const token = await h.token({ sub });
  const res = await h.invoke('POST /v1/devices', {
    token,
    body: { deviceId, name: 'Phone', platform: 'ios' },
  });
  expect([200, 201]).toContain(res.statusCode);
  return token;
}

describe('Route: POST /v1/access', () => {
  it('issues signed cookies and a device-bound edge token for an entitled reader', async () => {
    const token = await readerWithDevice('reader-1');
    const res = await h.invoke('POST /v1/access', { token, body: { titleId: 't-001', deviceId: 'phone-1' } });

    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({ titleId: 't-001', scope: '/titles/t-001/', channel: 'b2c' });
    expect(Object.keys(res.json.cookies).sort()).toEqual([
      'CloudFront-Key-Pair-Id',
      'CloudFront-Policy',
      'CloudFront-Signature',
    ]);
    const policy = JSON.parse(
      Buffer.from(
        res.json.cookies['CloudFront-Policy'].replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'),
        'base64',
      ).toString(),
    );
    expect(policy.Statement[0].Resource).toBe(`${EDGE}/titles/t-001/*`);
    expect(policy.Statement[0].Condition.DateLessThan['AWS:EpochTime']).toBe(NOW() + 3600);
    expect(res.cookies).toHaveLength(3);
    for (const cookie of res.cookies ?? []) expect(cookie).toContain('Path=/titles/t-001/');

    const claims = verifyEdgeToken(res.json.bbt, (kid) => h.deps.edgeTokens.secrets[kid], NOW());
    expect(claims).toMatchObject({
      kid: 'k2',
      accountId: 'reader-1',
      deviceHash: deviceHashOf('reader-1', 'phone-1'),
      scope: '/titles/t-001/',
      iat: NOW(),
      exp: NOW() + 3600,
      tokenId: res.json.tokenId,
    });
    expect(new Date(res.json.expiresAt).getTime() / 1000).toBe(NOW() + 3600);
    const record = await h.store.access.getToken(res.json.tokenId);
    expect(record).toMatchObject({ accountId: 'reader-1', deviceId: 'phone-1', titleId: 't-001', kid: 'k2' });
  });

  it('opens titles through a collection entitlement', async () => {
    await h.store.catalog.putEntitlement({
      accountId: 'reader-c',
      target: { type: 'collection', id: 'c-sci' },
      channel: 'b2c',
      startsAt: 0,
      grantedBy: 'store',
    });
    const token = await readerWithDevice('reader-c');
    const res = await h.invoke('POST /v1/access', { token, body: { titleId: 't-002', deviceId: 'phone-1' } });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['not entitled', 't-002', 'phone-1', 403, 'not_entitled'],
    ['entitlement expired', 't-003', 'phone-1', 403, 'entitlement_expired'],
    ['device not registered', 't-001', 'tablet-9', 403, 'device_not_registered'],
    ['unknown title', 't-404', 'phone-1', 404, 'not_found'],
  ])('refuses when %s', async (_case, titleId, deviceId, status, code) => {
    const token = await readerWithDevice('reader-1');
    const res = await h.invoke('POST /v1/access', { token, body: { titleId, deviceId } });
    expect(res.statusCode).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(res.json.bbt).toBeUndefined();
  });

  it('writes one request log line with the keys the SLO engine reads, and access metrics', async () => {
    const token = await readerWithDevice('reader-1');
    h.logs.get('delivery-grant-access')?.splice(0);
    await h.invoke('POST /v1/access', {
      token,
      body: { titleId: 't-002', deviceId: 'phone-1' },
      headers: { 'x-correlation-id': 'corr-123' },
    });
    const lines = (h.logs.get('delivery-grant-access') ?? []).map((l) => JSON.parse(l));
    const request = lines.find((l) => l.message === 'request');
    expect(request).toMatchObject({
      route: 'POST /v1/access',
      statusCode: 403,
      channel: 'b2c',
      correlation_id: 'corr-123',
      errorCode: 'not_entitled',
    });
    expect(typeof request.durationMs).toBe('number');
    const emf = lines.find((l) => l._aws?.CloudWatchMetrics?.[0]?.Metrics?.[0]?.Name === 'AccessDenied');
    expect(emf).toMatchObject({ reason: 'not_entitled', AccessDenied: 1 });
  });
});

describe('Edge token key rotation', () => {
  it('signs new tokens with the current kid while tokens of the previous kid still verify', async () => {
    const token = await readerWithDevice('reader-1');
    const res = await h.invoke('POST /v1/access', { token, body: { titleId: 't-001', deviceId: 'phone-1' } });
    expect(res.json.bbt.split('.')[1]).toBe('k2');
    const { issueEdgeToken } = await import('../token/edge-token.ts');
    const old = issueEdgeToken(
      {
        kid: 'k1',
        tokenId: 'old-token-1',
        accountId: 'reader-1',
        deviceHash: deviceHashOf('reader-1', 'p'),
        iat: NOW() - 10,
        exp: NOW() + 10,
        scope: '/titles/t-001/',
      },
      h.deps.edgeTokens.secrets.k1 as string,
    );
    expect(verifyEdgeToken(old, (kid) => h.deps.edgeTokens.secrets[kid], NOW()).kid).toBe('k1');
  });
});
