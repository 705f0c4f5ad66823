import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuditEntry } from '../domain/model.ts';
import { DeliveryError } from '../errors.ts';
import { validate } from './http.ts';
import type { DeliveryApp, Reply, Request } from './route.ts';

const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'must be 8-128 characters of A-Z a-z 0-9 _ . : -');

/**
 * Runs an admin action at most once per `Idempotency-Key`: a retry gets the first response replayed. Actions
 * with natural keys are idempotent without it; this covers the ones that are not (forcing re-auth sets "now").
 */
export async function idempotent<B, P>(
  request: Request<B, P>,
  app: DeliveryApp,
  action: () => Promise<Reply>,
): Promise<Reply> {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return action();
  const key = validate(idempotencyKey, header, 'Idempotency-Key header');
  const actor = request.principal.accountId;
  const requestHash = createHash('sha256')
    .update(JSON.stringify([request.routeKey, request.params, request.body ?? null]))
    .digest('hex');
  const claim = await app.store.audit.claimIdempotencyKey(actor, key, requestHash, request.now);
  if (claim.state === 'done') {
    return { ...claim.response, headers: { 'idempotent-replayed': 'true' } };
  }
  if (claim.state === 'in_progress') {
    throw new DeliveryError(
      'idempotency_in_progress',
      'a request with this Idempotency-Key is still running',
    );
  }
  if (claim.state === 'key_reused') {
    throw new DeliveryError(
      'idempotency_key_reused',
      'this Idempotency-Key was used for a different request',
    );
  }
  try {
    const reply = await action();
    await app.store.audit.completeIdempotencyKey(actor, key, {
      statusCode: reply.statusCode,
      body: reply.body,
    });
    return reply;
  } catch (error) {
    await app.store.audit.releaseIdempotencyKey(actor, key).catch(() => undefined);
    throw error;
  }
}

export async function audit<B, P>(
  request: Request<B, P>,
  app: DeliveryApp,
  action: string,
  subject: AuditEntry['subject'],
  details: Record<string, unknown> = {},
): Promise<void> {
  await app.store.audit.append({
    auditId: app.newId(),
    at: request.now,
    actor: request.principal.accountId,
    action,
    subject,
    details,
  });
}

export const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
