import { type Mitigation, type MitigationKind, isActive, mitigationId } from '../domain/model.ts';
import { DeliveryError } from '../errors.ts';
import { kvsKeys } from '../edge/key-value-store.ts';
import { audit, idempotent, iso } from './admin-support.ts';
import { validate } from './http.ts';
import type { DeliveryApp, Request } from './route.ts';
import {
  accountParams,
  type mitigationIdParams,
  type mitigationParams,
  type mitigationRequest,
  type reauthRequest,
  type revokeRequest,
  type tokenParams,
} from './schemas.ts';
import type { z } from 'zod';

/**
 * The copilot's levers. Each one writes the edge first (KeyValueStore: what CloudFront enforces), then the
 * table, then the audit trail; each is idempotent under retry through natural keys or an Idempotency-Key.
 */
export const ADMIN_ROLES = ['copilot', 'admin'] as const;
const DEFAULT_REAUTH_SECONDS = 24 * 3600;

function presentMitigation(m: Mitigation) {
  const { setAt, expiresAt, ...rest } = m;
  return { mitigationId: mitigationId(m), ...rest, setAt: iso(setAt), expiresAt: iso(expiresAt) };
}

export async function revokeToken(
  request: Request<z.infer<typeof revokeRequest>, z.infer<typeof tokenParams>>,
  app: DeliveryApp,
) {
  const { tokenId } = request.params;
  const token = await app.store.access.getToken(tokenId);
  if (!token) throw new DeliveryError('not_found', 'no such access token');
  await app.deps.keyValueStore.put(kvsKeys.revokedToken(tokenId), String(request.now));
  const mitigation: Mitigation = {
    kind: 'token_revoked',
    tokenId,
    accountId: token.accountId,
    setAt: request.now,
    expiresAt: Math.max(token.exp, request.now + 60),
    reason: request.body.reason,
    setBy: request.principal.accountId,
  };
  // Recorded before the token is marked: the mark decides "changed", so a retry after a failure in between
  // still finds the mitigation listed (and liftable).
  await app.store.access.putMitigation(mitigation, { keepExisting: true });
  const outcome = await app.store.access.revokeToken(tokenId, request.now);
  const changed = outcome === 'revoked';
  if (changed) {
    await audit(
      request,
      app,
      'token.revoked',
      { accountId: token.accountId, tokenId },
      { reason: request.body.reason },
    );
    request.count('MitigationApplied', { kind: 'token_revoked' });
  }
  return {
    statusCode: 200,
    body: {
      tokenId,
      accountId: token.accountId,
      revoked: true,
      changed,
      mitigationId: mitigationId(mitigation),
    },
  };
}

export async function forceReauth(
  request: Request<z.infer<typeof reauthRequest>, z.infer<typeof accountParams>>,
  app: DeliveryApp,
) {
  // "Now" is not a natural key: only an Idempotency-Key makes a retry land on the first mark.
  return idempotent(request, app, async () => {
    const { accountId } = request.params;
    const reauthAt = request.now;
    await app.deps.keyValueStore.put(kvsKeys.reauthAccount(accountId), String(reauthAt));
    const mitigation: Mitigation = {
      kind: 'forced_reauth',
      accountId,
      reauthAt,
      setAt: reauthAt,
      expiresAt: reauthAt + (request.body.durationSeconds ?? DEFAULT_REAUTH_SECONDS),
      reason: request.body.reason,
      setBy: request.principal.accountId,
    };
    await app.store.access.putMitigation(mitigation);
    await audit(
      request,
      app,
      'account.reauth_forced',
      { accountId },
      { reauthAt, reason: request.body.reason },
    );
    request.count('MitigationApplied', { kind: 'forced_reauth' });
    return { statusCode: 200, body: { mitigation: presentMitigation(mitigation) } };
  });
}

export async function setMitigation(
  request: Request<z.infer<typeof mitigationRequest>, z.infer<typeof mitigationParams>>,
  app: DeliveryApp,
) {
  const { accountId, kind } = request.params;
  const { reason, durationSeconds, ttlSeconds, limit, windowSeconds } = request.body;
  const base = {
    accountId,
    setAt: request.now,
    expiresAt: request.now + durationSeconds,
    reason,
    setBy: request.principal.accountId,
  };
  let mitigation: Mitigation;
  if (kind === 'short_ttl') {
    if (ttlSeconds === undefined) throw invalid('ttlSeconds is required for short_ttl');
    mitigation = { ...base, kind, ttlSeconds };
  } else {
    if (limit === undefined) throw invalid('limit is required for rate_limit');
    mitigation = { ...base, kind, limit, windowSeconds: windowSeconds ?? 60 };
  }
  const existing = (await app.store.access.listAccountMitigations(accountId, request.now)).find(
    (m) => m.kind === kind,
  );
  if (existing && isActive(existing, request.now) && sameSetting(existing, mitigation)) {
    return { statusCode: 200, body: { mitigation: presentMitigation(existing), changed: false } };
  }
  await app.store.access.putMitigation(mitigation);
  await audit(
    request,
    app,
    'mitigation.set',
    { accountId },
    { kind, ttlSeconds, limit, windowSeconds, durationSeconds, reason },
  );
  request.count('MitigationApplied', { kind });
  return {
    statusCode: existing ? 200 : 201,
    body: { mitigation: presentMitigation(mitigation), changed: true },
  };
}

export async function liftMitigation(
  request: Request<undefined, z.infer<typeof mitigationIdParams>>,
  app: DeliveryApp,
) {
  const { mitigationId: id } = request.params;
  const separator = id.indexOf(':');
  const kind = id.slice(0, separator) as MitigationKind;
  const subject = id.slice(separator + 1);
  let removed: Mitigation | undefined;
  if (kind === 'token_revoked') {
    const token = await app.store.access.getToken(subject);
    await app.deps.keyValueStore.delete(kvsKeys.revokedToken(subject));
    if (token) {
      await app.store.access.restoreToken(subject);
      removed = await app.store.access.deleteMitigation(token.accountId, kind, subject);
    }
  } else {
    if (kind === 'forced_reauth') await app.deps.keyValueStore.delete(kvsKeys.reauthAccount(subject));
    removed = await app.store.access.deleteMitigation(subject, kind);
  }
  if (removed) {
    await audit(
      request,
      app,
      'mitigation.lifted',
      { accountId: removed.accountId },
      { mitigationId: id, kind },
    );
    request.count('MitigationLifted', { kind });
  }
  return { statusCode: 200, body: { mitigationId: id, changed: removed !== undefined } };
}

export async function listMitigations(request: Request<undefined, Record<string, never>>, app: DeliveryApp) {
  const accountId = request.query.accountId;
  const mitigations =
    accountId === undefined
      ? await app.store.access.listActiveMitigations(request.now)
      : await app.store.access.listAccountMitigations(
          validate(accountParams.shape.accountId, accountId, 'accountId'),
          request.now,
        );
  return { statusCode: 200, body: { mitigations: mitigations.map(presentMitigation) } };
}

function sameSetting(a: Mitigation, b: Mitigation): boolean {
  const { setAt: _a1, expiresAt: _a2, setBy: _a3, ...left } = a;
  const { setAt: _b1, expiresAt: _b2, setBy: _b3, ...right } = b;
  return JSON.stringify(left, Object.keys(left).sort()) === JSON.stringify(right, Object.keys(right).sort());
}

function invalid(message: string): DeliveryError {
  return new DeliveryError('validation_failed', 'request body is invalid', {
    details: { issues: [{ path: '', message }] },
  });
}
