import { type ContentObject, type ContentStore, kvsKeys } from '@boundless/delivery';
import type { KeyValueReader } from './function-runner.ts';

/**
 * What an injected fault does to the edge, in the ways a CloudFront distribution goes wrong: its origin refuses
 * or times out (`originErrorP`) or answers slowly (`originDelayMs`), its cached copies stop being used
 * (`cacheBypassP`: a cache policy that no longer caches, an invalidation storm), the key store no longer holds
 * the key tokens are signed with (`missingKeyP`: a rotation the edge never received), or objects leave bigger
 * than before (`bytesX`: compression lost, oversized renditions).
 */
export interface EdgeFaultPlan {
  originErrorP?: number;
  originDelayMs?: number;
  cacheBypassP?: number;
  missingKeyP?: number;
  bytesX?: number;
}

export interface EdgeFaultHooks {
  /** The plan at this moment; undefined when nothing is injected. */
  plan(atMs: number): EdgeFaultPlan | undefined;
  /** How an origin delay passes (tests move a clock instead). @default setTimeout */
  wait?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** The error an origin connection gives; `timeout` maps to CloudFront's 504 OriginReadTimeout. */
export class OriginFailure extends Error {
  override name = 'OriginFailure';
  constructor(readonly failure: 'connect' | 'timeout') {
    super(failure === 'timeout' ? 'origin read timed out' : 'origin connection refused');
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Pads an object as an uncompressed or oversized copy would be (what the edge serves, cached or not). */
export function inflate(object: ContentObject, factor: number): ContentObject {
  if (!(factor > 1)) return object;
  const padding = Buffer.alloc(Math.round(object.body.length * (factor - 1)), 0x20);
  const body = Buffer.concat([object.body, padding]);
  return { ...object, body, size: body.length, etag: `${object.etag.replace(/"$/, '')}-x"` };
}

/** The origin as the edge sees it while faults are injected. */
export function faultyOrigin(origin: ContentStore, hooks: EdgeFaultHooks, clock: () => number): ContentStore {
  const wait = hooks.wait ?? sleep;
  const random = hooks.random ?? Math.random;
  const before = async () => {
    const plan = hooks.plan(clock());
    if (!plan) return undefined;
    if (plan.originDelayMs) await wait(plan.originDelayMs * (0.5 + random()));
    if (plan.originErrorP && random() < plan.originErrorP)
      throw new OriginFailure(random() < 0.5 ? 'connect' : 'timeout');
    return plan;
  };
  return {
    put: (key, body, options) => origin.put(key, body, options),
    get: async (key, range) => {
      await before();
      return origin.get(key, range);
    },
    head: async (key) => {
      await before();
      return origin.head(key);
    },
  };
}

/** The KeyValueStore as the viewer-request function reads it: signing keys may be missing while a fault lasts. */
export function faultyKeyStore(
  kvs: KeyValueReader,
  hooks: EdgeFaultHooks,
  clock: () => number,
): KeyValueReader {
  const random = hooks.random ?? Math.random;
  const keyPrefix = kvsKeys.signingSecret('');
  return {
    getSync: (key) => {
      if (key.startsWith(keyPrefix)) {
        const p = hooks.plan(clock())?.missingKeyP ?? 0;
        if (p > 0 && random() < p) return undefined;
      }
      return kvs.getSync(key);
    },
  };
}
