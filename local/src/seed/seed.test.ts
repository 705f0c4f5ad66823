import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '@boundless/delivery/testing';
import { generateCatalog } from './catalog.ts';
import { type SeedSummary, seedDelivery } from './seed.ts';

let h: Harness;
let summary: SeedSummary;
const originDir = mkdtempSync(join(tmpdir(), 'boundless-origin-'));

beforeAll(async () => {
  h = await startHarness();
  summary = await seedDelivery({
    doc: h.deps.dynamo.doc,
    tableName: h.deps.dynamo.tableName,
    originDir,
    seed: 7,
    titles: 40,
    readers: 20,
    now: Math.floor(h.clock.nowMs / 1000),
  });
});
afterAll(async () => {
  await h.close();
  rmSync(originDir, { recursive: true, force: true });
});

describe('Function: generateCatalog', () => {
  it('is deterministic per seed and varies across seeds', () => {
    const a = generateCatalog(1, 20, 1_800_000_000);
    const b = generateCatalog(1, 20, 1_800_000_000);
    const c = generateCatalog(2, 20, 1_800_000_000);
    expect(a.assets.map((x) => x.body.toString('base64'))).toEqual(
      b.assets.map((x) => x.body.toString('base64')),
    );
    expect(a.titles).toEqual(b.titles);
    expect(c.titles).not.toEqual(a.titles);
  });

  it('covers every format with matching file types', () => {
    const { titles, assets } = generateCatalog(3, 200, 1_800_000_000);
    expect(new Set(titles.map((t) => t.format))).toEqual(
      new Set(['epub', 'pdf', 'audio', 'interactive', 'images']),
    );
    const pdf = assets.find((a) => a.name === 'book.pdf');
    expect(pdf?.body.subarray(0, 5).toString()).toBe('%PDF-');
    expect(new Set(assets.map((a) => a.contentType))).toContain('audio/mpeg');
  });
});

describe('Function: seedDelivery', () => {
  it('writes every asset file at its object key with the recorded size', () => {
    expect(summary).toMatchObject({ titles: 40, organisations: expect.any(Array) });
    expect(summary.readers).toBe(20 + 40 + 20 + 15);
    const assets = generateCatalog(7, 40, Math.floor(h.clock.nowMs / 1000)).assets;
    for (const asset of assets.slice(0, 10)) {
      expect(statSync(join(originDir, asset.objectKey)).size).toBe(asset.size);
    }
    expect(summary.contentBytes).toBe(assets.reduce((sum, a) => sum + a.size, 0));
  });

  it('returns demo identities that work against the access API as described', async () => {
    const reader = summary.identities.find((i) => i.name === 'reader');
    const token = await h.token(reader?.user ?? { sub: 'x' });
    const granted = await h.invoke('POST /v1/access', {
      token,
      body: { titleId: reader?.titleId, deviceId: reader?.deviceId },
    });
    expect(granted.statusCode).toBe(200);
    expect(readFileSync(join(originDir, (reader?.assetPath ?? '').slice(1))).length).toBeGreaterThan(0);
    expect((await h.invoke('GET /v1/devices', { token })).json.devices).toHaveLength(2);

    const student = summary.identities.find((i) => i.name === 'student');
    const studentToken = await h.token(student?.user ?? { sub: 'x' });
    const body = { titleId: student?.titleId, deviceId: student?.deviceId };
    const onCampus = await h.invoke('POST /v1/access', {
      token: studentToken,
      body,
      sourceIp: student?.sourceIp,
    });
    expect([onCampus.statusCode, onCampus.json.channel]).toEqual([200, 'b2b']);

    const admin = summary.identities.find((i) => i.name === 'org-admin');
    const adminToken = await h.token(admin?.user ?? { sub: 'x' });
    const list = await h.invoke('GET /v1/orgs/{orgId}/entitlements', {
      token: adminToken,
      params: { orgId: admin?.user.orgId ?? '' },
    });
    expect(list.json.entitlements.length).toBeGreaterThan(0);

    const copilot = summary.identities.find((i) => i.name === 'copilot');
    const copilotToken = await h.token(copilot?.user ?? { sub: 'x' });
    expect((await h.invoke('GET /v1/admin/mitigations', { token: copilotToken })).statusCode).toBe(200);
  });

  it('keeps device counters consistent with the seeded devices', async () => {
    const token = await h.token({ sub: 'reader-001' });
    expect((await h.invoke('POST /v1/devices', { token, body: { deviceId: 'third' } })).statusCode).toBe(201);
    expect((await h.invoke('POST /v1/devices', { token, body: { deviceId: 'fourth' } })).statusCode).toBe(
      409,
    );
  });
});
