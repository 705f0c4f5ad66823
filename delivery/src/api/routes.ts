import { randomFillSync } from 'node:crypto';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { LRUCache } from 'lru-cache';
import { monotonicFactory } from 'ulid';
import { DEFAULT_LIMITS } from '../config/config.ts';
import type { Title } from '../domain/model.ts';
import { createIdentityVerifier } from '../identity/verifier.ts';
import { createDeliveryStore } from '../store/delivery-store.ts';
import { accessRoutes } from './access.ts';
import { adminRoutes } from './admin.ts';
import type { DeliveryDeps } from './deps.ts';
import { deviceRoutes } from './devices.ts';
import { orgEntitlementRoutes } from './org-entitlements.ts';
import type { DeliveryApp, DeliveryRoute } from './route.ts';
import { createCookieSigner } from './signed-cookies.ts';
import { idempotencyStore } from './admin-support.ts';

export type { DeliveryRoute } from './route.ts';

/**
 * Every access API route with its handler. The AWS entry exports one handler per route for infra; the local
 * runtime mounts them all behind its API Gateway emulation. Build once per process: clients and keys are
 * shared by all routes.
 */
export function createDeliveryRoutes(deps: DeliveryDeps): DeliveryRoute[] {
  const ulid = monotonicFactory(pooledRandomBytes());
  // Title metadata (collections) may be a minute stale on the hot path; entitlements never are.
  const titleCache = new LRUCache<string, Title>({ max: 10_000, ttl: 60_000 });
  // Every DynamoDB call becomes an X-Ray subsegment of whichever invocation makes it (a no-op when tracing is
  // off, and idempotent when the client was captured already).
  const tracer = new Tracer();
  tracer.captureAWSv3Client(deps.dynamo.doc);
  if (deps.dynamo.client) tracer.captureAWSv3Client(deps.dynamo.client);
  const app: DeliveryApp = {
    deps,
    store: createDeliveryStore(deps.dynamo.doc, deps.dynamo.tableName, deps.dynamo.client),
    verifier: createIdentityVerifier(deps.identity, () => deps.clock.nowMs()),
    limits: { ...DEFAULT_LIMITS, ...deps.limits },
    cookies: createCookieSigner({
      ...deps.cloudFront,
      edgeBaseUrl: deps.edgeBaseUrl,
      ...(deps.cookieDomain ? { cookieDomain: deps.cookieDomain } : {}),
    }),
    titles: {
      get: (titleId) => titleCache.get(titleId),
      set: (title) => titleCache.set(title.titleId, title),
    },
    idempotency: idempotencyStore(deps),
    newId: () => ulid(deps.clock.nowMs()),
  };
  return [...deviceRoutes(app), ...accessRoutes(app), ...orgEntitlementRoutes(app), ...adminRoutes(app)];
}

/**
 * ULID's default generator asks the system for one random byte per character (16 calls per id); this draws the
 * same bytes (byte / 256, as the default does) from a buffer refilled 4 KiB at a time.
 */
function pooledRandomBytes(): () => number {
  const pool = Buffer.alloc(4096);
  let next = pool.length;
  return () => {
    if (next === pool.length) {
      randomFillSync(pool);
      next = 0;
    }
    const byte = pool[next] as number;
    next += 1;
    return byte / 256;
  };
}
