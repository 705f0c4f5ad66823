import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './test-support.ts';

// The copilot in AWS calls the admin routes with a Cognito client-credentials token: its own app client, the
// `boundless-delivery/admin` scope, no groups. The grant maps exactly that to the `copilot` role.
const COPILOT_CLIENT = 'copilotservice0client0id01';
const SCOPE = 'boundless-delivery/admin';
let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    {},
    { serviceClients: [{ clientId: COPILOT_CLIENT, scope: SCOPE, role: 'copilot' }] },
  );
});
afterAll(() => h.close());

const serviceToken = (clientId: string, scopes: string[], issuedAt?: number) =>
  h.issuer.issueClientCredentials({ clientId, scopes, ...(issuedAt ? { issuedAt } : {}) });

describe("Admin routes and the copilot's service token", () => {
  it('sets and lists mitigations with it, audited under the client id', async () => {
    const token = await serviceToken(COPILOT_CLIENT, [SCOPE]);
    const set = await h.invoke('PUT /v1/admin/accounts/{accountId}/mitigations/{kind}', {
      token,
      params: { accountId: 'reader-svc', kind: 'short_ttl' },
      body: { ttlSeconds: 300, durationSeconds: 3600, reason: 'token sharing suspected' },
    });
    expect(set.statusCode).toBe(201);
    const listed = await h.invoke('GET /v1/admin/mitigations', { token });
    expect(listed.statusCode).toBe(200);
    expect(JSON.stringify(listed.json)).toContain('reader-svc');
    const audit = await h.invoke('GET /v1/admin/audit', { token, query: { subject: 'reader-svc' } });
    expect(audit.statusCode).toBe(200);
    expect(JSON.stringify(audit.json)).toContain(COPILOT_CLIENT);
  });

  it('refuses the token of another client with the same scope (401), and one without the scope (401)', async () => {
    for (const token of [
      await serviceToken('someotherclient', [SCOPE]),
      await serviceToken(COPILOT_CLIENT, []),
    ]) {
      const res = await h.invoke('GET /v1/admin/mitigations', { token });
      expect(res.statusCode).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
    }
  });

  it('refuses an expired service token', async () => {
    const stale = await serviceToken(COPILOT_CLIENT, [SCOPE], Math.floor(h.clock.nowMs / 1000) - 7200);
    const res = await h.invoke('GET /v1/admin/mitigations', { token: stale });
    expect(res.statusCode).toBe(401);
  });
});
