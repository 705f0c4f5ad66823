import { z } from 'zod';
import { ACCOUNT_ID_PATTERN, TOKEN_ID_PATTERN } from '../token/edge-token.ts';

/** Ids end up in key prefixes, cookie paths and edge tokens, so they are held to the token's alphabet. */
const titleId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');
const collectionId = titleId;
const deviceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');
const accountId = z.string().regex(ACCOUNT_ID_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 _ -');
const tokenId = z.string().regex(TOKEN_ID_PATTERN, 'must be 8-40 characters of A-Z a-z 0-9 _ -');
const reason = z.string().trim().min(1).max(500);
const isoTime = z.iso.datetime({ offset: true }).transform((value) => Math.floor(Date.parse(value) / 1000));

export const accessRequest = z.strictObject({ titleId, deviceId });

export const deviceRegistration = z.strictObject({
  deviceId,
  name: z.string().trim().min(1).max(100).optional(),
  platform: z.string().trim().min(1).max(40).optional(),
});

export const deviceParams = z.object({ deviceId });
export const orgParams = z.object({ orgId: accountId });

const entitlementId = z
  .string()
  .regex(/^(title|collection):[A-Za-z0-9_-]{1,64}$/, 'must be title:<titleId> or collection:<collectionId>');

export const orgEntitlementParams = z.object({ orgId: accountId, entitlementId });

export const orgGrant = z
  .strictObject({
    titleId: titleId.optional(),
    collectionId: collectionId.optional(),
    startsAt: isoTime.optional(),
    expiresAt: isoTime.optional(),
  })
  .refine((g) => (g.titleId === undefined) !== (g.collectionId === undefined), {
    message: 'give exactly one of titleId or collectionId',
  })
  .refine((g) => g.startsAt === undefined || g.expiresAt === undefined || g.expiresAt > g.startsAt, {
    message: 'expiresAt must be after startsAt',
  });

const MAX_MITIGATION_SECONDS = 7 * 24 * 3600;
const duration = z.number().int().min(60).max(MAX_MITIGATION_SECONDS);

export const tokenParams = z.object({ tokenId });
export const accountParams = z.object({ accountId });
export const mitigationParams = z.object({ accountId, kind: z.enum(['short_ttl', 'rate_limit']) });
export const mitigationIdParams = z.object({
  mitigationId: z
    .string()
    .regex(
      /^(short_ttl|rate_limit|forced_reauth|token_revoked):[A-Za-z0-9_-]{1,64}$/,
      'must be <kind>:<subject>',
    ),
});

export const revokeRequest = z.strictObject({ reason });
export const reauthRequest = z.strictObject({ reason, durationSeconds: duration.optional() });

export const mitigationRequest = z.strictObject({
  reason,
  durationSeconds: duration,
  ttlSeconds: z.number().int().min(30).max(3600).optional(),
  limit: z.number().int().min(1).max(100_000).optional(),
  windowSeconds: z.number().int().min(1).max(3600).optional(),
});

export const auditQuery = z
  .strictObject({
    subject: accountId.optional(),
    day: z.iso.date().optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .refine((q) => (q.subject === undefined) !== (q.day === undefined), {
    message: 'give exactly one of subject or day',
  });
