import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetIPSetCommand, UpdateIPSetCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AdminApiError, DeliveryAdminPort } from './delivery-admin-port.ts';
import type { Mitigation } from './types.ts';
import { RoutingMitigationPort, WafIpSetPort } from './waf-port.ts';

function mitigation(overrides: Partial<Mitigation>): Mitigation {
  return {
    id: 'mit_1',
    policy: 'p',
    action: 'revoke_token',
    target: { tokenId: 'tok_abcdefgh', accountId: 'acct-1' },
    params: {},
    decidedAt: '2026-11-02T10:00:00.000Z',
    expiresAt: '2026-11-02T11:00:00.000Z',
    reason: 'token_sharing matched p',
    evidence: {},
    detection: { kind: 'token_sharing', subject: {}, score: 0.9, firstSeen: '', detectedAt: '' },
    dryRun: false,
    ...overrides,
  } as Mitigation;
}

describe('Class: DeliveryAdminPort', () => {
  function recordingFetch(status = 200, body: unknown = {}) {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetch = (async (url: URL, init: RequestInit) => {
      calls.push({ url: String(url), init });
      return new Response(JSON.stringify(body), { status });
    }) as unknown as typeof globalThis.fetch;
    return { calls, fetch };
  }

  it('fails an action when the admin API hangs, instead of waiting for it', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const admin = new DeliveryAdminPort({
        apiUrl: `http://127.0.0.1:${port}`,
        bearerToken: async () => 'jwt',
        timeoutMs: 200,
      });
      await expect(admin.apply(mitigation({}))).rejects.toMatchObject({
        name: 'AdminApiError',
        code: 'timeout',
      });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('maps each action to its admin route with the mitigation id as idempotency key', async () => {
    const { calls, fetch } = recordingFetch();
    const port = new DeliveryAdminPort({ apiUrl: 'http://api.local', bearerToken: async () => 'jwt', fetch });
    await port.apply(mitigation({}));
    await port.apply(mitigation({ action: 'short_ttl', params: { ttlSeconds: 300 } }));
    await port.lift(mitigation({ action: 'force_reauth' }));
    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'POST http://api.local/v1/admin/tokens/tok_abcdefgh/revoke',
      'PUT http://api.local/v1/admin/accounts/acct-1/mitigations/short_ttl',
      'DELETE http://api.local/v1/admin/mitigations/forced_reauth%3Aacct-1',
    ]);
    const headers = calls[0]?.init.headers as Record<string, string>;
    expect(headers.authorization).toBe('Bearer jwt');
    expect(headers['idempotency-key']).toBe('mit_1');
    expect(JSON.parse(String(calls[1]?.init.body))).toMatchObject({ ttlSeconds: 300, durationSeconds: 3600 });
  });

  it('surfaces the API error code and refuses actions it cannot express', async () => {
    const { fetch } = recordingFetch(403, { error: { code: 'forbidden', message: 'needs role copilot' } });
    const port = new DeliveryAdminPort({ apiUrl: 'http://api.local', bearerToken: async () => 'jwt', fetch });
    await expect(port.apply(mitigation({}))).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    await expect(
      port.apply(mitigation({ action: 'block_ip', target: { ip: '192.0.2.1' } })),
    ).rejects.toBeInstanceOf(AdminApiError);
  });
});

describe('Class: WafIpSetPort', () => {
  const waf = mockClient(WAFV2Client);
  beforeEach(() => waf.reset());

  it('adds the address to the block set, retrying when another writer moved the lock token', async () => {
    waf.on(GetIPSetCommand).resolves({ IPSet: { Addresses: ['198.51.100.1/32'] } as never, LockToken: 'L1' });
    waf
      .on(UpdateIPSetCommand)
      .rejectsOnce(Object.assign(new Error('stale'), { name: 'WAFOptimisticLockException' }))
      .resolves({});
    const sets = {
      block: { name: 'blocked', id: 'b-1', scope: 'CLOUDFRONT' as const },
      rateLimit: { name: 'limited', id: 'r-1', scope: 'CLOUDFRONT' as const },
    };
    const port = new WafIpSetPort(new WAFV2Client({ region: 'us-east-1' }), sets);
    await port.apply(mitigation({ action: 'block_ip', target: { ip: '203.0.113.9' } }));
    const updates = waf.commandCalls(UpdateIPSetCommand);
    expect(updates).toHaveLength(2);
    expect(updates[1]?.args[0].input).toMatchObject({
      Id: 'b-1',
      Addresses: ['198.51.100.1/32', '203.0.113.9/32'],
      LockToken: 'L1',
    });
  });

  it('routes address-only targets to WAF and token or account targets to the admin API', async () => {
    const seen: string[] = [];
    const recorder = (name: string) => ({
      apply: async () => void seen.push(name),
      lift: async () => void seen.push(`${name}:lift`),
    });
    const port = new RoutingMitigationPort(recorder('admin'), recorder('waf'));
    await port.apply(mitigation({ action: 'rate_limit', target: { ip: '203.0.113.9' } }));
    await port.apply(mitigation({}));
    await port.lift(mitigation({ action: 'rate_limit', target: { accountId: 'acct-1' } }));
    expect(seen).toEqual(['waf', 'admin', 'admin:lift']);
  });
});
