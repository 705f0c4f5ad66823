import { GetIPSetCommand, ListIPSetsCommand, UpdateIPSetCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { type Mitigation, WafIpSetPort } from '@boundless/copilot/mitigation';
import { IpSetRegistry, type LocalWaf, startLocalWaf } from '@boundless/local/waf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** The copilot's production WAF adapter, on the real AWS SDK client, against the local WAFv2 endpoint. */
let waf: LocalWaf;
let registry: IpSetRegistry;
let client: WAFV2Client;
let sets: {
  block: { name: string; id: string; scope: 'CLOUDFRONT' };
  rateLimit: { name: string; id: string; scope: 'CLOUDFRONT' };
};

function mitigation(action: Mitigation['action'], ip: string): Mitigation {
  return {
    id: `mit_${ip}`,
    policy: 'rate-limit-scraping-ip',
    action,
    target: { ip },
    params: { limit: 60, windowSeconds: 300 },
    decidedAt: '2026-11-02T10:00:00.000Z',
    expiresAt: '2026-11-02T11:00:00.000Z',
    reason: 'scraping matched rate-limit-scraping-ip',
    evidence: {},
    detection: { kind: 'scraping', subject: { ip }, score: 0.9, firstSeen: '', detectedAt: '' },
    dryRun: false,
  };
}

beforeEach(async () => {
  registry = new IpSetRegistry();
  const block = registry.ensure('boundless-blocked-addresses', 'CLOUDFRONT', 'IPV4');
  const rateLimit = registry.ensure('boundless-rate-limited-addresses', 'CLOUDFRONT', 'IPV4');
  sets = {
    block: { name: block.Name, id: block.Id, scope: 'CLOUDFRONT' },
    rateLimit: { name: rateLimit.Name, id: rateLimit.Id, scope: 'CLOUDFRONT' },
  };
  waf = await startLocalWaf({ registry });
  client = new WAFV2Client({
    endpoint: waf.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  client.destroy();
  await waf.close();
});

describe('Local WAFv2 endpoint', () => {
  it('takes a rate-limit and a block from the WAF adapter, and gives them back on lift', async () => {
    const port = new WafIpSetPort(client, sets);
    await port.apply(mitigation('rate_limit', '203.0.113.9'));
    await port.apply(mitigation('block_ip', '198.51.100.7'));
    expect(registry.contains(sets.rateLimit.id, '203.0.113.9')).toBe(true);
    expect(registry.contains(sets.block.id, '198.51.100.7')).toBe(true);
    expect(registry.contains(sets.block.id, '203.0.113.9')).toBe(false);
    await port.lift(mitigation('rate_limit', '203.0.113.9'));
    expect(registry.contains(sets.rateLimit.id, '203.0.113.9')).toBe(false);
    expect(registry.contains(sets.block.id, '198.51.100.7')).toBe(true);
  });

  it('keeps every address when several writers race: stale lock tokens are refused and retried', async () => {
    const port = new WafIpSetPort(client, sets, 8);
    const addresses = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5'];
    await Promise.all(addresses.map((ip) => port.apply(mitigation('rate_limit', ip))));
    const { IPSet } = await client.send(
      new GetIPSetCommand({ Name: sets.rateLimit.name, Id: sets.rateLimit.id, Scope: 'CLOUDFRONT' }),
    );
    expect(IPSet?.Addresses?.sort()).toEqual(addresses.map((ip) => `${ip}/32`));
  });

  it('answers with the exceptions AWS WAF names, which the SDK surfaces as error names', async () => {
    const { LockToken } = await client.send(
      new GetIPSetCommand({ Name: sets.block.name, Id: sets.block.id, Scope: 'CLOUDFRONT' }),
    );
    const update = (Addresses: string[], Lock = LockToken) =>
      client.send(
        new UpdateIPSetCommand({
          Name: sets.block.name,
          Id: sets.block.id,
          Scope: 'CLOUDFRONT',
          Addresses,
          LockToken: Lock,
        }),
      );
    await expect(update(['not-an-address'])).rejects.toMatchObject({ name: 'WAFInvalidParameterException' });
    await expect(update([], 'stale-token')).rejects.toMatchObject({ name: 'WAFOptimisticLockException' });
    await expect(
      client.send(new GetIPSetCommand({ Name: 'nope', Id: sets.block.id, Scope: 'CLOUDFRONT' })),
    ).rejects.toMatchObject({ name: 'WAFNonexistentItemException' });
    const listed = await client.send(new ListIPSetsCommand({ Scope: 'CLOUDFRONT' }));
    expect(listed.IPSets?.map((s) => s.Name)).toEqual([
      'boundless-blocked-addresses',
      'boundless-rate-limited-addresses',
    ]);
  });

  it('refuses malformed bodies and operations it does not serve without failing', async () => {
    const post = (target: string, body: string) =>
      fetch(waf.url, {
        method: 'POST',
        headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
        body,
      });
    const malformed = await post('AWSWAF_20190729.GetIPSet', '{"Name":');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
    const unknown = await post('AWSWAF_20190729.DeleteWebACL', '{}');
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const array = await post('AWSWAF_20190729.ListIPSets', '[]');
    expect(await array.json()).toMatchObject({ __type: 'SerializationException' });
    const badScope = await post('AWSWAF_20190729.ListIPSets', '{"Scope":"GLOBAL"}');
    expect(await badScope.json()).toMatchObject({ __type: 'WAFInvalidParameterException' });
  });
});
