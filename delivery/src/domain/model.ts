/**
 * The delivery domain as plain data. Times are unix seconds (what tokens, CloudFront policies and DynamoDB TTL
 * use); the API renders them as ISO-8601 at its edge.
 */
export type Channel = 'b2b' | 'b2c';

export type TitleFormat = 'epub' | 'pdf' | 'audio' | 'interactive' | 'images';

export interface ReaderAccount {
  kind: 'reader';
  accountId: string;
  name: string;
  /** B2B members belong to one organisation; B2C readers to none. */
  orgId?: string;
  /** Overrides the configured default when set. */
  deviceLimit?: number;
}

export interface OrganisationAccount {
  kind: 'organisation';
  accountId: string;
  name: string;
  seats: number;
  /** When non-empty, the organisation's entitlements open only from these ranges (campus networks, NAT). */
  campusCidrs: string[];
}

export type Account = ReaderAccount | OrganisationAccount;

export interface Title {
  titleId: string;
  name: string;
  format: TitleFormat;
  collections: string[];
  releasedAt: number;
}

export interface Asset {
  titleId: string;
  /** Path below the title's prefix, e.g. `book.epub` or `bundle/index.html`. */
  name: string;
  objectKey: string;
  contentType: string;
  size: number;
  storageClass: 'STANDARD' | 'STANDARD_IA' | 'INTELLIGENT_TIERING';
}

export type EntitlementTarget = { type: 'title'; id: string } | { type: 'collection'; id: string };

export interface Entitlement {
  accountId: string;
  target: EntitlementTarget;
  channel: Channel;
  startsAt: number;
  /** Absent: perpetual (a purchase). */
  expiresAt?: number;
  grantedBy: string;
}

export interface Device {
  accountId: string;
  deviceId: string;
  name: string;
  platform: string;
  registeredAt: number;
}

export interface AccessToken {
  tokenId: string;
  accountId: string;
  deviceId: string;
  titleId: string;
  channel: Channel;
  kid: string;
  iat: number;
  exp: number;
  revokedAt?: number;
}

export type MitigationKind = 'short_ttl' | 'rate_limit' | 'forced_reauth' | 'token_revoked';

interface MitigationBase {
  accountId: string;
  setAt: number;
  /** Every mitigation lifts itself: nothing the copilot does is permanent. */
  expiresAt: number;
  reason: string;
  setBy: string;
}

export type Mitigation =
  | (MitigationBase & { kind: 'short_ttl'; ttlSeconds: number })
  | (MitigationBase & { kind: 'rate_limit'; limit: number; windowSeconds: number })
  | (MitigationBase & { kind: 'forced_reauth'; reauthAt: number })
  | (MitigationBase & { kind: 'token_revoked'; tokenId: string });

export interface AuditEntry {
  auditId: string;
  at: number;
  actor: string;
  action: string;
  subject: { accountId?: string; orgId?: string; tokenId?: string; titleId?: string; deviceId?: string };
  details: Record<string, unknown>;
}

/** A mitigation's public id: `<kind>:<accountId>` or, for revocations, `token_revoked:<tokenId>`. */
export function mitigationId(mitigation: Mitigation): string {
  return mitigation.kind === 'token_revoked'
    ? `token_revoked:${mitigation.tokenId}`
    : `${mitigation.kind}:${mitigation.accountId}`;
}

export function isActive(item: { expiresAt?: number; startsAt?: number }, now: number): boolean {
  if (item.startsAt !== undefined && item.startsAt > now) return false;
  return item.expiresAt === undefined || item.expiresAt > now;
}
