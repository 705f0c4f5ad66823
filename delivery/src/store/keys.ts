/**
 * Single-table keys. Every access pattern is one GetItem, one Query on a partition, or one Query on the
 * overloaded GSI1; see delivery/README.md for the table of patterns. Numbers in sort keys are zero-padded so
 * lexical order is numeric order.
 */
export const GSI1 = 'gsi1';

const pad = (n: number) => String(Math.max(0, Math.floor(n))).padStart(12, '0');

export interface Key {
  pk: string;
  sk: string;
}

export const keys = {
  account: (accountId: string): Key => ({ pk: `ACCOUNT#${accountId}`, sk: 'PROFILE' }),
  device: (accountId: string, deviceId: string): Key => ({
    pk: `ACCOUNT#${accountId}`,
    sk: `DEVICE#${deviceId}`,
  }),
  devicePrefix: 'DEVICE#',
  member: (orgId: string, memberId: string): Key => ({ pk: `ACCOUNT#${orgId}`, sk: `MEMBER#${memberId}` }),
  entitlement: (accountId: string, type: 'title' | 'collection', id: string): Key => ({
    pk: `ACCOUNT#${accountId}`,
    sk: `ENT#${type}#${id}`,
  }),
  entitlementPrefix: 'ENT#',
  mitigation: (accountId: string, kind: string, tokenId?: string): Key => ({
    pk: `ACCOUNT#${accountId}`,
    sk: tokenId === undefined ? `MITIGATION#${kind}` : `MITIGATION#${kind}#${tokenId}`,
  }),
  mitigationPrefix: 'MITIGATION#',
  /** All mitigations across accounts, ordered by expiry so "active now" is a key range. */
  mitigationIndex: (expiresAt: number, accountId: string, sk: string) => ({
    gsi1pk: 'MITIGATION',
    gsi1sk: `${pad(expiresAt)}#${accountId}#${sk}`,
  }),
  mitigationIndexFrom: (now: number) => `${pad(now + 1)}`,
  rateWindow: (accountId: string, windowStart: number): Key => ({
    pk: `ACCOUNT#${accountId}`,
    sk: `RATE#${pad(windowStart)}`,
  }),
  title: (titleId: string): Key => ({ pk: `TITLE#${titleId}`, sk: 'META' }),
  titleIndex: (titleId: string) => ({ gsi1pk: 'CATALOG', gsi1sk: `TITLE#${titleId}` }),
  asset: (titleId: string, name: string): Key => ({ pk: `TITLE#${titleId}`, sk: `ASSET#${name}` }),
  assetPrefix: 'ASSET#',
  token: (tokenId: string): Key => ({ pk: `TOKEN#${tokenId}`, sk: 'TOKEN' }),
  tokenIndex: (accountId: string, iat: number, tokenId: string) => ({
    gsi1pk: `TOKENS#${accountId}`,
    gsi1sk: `${pad(iat)}#${tokenId}`,
  }),
  audit: (day: string, at: string, auditId: string): Key => ({ pk: `AUDIT#${day}`, sk: `${at}#${auditId}` }),
  auditIndex: (subjectId: string, at: string, auditId: string) => ({
    gsi1pk: `AUDITOF#${subjectId}`,
    gsi1sk: `${at}#${auditId}`,
  }),
} as const;

/** Strips the table's key attributes so the domain sees plain records. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest as T;
}
