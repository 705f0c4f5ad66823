import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeliveryClient } from '@boundless/local/client';
import { startLocalDelivery } from '@boundless/local';
import { afterAll, describe, expect, it } from 'vitest';

// A data dir survives restarts: no second seed, same keys, so devices, JWTs and grants issued before stay valid.
const dataDir = mkdtempSync(join(tmpdir(), 'restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('Local delivery runtime: restart', () => {
  it('keeps data and keys across a restart and does not seed again', async () => {
    const first = await startLocalDelivery({ dataDir, lambda: { coldStartMs: 0 } });
    const before = new DeliveryClient(first.apiUrl, first.edgeUrl);
    const reader = first.demoUsers.find((user) => user.name === 'reader');
    const jwt = await before.localToken('reader');
    expect((await before.registerDevice(jwt, 'kept-across-restart')).status).toBe(201);
    const grant = (await before.access(jwt, reader?.titleId ?? '', 'kept-across-restart')).body;
    await first.close();

    // Same ports again, so cookies signed for the edge's URL before the restart still match it.
    const port = (url: string) => Number(new URL(url).port);
    const second = await startLocalDelivery({
      dataDir,
      apiPort: port(first.apiUrl),
      edgePort: port(first.edgeUrl),
      lambda: { coldStartMs: 0 },
    });
    try {
      const after = new DeliveryClient(second.apiUrl, second.edgeUrl);
      const listed = await after.call<{ devices: { deviceId: string }[] }>('GET', '/v1/devices', jwt);
      const asset = await after.asset(grant, reader?.assetPath ?? '', 'kept-across-restart');

      expect(second.demoUsers).toEqual(first.demoUsers);
      expect(listed.status).toBe(200);
      expect(listed.body.devices.map((device) => device.deviceId)).toContain('kept-across-restart');
      expect(asset.status).toBe(200);
    } finally {
      await second.close();
    }
  });
});
