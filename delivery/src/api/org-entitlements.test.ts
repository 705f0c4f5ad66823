import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './test-support.ts';

let h: Harness;
const CAMPUS_IP = '192.0.2.44';
const HOME_IP = '203.0.113.80';

beforeAll(async () => {
  h = await startHarness();
  await h.store.catalog.putCatalog(
    [
      { titleId: 'b-001', name: 'Anatomy', format: 'pdf', collections: ['c-med'], releasedAt: 0 },
      { titleId: 'b-002', name: 'Physiology', format: 'epub', collections: ['c-med'], releasedAt: 0 },
    ],
    [],
  );
  await h.store.accounts.putAccount({
    kind: 'organisation',
    accountId: 'org-uni',
    name: 'University',
    seats: 2,
    campusCidrs: ['192.0.2.0/24', '2001:db8:10::/48'],
  });
  await h.store.accounts.putAccount({
    kind: 'organisation',
    accountId: 'org-other',
    name: 'Other',
    seats: 5,
    campusCidrs: [],
  });
});
afterAll(() => h.close());

async function member(sub: string) {
  const token = await h.token({ sub, orgId: 'org-uni' });
  await h.invoke('POST /v1/devices', { token, body: { deviceId: 'laptop' } });
  return token;
}

const access = (token: string, titleId: string, sourceIp: string) =>
  h.invoke('POST /v1/access', { token, body: { titleId, deviceId: 'laptop' }, sourceIp });

describe('Route: POST /v1/orgs/{orgId}/entitlements', () => {
  it('lets an org admin grant a collection that members then open on campus only', async () => {
    const admin = await h.token({ sub: 'uni-admin', orgId: 'org-uni', groups: ['org_admin'] });
    const grant = await h.invoke('POST /v1/orgs/{orgId}/entitlements', {
      token: admin,
      params: { orgId: 'org-uni' },
      body: { collectionId: 'c-med' },
    });
    expect(grant.statusCode).toBe(201);
    expect(grant.json.entitlement).toMatchObject({ entitlementId: 'collection:c-med', channel: 'b2b' });

    const student = await member('student-1');
    const onCampus = await access(student, 'b-002', CAMPUS_IP);
    expect(onCampus.statusCode).toBe(200);
    expect(onCampus.json.channel).toBe('b2b');
    const atHome = await access(student, 'b-002', HOME_IP);
    expect(atHome.statusCode).toBe(403);
    expect(atHome.json.error.code).toBe('outside_campus');
    expect((await access(student, 'b-002', '2001:db8:10::7')).statusCode).toBe(200);
  });

  it('treats a retried grant as no change and audits it once', async () => {
    const admin = await h.token({ sub: 'uni-admin', orgId: 'org-uni', groups: ['org_admin'] });
    const body = { titleId: 'b-001', expiresAt: '2027-06-30T00:00:00Z' };
    const first = await h.invoke('POST /v1/orgs/{orgId}/entitlements', {
      token: admin,
      params: { orgId: 'org-uni' },
      body,
    });
    h.clock.nowMs += 5_000;
    const retry = await h.invoke('POST /v1/orgs/{orgId}/entitlements', {
      token: admin,
      params: { orgId: 'org-uni' },
      body,
    });
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(200);
    expect(retry.json.changed).toBe(false);
    const grants = (await h.store.audit.listBySubject('org-uni')).filter(
      (e) => e.action === 'entitlement.granted' && e.subject.titleId === 'b-001',
    );
    expect(grants).toHaveLength(1);
    expect(grants[0]?.actor).toBe('uni-admin');
  });

  it('refuses readers and administrators of another organisation', async () => {
    const reader = await h.token({ sub: 'student-x', orgId: 'org-uni' });
    const otherAdmin = await h.token({ sub: 'other-admin', orgId: 'org-other', groups: ['org_admin'] });
    const copilot = await h.token({ sub: 'copilot', groups: ['copilot'] });
    for (const token of [reader, otherAdmin, copilot]) {
      const res = await h.invoke('POST /v1/orgs/{orgId}/entitlements', {
        token,
        params: { orgId: 'org-uni' },
        body: { titleId: 'b-001' },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json.error.code).toBe('forbidden');
    }
  });

  it('validates the grant', async () => {
    const admin = await h.token({ sub: 'uni-admin', orgId: 'org-uni', groups: ['org_admin'] });
    const both = await h.invoke('POST /v1/orgs/{orgId}/entitlements', {
      token: admin,
      params: { orgId: 'org-uni' },
      body: { titleId: 'b-001', collectionId: 'c-med' },
    });
    expect(both.json.error.code).toBe('validation_failed');
    const missing = await h.invoke('POST /v1/orgs/{orgId}/entitlements', {
      token: admin,
      params: { orgId: 'org-uni' },
      body: { titleId: 'nope' },
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe('Organisation seats', () => {
  it('holds one seat per member and refuses members beyond the seat count', async () => {
    // student-1 took a seat above; org-uni has 2.
    expect((await access(await member('student-2'), 'b-001', CAMPUS_IP)).statusCode).toBe(200);
    expect((await access(await member('student-2'), 'b-002', CAMPUS_IP)).statusCode).toBe(200);
    const third = await access(await member('student-3'), 'b-001', CAMPUS_IP);
    expect(third.statusCode).toBe(409);
    expect(third.json.error.code).toBe('seats_exhausted');
  });
});

describe('Route: DELETE /v1/orgs/{orgId}/entitlements/{entitlementId}', () => {
  it('revokes for every member, idempotently', async () => {
    const admin = await h.token({ sub: 'uni-admin', orgId: 'org-uni', groups: ['org_admin'] });
    const params = { orgId: 'org-uni', entitlementId: 'collection:c-med' };
    const first = await h.invoke('DELETE /v1/orgs/{orgId}/entitlements/{entitlementId}', {
      token: admin,
      params,
    });
    const again = await h.invoke('DELETE /v1/orgs/{orgId}/entitlements/{entitlementId}', {
      token: admin,
      params,
    });
    expect([first.json.changed, again.json.changed]).toEqual([true, false]);
    const denied = await access(await member('student-1'), 'b-002', CAMPUS_IP);
    expect(denied.json.error.code).toBe('not_entitled');
    const list = await h.invoke('GET /v1/orgs/{orgId}/entitlements', {
      token: admin,
      params: { orgId: 'org-uni' },
    });
    expect(list.json.entitlements.map((e: { entitlementId: string }) => e.entitlementId)).toEqual([
      'title:b-001',
    ]);
  });
});
