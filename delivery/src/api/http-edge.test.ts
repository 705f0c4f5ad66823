import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Harness, startHarness } from './test-support.ts';

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startHarness({ maxBodyBytes: 1024, maxHeaderBytes: 4096 });
  token = await h.token({ sub: 'reader-edge' });
});
afterAll(() => h.close());

const register = (request: Parameters<Harness['invoke']>[1]) =>
  h.invoke('POST /v1/devices', { token, ...request });

describe('Request validation at the edge of every handler', () => {
  it('refuses a missing or malformed bearer token with 401 and a challenge', async () => {
    for (const authorization of [undefined, 'Basic abc', 'Bearer not a jwt', 'Bearer a.b.c']) {
      const res = await h.invoke('GET /v1/devices', authorization ? { headers: { authorization } } : {});
      expect(res.statusCode).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
      expect(res.headers?.['www-authenticate']).toContain('Bearer');
    }
  });

  it('refuses malformed JSON', async () => {
    const res = await register({ rawBody: '{"deviceId": ' });
    expect([res.statusCode, res.json.error.code]).toEqual([400, 'validation_failed']);
  });

  it('names the invalid fields without echoing their values', async () => {
    const res = await register({ body: { deviceId: 'x'.repeat(65) + '<script>', extra: true } });
    expect(res.json.error.code).toBe('validation_failed');
    const paths = res.json.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toContain('deviceId');
    expect(res.body).not.toContain('<script>');
  });

  it('refuses oversized bodies before parsing them', async () => {
    const res = await register({ rawBody: JSON.stringify({ deviceId: 'a', name: 'n'.repeat(2000) }) });
    expect([res.statusCode, res.json.error.code]).toEqual([413, 'payload_too_large']);
  });

  it('counts decoded bytes of base64 bodies', async () => {
    const route = h.routes.find((r) => r.routeKey === 'POST /v1/devices');
    const { httpApiEvent, lambdaContext } = await import('./test-support.ts');
    const event = httpApiEvent(
      'POST /v1/devices',
      { token, body: { deviceId: 'b64-device' } },
      h.clock.nowMs,
    );
    event.body = Buffer.from(event.body ?? '').toString('base64');
    event.isBase64Encoded = true;
    const res = await route?.handler(event, lambdaContext('delivery-register-device'));
    expect(typeof res === 'object' && res.statusCode).toBe(201);
  });

  it('refuses oversized headers', async () => {
    const res = await register({ body: { deviceId: 'a' }, headers: { 'x-padding': 'p'.repeat(5000) } });
    expect([res.statusCode, res.json.error.code]).toEqual([431, 'headers_too_large']);
  });

  it('refuses bodies that are not JSON', async () => {
    const res = await register({
      rawBody: 'deviceId=a',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([res.statusCode, res.json.error.code]).toEqual([415, 'unsupported_media_type']);
  });

  it('validates path parameters', async () => {
    const res = await h.invoke('DELETE /v1/devices/{deviceId}', { token, params: { deviceId: '../etc' } });
    expect([res.statusCode, res.json.error.code]).toEqual([400, 'validation_failed']);
  });

  it('answers 500 with a fixed message, keeping internals in the log only', async () => {
    const send = vi
      .spyOn(h.deps.dynamo.doc, 'send')
      .mockRejectedValueOnce(
        new Error('AccessDenied on arn:aws:dynamodb:eu-west-1:123:table/delivery') as never,
      );
    const res = await h.invoke('GET /v1/devices', { token, headers: { 'x-correlation-id': 'boom-1' } });
    send.mockRestore();
    expect(res.statusCode).toBe(500);
    expect(res.json).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(res.headers?.['x-correlation-id']).toBe('boom-1');
    const lines = (h.logs.get('delivery-list-devices') ?? []).map((l) => JSON.parse(l));
    expect(lines.find((l) => l.level === 'ERROR' && l.correlation_id === 'boom-1')).toBeDefined();
    expect(lines.find((l) => l.message === 'request' && l.correlation_id === 'boom-1')).toMatchObject({
      statusCode: 500,
    });
  });

  it('ignores a correlation id that is not a safe token and uses the request id instead', async () => {
    const res = await h.invoke('GET /v1/devices', {
      token,
      headers: { 'x-correlation-id': 'bad id\nwith newline' },
    });
    expect(res.headers?.['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('Request log line', () => {
  it('carries the channel for reader traffic only', async () => {
    const member = await h.token({ sub: 'member-log', orgId: 'org-log' });
    await h.invoke('GET /v1/devices', { token: member, headers: { 'x-correlation-id': 'chan-reader' } });
    const copilot = await h.token({ sub: 'copilot', groups: ['copilot'] });
    await h.invoke('GET /v1/admin/mitigations', {
      token: copilot,
      headers: { 'x-correlation-id': 'chan-admin' },
    });
    const lines = [...h.logs.values()].flat().map((l) => JSON.parse(l));
    const reader = lines.find((l) => l.message === 'request' && l.correlation_id === 'chan-reader');
    const admin = lines.find((l) => l.message === 'request' && l.correlation_id === 'chan-admin');
    expect(reader).toMatchObject({ route: 'GET /v1/devices', statusCode: 200, channel: 'b2b' });
    expect(admin).toMatchObject({ route: 'GET /v1/admin/mitigations', statusCode: 200 });
    expect(admin.channel).toBeUndefined();
  });
});
