import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AccessGrant, DeliveryClient } from '@boundless/local/client';
import { type DemoUser, type LocalDelivery, startLocalDelivery } from '@boundless/local';
import { createDeliveryStore } from '@boundless/delivery/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The README walkthrough over real HTTP: dynalite, the Lambda emulation, the HTTP API adapter and the edge.
const dataDir = mkdtempSync(join(tmpdir(), 'walkthrough-'));
let delivery: LocalDelivery;
let client: DeliveryClient;
let reader: DemoUser & { titleId: string; assetPath: string; deviceId: string };
let admin: DemoUser;

beforeAll(async () => {
  delivery = await startLocalDelivery({ dataDir, lambda: { coldStartMs: 20 } });
  client = new DeliveryClient(delivery.apiUrl, delivery.edgeUrl);
  const found = delivery.demoUsers.find((user) => user.name === 'reader');
  const operator = delivery.demoUsers.find((user) => user.role === 'admin');
  if (!found?.titleId || !found.assetPath || !found.deviceId || !operator) {
    throw new Error('the seed must provide a reader with a title, an asset and a device, and an admin');
  }
  reader = { ...found, titleId: found.titleId, assetPath: found.assetPath, deviceId: found.deviceId };
  admin = operator;
});
afterAll(async () => {
  await delivery?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function grant(jwt: string, deviceId: string): Promise<AccessGrant> {
  const access = await client.access(jwt, reader.titleId, deviceId);
  expect(access.status, JSON.stringify(access.body)).toBe(200);
  return access.body;
}

/** A second B2C reader of the seeded population who bought the same title, on a device of their own. */
async function secondReader(): Promise<{ jwt: string; deviceId: string }> {
  const store = createDeliveryStore(delivery.dynamo.doc, delivery.dynamo.tableName);
  const target = { type: 'title' as const, id: reader.titleId };
  await store.catalog.putEntitlement({
    accountId: 'reader-002',
    target,
    channel: 'b2c',
    startsAt: 0,
    grantedBy: 'store',
  });
  const jwt = await delivery.tokenFor({ sub: 'reader-002' });
  const listed = await client.call<{ devices: { deviceId: string }[] }>('GET', '/v1/devices', jwt);
  const existing = listed.body.devices[0]?.deviceId;
  if (existing) return { jwt, deviceId: existing };
  expect((await client.registerDevice(jwt, 'reader-002-phone')).status).toBeLessThan(300);
  return { jwt, deviceId: 'reader-002-phone' };
}

describe('Local delivery: reader walkthrough', () => {
  it('opens a title on a registered device and downloads an asset through the edge, Miss then Hit', async () => {
    const jwt = await client.localToken(reader.name);
    const session = await grant(jwt, reader.deviceId);

    expect(session.scope).toBe(`/titles/${reader.titleId}/`);
    expect(session.bbt).toMatch(/^v1\./);
    const first = await client.asset(session, reader.assetPath, reader.deviceId);
    const second = await client.asset(session, reader.assetPath, reader.deviceId);

    expect(first.status).toBe(200);
    expect(first.body.equals(readFileSync(join(dataDir, 'origin', reader.assetPath)))).toBe(true);
    expect(second.body.equals(first.body)).toBe(true);
    expect(first.headers.get('x-cache')).toMatch(/^Miss/);
    expect(second.headers.get('x-cache')).toMatch(/^Hit/);
  });

  it('refuses the asset on another device than the one the token is bound to', async () => {
    const session = await grant(await client.localToken(reader.name), reader.deviceId);
    const elsewhere = await client.asset(session, reader.assetPath, 'someone-elses-device');
    expect(elsewhere.status).toBe(403);
  });

  it('refuses access on a device that was never registered', async () => {
    const refused = await client.access(
      await client.localToken(reader.name),
      reader.titleId,
      'unregistered-1',
    );
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'device_not_registered' } } });
  });

  it('refuses a device beyond the account limit and keeps the registered ones', async () => {
    const jwt = await client.localToken(reader.name);
    const answers = [];
    for (let index = 1; index <= 6; index += 1) {
      const answer = await client.registerDevice(jwt, `extra-device-${index}`);
      answers.push(answer);
      if (answer.status >= 400) break;
    }
    const refused = answers.at(-1);
    const listed = await client.call<{ devices: { deviceId: string }[]; limit: number }>(
      'GET',
      '/v1/devices',
      jwt,
    );
    const ids = listed.body.devices.map((device) => device.deviceId);

    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'device_limit_reached' } } });
    expect(ids).toHaveLength(listed.body.limit);
    expect(ids).toContain(reader.deviceId);
    expect(ids).not.toContain(`extra-device-${answers.length}`);
  });

  it('refuses a revoked token on its next request while another reader keeps working', async () => {
    const mine = await grant(await client.localToken(reader.name), reader.deviceId);
    const other = await secondReader();
    const theirs = await client.access(other.jwt, reader.titleId, other.deviceId);
    expect(theirs.status, JSON.stringify(theirs.body)).toBe(200);
    expect((await client.asset(mine, reader.assetPath, reader.deviceId)).status).toBe(200);

    const revoked = await client.revoke(
      await client.localToken(admin.name),
      mine.tokenId,
      'shared on a forum',
    );

    expect(revoked.status).toBeLessThan(300);
    expect((await client.asset(mine, reader.assetPath, reader.deviceId)).status).toBe(403);
    expect((await client.asset(theirs.body, reader.assetPath, other.deviceId)).status).toBe(200);
  });

  it('makes a reader sign in again after a forced re-auth', async () => {
    const stale = await delivery.tokenFor(reader.name, { issuedAt: Math.floor(Date.now() / 1000) - 120 });
    const forced = await client.forceReauth(
      await client.localToken(admin.name),
      reader.identity.sub,
      'account sharing',
    );
    const refused = await client.access(stale, reader.titleId, reader.deviceId);
    const fresh = await delivery.tokenFor(reader.name, { issuedAt: Math.floor(Date.now() / 1000) + 1 });
    const again = await client.access(fresh, reader.titleId, reader.deviceId);

    expect(forced.status).toBeLessThan(300);
    expect(refused).toMatchObject({ status: 401, body: { error: { code: 'reauth_required' } } });
    expect(again.status).toBe(200);
  });
});
