import { isWithinCampus } from './campus.ts';
import {
  type Channel,
  type Device,
  type Entitlement,
  isActive,
  type Mitigation,
  type OrganisationAccount,
  type Title,
} from './model.ts';

/**
 * The access rule, pure: everything the store fetched goes in, a grant or a denial reason comes out. Keeping it
 * free of I/O lets tests enumerate the rule's corners without DynamoDB and keeps the handler a thin shell.
 */
export interface AccessFacts {
  now: number;
  principal: { accountId: string; orgId?: string; authenticatedAt: number };
  sourceIp: string | undefined;
  title: Title | undefined;
  device: Device | undefined;
  org: OrganisationAccount | undefined;
  /** The reader's own entitlements to the title or any of its collections. */
  entitlements: readonly Entitlement[];
  /** The organisation's entitlements to the title or any of its collections. */
  orgEntitlements: readonly Entitlement[];
  mitigations: readonly Mitigation[];
  defaultTtlSeconds: number;
}

export type DenialReason =
  | 'title_not_found'
  | 'reauth_required'
  | 'device_not_registered'
  | 'not_entitled'
  | 'entitlement_expired'
  | 'outside_campus';

export type AccessDecision =
  | { granted: true; channel: Channel; expiresAt: number; entitlement: Entitlement; shortened: boolean }
  | { granted: false; reason: DenialReason };

export interface ActiveMitigations {
  shortTtlSeconds?: number;
  rateLimit?: { limit: number; windowSeconds: number };
  reauthAt?: number;
}

/** Several mitigations of one kind cannot coexist (natural key), but the strictest wins if they ever do. */
export function activeMitigations(mitigations: readonly Mitigation[], now: number): ActiveMitigations {
  const active: ActiveMitigations = {};
  for (const m of mitigations) {
    if (!isActive(m, now)) continue;
    if (m.kind === 'short_ttl')
      active.shortTtlSeconds = Math.min(active.shortTtlSeconds ?? m.ttlSeconds, m.ttlSeconds);
    if (m.kind === 'rate_limit' && (!active.rateLimit || m.limit < active.rateLimit.limit)) {
      active.rateLimit = { limit: m.limit, windowSeconds: m.windowSeconds };
    }
    if (m.kind === 'forced_reauth') active.reauthAt = Math.max(active.reauthAt ?? m.reauthAt, m.reauthAt);
  }
  return active;
}

export function decideAccess(facts: AccessFacts): AccessDecision {
  const { now } = facts;
  if (!facts.title) return { granted: false, reason: 'title_not_found' };
  const mitigation = activeMitigations(facts.mitigations, now);
  // A sign-in older than the re-auth mark is exactly what a stolen or shared session looks like.
  if (mitigation.reauthAt !== undefined && facts.principal.authenticatedAt < mitigation.reauthAt) {
    return { granted: false, reason: 'reauth_required' };
  }
  if (!facts.device) return { granted: false, reason: 'device_not_registered' };

  const personal = facts.entitlements.find((e) => isActive(e, now));
  const orgActive =
    facts.org && facts.principal.orgId === facts.org.accountId
      ? facts.orgEntitlements.find((e) => isActive(e, now))
      : undefined;
  const campusOk = facts.org ? isWithinCampus(facts.sourceIp, facts.org.campusCidrs) : false;

  let entitlement: Entitlement | undefined;
  let channel: Channel = 'b2c';
  if (personal) {
    entitlement = personal;
    channel = personal.channel;
  } else if (orgActive && campusOk) {
    entitlement = orgActive;
    channel = 'b2b';
  }
  if (!entitlement) {
    if (orgActive) return { granted: false, reason: 'outside_campus' };
    const any = [...facts.entitlements, ...facts.orgEntitlements];
    const expired = any.some((e) => e.expiresAt !== undefined && e.expiresAt <= now);
    return { granted: false, reason: expired ? 'entitlement_expired' : 'not_entitled' };
  }

  const ttl = Math.min(facts.defaultTtlSeconds, mitigation.shortTtlSeconds ?? Number.POSITIVE_INFINITY);
  const expiresAt = Math.min(now + ttl, entitlement.expiresAt ?? Number.POSITIVE_INFINITY);
  return {
    granted: true,
    channel,
    expiresAt: alignExpiry(expiresAt, now),
    entitlement,
    shortened: ttl < facts.defaultTtlSeconds,
  };
}

/**
 * Long grants end on a minute boundary (never later than computed), so every session of one title opened in
 * the same minute shares one CloudFront policy and its signature can be reused. Short grants stay exact: a
 * short-TTL mitigation must not lose up to a minute of its already small window.
 */
export function alignExpiry(expiresAt: number, now: number): number {
  return expiresAt - now > 300 ? Math.floor(expiresAt / 60) * 60 : expiresAt;
}
