import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AccessFacts, activeMitigations, alignExpiry, decideAccess } from './access-decision.ts';
import { isWithinCampus, parseCidr } from './campus.ts';
import type { Entitlement, Mitigation } from './model.ts';

const NOW = 1_800_000_000;
const title = { titleId: 't-1', name: 'T', format: 'epub' as const, collections: ['c-1'], releasedAt: 0 };
const device = { accountId: 'r-1', deviceId: 'd-1', name: 'd', platform: 'ios', registeredAt: 0 };
const org = {
  kind: 'organisation' as const,
  accountId: 'org-1',
  name: 'U',
  seats: 10,
  campusCidrs: ['10.1.0.0/16'],
};
const personal = (over: Partial<Entitlement> = {}): Entitlement => ({
  accountId: 'r-1',
  target: { type: 'title', id: 't-1' },
  channel: 'b2c',
  startsAt: 0,
  grantedBy: 'store',
  ...over,
});
const base: AccessFacts = {
  now: NOW,
  principal: { accountId: 'r-1', authenticatedAt: NOW - 10 },
  sourceIp: '203.0.113.9',
  title,
  device,
  org: undefined,
  entitlements: [personal()],
  orgEntitlements: [],
  mitigations: [],
  defaultTtlSeconds: 3600,
};
const mitigation = (m: Partial<Mitigation> & Pick<Mitigation, 'kind'>): Mitigation =>
  ({
    accountId: 'r-1',
    setAt: NOW - 5,
    expiresAt: NOW + 600,
    reason: 'test',
    setBy: 'copilot',
    ...m,
  }) as Mitigation;

describe('Function: decideAccess', () => {
  it('grants a personal entitlement for the default lifetime on the b2c channel', () => {
    expect(decideAccess(base)).toMatchObject({ granted: true, channel: 'b2c', expiresAt: NOW + 3600 });
  });

  it('never grants beyond the entitlement itself', () => {
    const decision = decideAccess({ ...base, entitlements: [personal({ expiresAt: NOW + 100 })] });
    expect(decision).toMatchObject({ granted: true, expiresAt: NOW + 100 });
  });

  it.each([
    ['title_not_found', { title: undefined }],
    ['device_not_registered', { device: undefined }],
    ['not_entitled', { entitlements: [] }],
    ['not_entitled', { entitlements: [personal({ startsAt: NOW + 10 })] }],
    ['entitlement_expired', { entitlements: [personal({ expiresAt: NOW })] }],
  ] as const)('denies with %s', (reason, over) => {
    expect(decideAccess({ ...base, ...over })).toEqual({ granted: false, reason });
  });

  it('opens organisation entitlements only from the campus ranges', () => {
    const b2b = {
      ...base,
      principal: { accountId: 'r-1', orgId: 'org-1', authenticatedAt: NOW },
      org,
      entitlements: [],
      orgEntitlements: [personal({ accountId: 'org-1', channel: 'b2b' })],
    };
    expect(decideAccess({ ...b2b, sourceIp: '10.1.2.3' })).toMatchObject({ granted: true, channel: 'b2b' });
    expect(decideAccess(b2b)).toEqual({ granted: false, reason: 'outside_campus' });
    expect(
      decideAccess({ ...b2b, principal: { ...b2b.principal, orgId: 'other' }, sourceIp: '10.1.2.3' }),
    ).toEqual({
      granted: false,
      reason: 'not_entitled',
    });
  });

  it('shortens the lifetime under an active short-TTL mitigation and ignores expired ones', () => {
    const shortTtl = mitigation({ kind: 'short_ttl', ttlSeconds: 120 });
    expect(decideAccess({ ...base, mitigations: [shortTtl] })).toMatchObject({
      expiresAt: NOW + 120,
      shortened: true,
    });
    const lapsed = { ...shortTtl, expiresAt: NOW };
    expect(decideAccess({ ...base, mitigations: [lapsed] })).toMatchObject({ expiresAt: NOW + 3600 });
  });

  it('requires a sign-in after the forced re-auth mark', () => {
    const reauth = mitigation({ kind: 'forced_reauth', reauthAt: NOW - 5 });
    expect(decideAccess({ ...base, mitigations: [reauth] })).toEqual({
      granted: false,
      reason: 'reauth_required',
    });
    const fresh = {
      ...base,
      principal: { accountId: 'r-1', authenticatedAt: NOW - 5 },
      mitigations: [reauth],
    };
    expect(decideAccess(fresh)).toMatchObject({ granted: true });
  });

  it('keeps the strictest rate limit', () => {
    const limits = [
      mitigation({ kind: 'rate_limit', limit: 10, windowSeconds: 60 }),
      mitigation({ kind: 'rate_limit', limit: 3, windowSeconds: 60 }),
    ];
    expect(activeMitigations(limits, NOW).rateLimit).toEqual({ limit: 3, windowSeconds: 60 });
  });
});

describe('Function: isWithinCampus', () => {
  it('matches IPv4 and IPv6 ranges and refuses unknown or malformed addresses', () => {
    expect(isWithinCampus('10.1.255.1', ['10.1.0.0/16'])).toBe(true);
    expect(isWithinCampus('10.2.0.1', ['10.1.0.0/16'])).toBe(false);
    expect(isWithinCampus('2001:db8::1', ['2001:db8::/32'])).toBe(true);
    expect(isWithinCampus(undefined, ['10.1.0.0/16'])).toBe(false);
    expect(isWithinCampus('not-an-ip', ['10.1.0.0/16'])).toBe(false);
    expect(isWithinCampus(undefined, [])).toBe(true);
  });

  it('parses only well-formed CIDRs', () => {
    expect(parseCidr('192.0.2.0/24')).toEqual({ network: '192.0.2.0', prefix: 24, family: 'ipv4' });
    for (const bad of ['192.0.2.0', '192.0.2.0/33', '192.0.2.0/x', 'host/8', '::/129', '1.2.3.4/8/1']) {
      expect(parseCidr(bad)).toBeUndefined();
    }
  });
});

describe('Function: alignExpiry', () => {
  it('ends long grants on the minute at or before the computed expiry and leaves short ones exact', () => {
    expect(alignExpiry(NOW + 3601, NOW)).toBe(NOW + 3600);
    expect(alignExpiry(NOW + 3659, NOW)).toBe(NOW + 3600);
    expect(alignExpiry(NOW + 299, NOW)).toBe(NOW + 299);
    expect(NOW % 60).toBe(0);
  });
});

describe('Property: grants never outlive their limits', () => {
  it('ends after now, within the TTL, the short-TTL mitigation and the entitlement', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 30, max: 86_400 }),
        fc.option(fc.integer({ min: 30, max: 3600 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 10 * 86_400 }), { nil: undefined }),
        fc.integer({ min: 0, max: 59 }),
        (ttl, shortTtl, entitlementLeft, offset) => {
          const now = NOW + offset;
          const decision = decideAccess({
            ...base,
            now,
            defaultTtlSeconds: ttl,
            entitlements: [
              personal(entitlementLeft === undefined ? {} : { expiresAt: now + entitlementLeft }),
            ],
            mitigations:
              shortTtl === undefined ? [] : [mitigation({ kind: 'short_ttl', ttlSeconds: shortTtl })],
          });
          if (!decision.granted) return false;
          const limit = Math.min(now + ttl, now + (shortTtl ?? ttl), now + (entitlementLeft ?? ttl));
          return decision.expiresAt > now && decision.expiresAt <= limit;
        },
      ),
    );
  });
});
