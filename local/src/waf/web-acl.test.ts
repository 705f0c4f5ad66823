import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IpSetRegistry, WafError } from './ip-sets.ts';
import { WebAcl, type WebAclRule } from './web-acl.ts';

const T0 = Date.UTC(2027, 0, 4, 10, 0, 0);
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(limit = 10, windowSeconds: 60 | 300 = 60) {
  const registry = new IpSetRegistry();
  const blocked = registry.ensure('blocked', 'CLOUDFRONT', 'IPV4');
  const limited = registry.ensure('limited', 'CLOUDFRONT', 'IPV4');
  const rules: WebAclRule[] = [
    { name: 'block-listed', kind: 'ip_set_block', ipSetId: blocked.Id },
    { name: 'rate-listed', kind: 'rate_limit', ipSetId: limited.Id, limit, windowSeconds },
  ];
  const acl = new WebAcl(registry, rules);
  const put = (name: 'blocked' | 'limited', addresses: string[]) => {
    const set = registry.get({
      Name: name,
      Id: name === 'blocked' ? blocked.Id : limited.Id,
      Scope: 'CLOUDFRONT',
    });
    registry.update({ ...set, Addresses: addresses, LockToken: set.LockToken });
  };
  return { registry, acl, put };
}

function wafCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof WafError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('Class: IpSetRegistry', () => {
  it('updates only with the lock token last read, and hands out a new one each time', () => {
    const registry = new IpSetRegistry();
    const { Id, LockToken } = registry.create({
      Name: 'suspects',
      Scope: 'CLOUDFRONT',
      IPAddressVersion: 'IPV4',
      Addresses: [],
    });
    const ref = { Name: 'suspects', Id, Scope: 'CLOUDFRONT' as const };
    const next = registry.update({ ...ref, Addresses: ['192.0.2.44/32'], LockToken });
    expect(next).not.toBe(LockToken);
    expect(registry.get(ref).Addresses).toEqual(['192.0.2.44/32']);
    expect(wafCode(() => registry.update({ ...ref, Addresses: [], LockToken }))).toBe(
      'WAFOptimisticLockException',
    );
    expect(registry.get(ref).Addresses).toEqual(['192.0.2.44/32']);
  });

  it('refuses bare addresses, other IP versions, /0, duplicates names and unknown sets with WAF errors', () => {
    const registry = new IpSetRegistry();
    const base = { Name: 'v4', Scope: 'CLOUDFRONT' as const, IPAddressVersion: 'IPV4' as const };
    expect(wafCode(() => registry.create({ ...base, Addresses: ['192.0.2.44'] }))).toBe(
      'WAFInvalidParameterException',
    );
    expect(wafCode(() => registry.create({ ...base, Addresses: ['2001:db8::1/128'] }))).toBe(
      'WAFInvalidParameterException',
    );
    expect(wafCode(() => registry.create({ ...base, Addresses: ['0.0.0.0/0'] }))).toBe(
      'WAFInvalidParameterException',
    );
    expect(wafCode(() => registry.create({ ...base, Name: 'bad name!', Addresses: [] }))).toBe(
      'WAFInvalidParameterException',
    );
    registry.create({ ...base, Addresses: [] });
    expect(wafCode(() => registry.create({ ...base, Addresses: [] }))).toBe('WAFDuplicateItemException');
    expect(wafCode(() => registry.get({ Name: 'v4', Id: 'nope', Scope: 'CLOUDFRONT' }))).toBe(
      'WAFNonexistentItemException',
    );
    expect(
      wafCode(() =>
        registry.create({
          ...base,
          Name: 'big',
          Addresses: Array.from({ length: 10_001 }, (_, i) => `10.0.${i >> 8}.${i & 255}/32`),
        }),
      ),
    ).toBe('WAFLimitsExceededException');
  });

  it('keeps its sets across restarts in its file, and names a corrupt file instead of starting empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-ipsets-'));
    dirs.push(dir);
    const file = join(dir, 'ip-sets.json');
    const first = new IpSetRegistry({ file });
    const { Id, LockToken } = first.ensure('blocked', 'CLOUDFRONT', 'IPV4');
    first.update({ Name: 'blocked', Id, Scope: 'CLOUDFRONT', Addresses: ['198.51.100.0/24'], LockToken });
    const again = new IpSetRegistry({ file });
    expect(again.ensure('blocked', 'CLOUDFRONT', 'IPV4').Id).toBe(Id);
    expect(again.contains(Id, '198.51.100.7')).toBe(true);
    expect(again.contains(Id, '198.51.101.7')).toBe(false);
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 40));
    expect(() => new IpSetRegistry({ file })).toThrow(/not valid; fix or delete it/);
  });
});

describe('Class: WebAcl', () => {
  it('blocks every request of an address in the blocked set, and only those', () => {
    const { acl, put } = setup();
    put('blocked', ['203.0.113.0/24']);
    expect(acl.evaluate('203.0.113.9', T0)).toEqual({
      blocked: true,
      rule: 'block-listed',
      kind: 'ip_set_block',
    });
    expect(acl.evaluate('203.0.114.9', T0)).toEqual({ blocked: false });
    expect(acl.evaluate('not an address', T0)).toEqual({ blocked: false });
  });

  it('lets a rate-limited address through up to the limit in the window, then blocks it until its rate falls', () => {
    const { acl, put } = setup(10, 60);
    put('limited', ['198.51.100.7/32']);
    const verdicts = Array.from(
      { length: 12 },
      (_, i) => acl.evaluate('198.51.100.7', T0 + i * 1000).blocked,
    );
    expect(verdicts).toEqual([...Array(10).fill(false), true, true]);
    // Another address, even in the same /24, is not counted.
    expect(acl.evaluate('198.51.100.8', T0 + 12_000).blocked).toBe(false);
    // Still within 60 s of the burst: blocked (the blocked requests count too, as in WAF).
    expect(acl.evaluate('198.51.100.7', T0 + 50_000).blocked).toBe(true);
    // Once the whole burst has left the window the address is served again.
    expect(acl.evaluate('198.51.100.7', T0 + 130_000).blocked).toBe(false);
  });

  it('counts in 10-second buckets over a sliding window: old buckets drop out one by one', () => {
    const { acl, put } = setup(10, 60);
    put('limited', ['198.51.100.7/32']);
    // 6 requests at 0 s and 5 at 30 s: 11 in the window at 30 s → blocked.
    for (let i = 0; i < 6; i++) acl.evaluate('198.51.100.7', T0);
    for (let i = 0; i < 4; i++) expect(acl.evaluate('198.51.100.7', T0 + 30_000).blocked).toBe(false);
    expect(acl.evaluate('198.51.100.7', T0 + 30_000).blocked).toBe(true);
    // At 60 s the bucket of 0 s has left the 60 s window: 5 (+1) remain.
    expect(acl.evaluate('198.51.100.7', T0 + 60_000).blocked).toBe(false);
  });

  it('stops counting an address taken out of the set, and starts from zero when it comes back', () => {
    const { acl, put } = setup(10, 60);
    put('limited', ['198.51.100.7/32']);
    for (let i = 0; i < 11; i++) acl.evaluate('198.51.100.7', T0);
    expect(acl.evaluate('198.51.100.7', T0).blocked).toBe(true);
    expect(acl.trackedAddresses()).toBe(1);
    put('limited', []);
    expect(acl.evaluate('198.51.100.7', T0).blocked).toBe(false);
    expect(acl.trackedAddresses()).toBe(0);
    put('limited', ['198.51.100.7/32']);
    expect(acl.evaluate('198.51.100.7', T0).blocked).toBe(false);
  });

  it('refuses rate rules WAF would refuse', () => {
    const registry = new IpSetRegistry();
    const { Id } = registry.ensure('limited', 'CLOUDFRONT', 'IPV4');
    expect(
      () =>
        new WebAcl(registry, [{ name: 'r', kind: 'rate_limit', ipSetId: Id, limit: 5, windowSeconds: 60 }]),
    ).toThrow(/at least 10/);
    expect(
      () =>
        new WebAcl(registry, [
          { name: 'r', kind: 'rate_limit', ipSetId: Id, limit: 100, windowSeconds: 90 as 60 },
        ]),
    ).toThrow(/60, 120, 300 or 600/);
  });
});
