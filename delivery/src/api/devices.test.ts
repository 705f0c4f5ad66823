import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './test-support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('Route: POST /v1/devices', () => {
  it('registers up to the limit, refuses the next, and is idempotent for a known device', async () => {
    const token = await h.token({ sub: 'reader-limit' });
    for (const deviceId of ['d1', 'd2', 'd3']) {
      const res = await h.invoke('POST /v1/devices', { token, body: { deviceId } });
      expect(res.statusCode).toBe(201);
    }
    const again = await h.invoke('POST /v1/devices', { token, body: { deviceId: 'd2' } });
    expect(again.statusCode).toBe(200);
    expect(again.json.created).toBe(false);

    const fourth = await h.invoke('POST /v1/devices', { token, body: { deviceId: 'd4' } });
    expect(fourth.statusCode).toBe(409);
    expect(fourth.json.error).toMatchObject({ code: 'device_limit_reached', details: { limit: 3 } });
  });

  it('never exceeds the limit under 20 parallel registrations of distinct devices', async () => {
    const token = await h.token({ sub: 'reader-race' });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.invoke('POST /v1/devices', { token, body: { deviceId: `race-${i}` } }),
      ),
    );
    const created = results.filter((r) => r.statusCode === 201);
    expect(created).toHaveLength(3);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(17);
    const list = await h.invoke('GET /v1/devices', { token });
    expect(list.json.devices).toHaveLength(3);
  });

  it('counts a device once when the same device registers 20 times in parallel', async () => {
    const token = await h.token({ sub: 'reader-same' });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => h.invoke('POST /v1/devices', { token, body: { deviceId: 'one' } })),
    );
    // Claims in flight for the same device may briefly fill the counter (409); none may count it twice.
    expect(results.every((r) => [200, 201, 409].includes(r.statusCode))).toBe(true);
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    for (const deviceId of ['two', 'three']) {
      expect((await h.invoke('POST /v1/devices', { token, body: { deviceId } })).statusCode).toBe(201);
    }
    expect((await h.invoke('POST /v1/devices', { token, body: { deviceId: 'four' } })).statusCode).toBe(409);
  });

  it("honours an account's own device limit", async () => {
    await h.store.accounts.putAccount({
      kind: 'reader',
      accountId: 'reader-family',
      name: 'F',
      deviceLimit: 5,
    });
    const token = await h.token({ sub: 'reader-family' });
    for (let i = 0; i < 5; i += 1) {
      expect((await h.invoke('POST /v1/devices', { token, body: { deviceId: `f${i}` } })).statusCode).toBe(
        201,
      );
    }
    expect((await h.invoke('POST /v1/devices', { token, body: { deviceId: 'f5' } })).statusCode).toBe(409);
    expect((await h.invoke('GET /v1/devices', { token })).json.limit).toBe(5);
  });
});

describe('Route: DELETE /v1/devices/{deviceId}', () => {
  it('frees a slot for a new device and audits both changes', async () => {
    const token = await h.token({ sub: 'reader-swap' });
    for (const deviceId of ['a', 'b', 'c']) await h.invoke('POST /v1/devices', { token, body: { deviceId } });
    const removed = await h.invoke('DELETE /v1/devices/{deviceId}', { token, params: { deviceId: 'b' } });
    expect(removed.statusCode).toBe(204);
    const gone = await h.invoke('DELETE /v1/devices/{deviceId}', { token, params: { deviceId: 'b' } });
    expect(gone.statusCode).toBe(404);
    expect((await h.invoke('POST /v1/devices', { token, body: { deviceId: 'd' } })).statusCode).toBe(201);
    expect((await h.invoke('POST /v1/devices', { token, body: { deviceId: 'e' } })).statusCode).toBe(409);

    const list = await h.invoke('GET /v1/devices', { token });
    expect(list.json.devices.map((d: { deviceId: string }) => d.deviceId).sort()).toEqual(['a', 'c', 'd']);
    const trail = await h.store.audit.listBySubject('reader-swap');
    expect(trail.map((e) => e.action).sort()).toEqual([
      'device.registered',
      'device.registered',
      'device.registered',
      'device.registered',
      'device.removed',
    ]);
  });

  it("cannot remove another account's device", async () => {
    const owner = await h.token({ sub: 'reader-owner' });
    await h.invoke('POST /v1/devices', { token: owner, body: { deviceId: 'mine' } });
    const other = await h.token({ sub: 'reader-other' });
    const res = await h.invoke('DELETE /v1/devices/{deviceId}', {
      token: other,
      params: { deviceId: 'mine' },
    });
    expect(res.statusCode).toBe(404);
    expect((await h.invoke('GET /v1/devices', { token: owner })).json.devices).toHaveLength(1);
  });
});
