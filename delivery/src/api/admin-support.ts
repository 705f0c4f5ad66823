import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { z } from 'zod';
import type { AuditEntry } from '../domain/model.ts';
import { DeliveryError } from '../errors.ts';
import { TTL_ATTRIBUTE } from '../store/tables.ts';
import type { DeliveryDeps } from './deps.ts';
import { validate } from './http.ts';
import type { DeliveryApp, Reply, Request } from './route.ts';

const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'must be 8-128 characters of A-Z a-z 0-9 _ . : -');

/** How long an admin action's answer is kept for replay. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/**
 * Powertools Idempotency's DynamoDB persistence in the delivery table: items `IDEMPOTENCY` / `<key hash>`,
 * expiring through the table's TTL attribute. Its conditional put also takes over an expired record and an
 * in-progress one whose invocation's time ran out, so neither needs TTL to have run (dynalite has none).
 */
export function idempotencyStore(deps: DeliveryDeps): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName: deps.dynamo.tableName,
    // The DocumentClient sends low-level commands too, when no low-level client is given.
    awsSdkV3Client: deps.dynamo.client ?? (deps.dynamo.doc as unknown as DynamoDBClient),
    keyAttr: 'pk',
    sortKeyAttr: 'sk',
    staticPkValue: 'IDEMPOTENCY',
    expiryAttr: TTL_ATTRIBUTE,
  });
}

/**
 * Runs an admin action at most once per caller and `Idempotency-Key` (Powertools Idempotency): a retry gets
 * the first answer replayed, the same key with a different request is refused, and a retry while the first
 * still runs is refused too, until that invocation's remaining time has passed (so a crashed invocation frees
 * its key when Lambda would have stopped it, not a day later). A failed action frees its key at once. Actions
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
  // A config per request: the in-progress expiry is this invocation's remaining time.
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'request',
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  config.registerLambdaContext(request.lambdaContext);
  let ran = false;
  const once = makeIdempotent(
    async (_payload: { key: unknown[]; request: unknown[] }) => {
      ran = true;
      const reply = await action();
      return { statusCode: reply.statusCode, body: reply.body ?? null };
    },
    { persistenceStore: app.idempotency, config, keyPrefix: 'delivery-admin' },
  );
  try {
    const reply: Reply = await once({
      key: [request.principal.accountId, key],
      request: [request.routeKey, request.params, request.body ?? null],
    });
    return ran ? reply : { ...reply, headers: { 'idempotent-replayed': 'true' } };
  } catch (error) {
    if (error instanceof IdempotencyAlreadyInProgressError) {
      throw new DeliveryError(
        'idempotency_in_progress',
        'a request with this Idempotency-Key is still running',
        {
          cause: error,
        },
      );
    }
    if (error instanceof IdempotencyValidationError) {
      throw new DeliveryError(
        'idempotency_key_reused',
        'this Idempotency-Key was used for a different request',
        {
          cause: error,
        },
      );
    }
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
