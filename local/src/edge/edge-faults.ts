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
  /** The plan at this moment; undefined when nothing is injected. Asked once per request. */
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

/**
 * What the faults do to one request, from the plan asked once when the request reaches the edge's pipeline (a
 * fault that starts or ends meanwhile changes the next request, not this one). Each point of the pipeline
 * asks its own question of it; the dice are rolled where the effect happens, as before.
 */
export class RequestFaults {
  readonly #wait: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(
    readonly plan: EdgeFaultPlan,
    hooks: Pick<EdgeFaultHooks, 'wait' | 'random'>,
  ) {
    this.#wait = hooks.wait ?? sleep;
    this.#random = hooks.random ?? Math.random;
  }

  /** The KeyValueStore as the viewer-request function reads it: signing keys may be missing. */
  keyStore(kvs: KeyValueReader): KeyValueReader | undefined {
    const p = this.plan.missingKeyP ?? 0;
    if (!(p > 0)) return undefined;
    return {
      getSync: (key) =>
        key.startsWith(SIGNING_KEY_PREFIX) && this.#random() < p ? undefined : kvs.getSync(key),
    };
  }

  /**
   * True when this request's cached copy must not be used (a cache-hit collapse). The die is rolled for every
   * request that reaches the cache, collapse or not, as the edge always has: a seeded run (the fault scenarios)
   * then draws the same numbers for its traffic as before.
   */
  bypassCache(): boolean {
    return this.#random() < (this.plan.cacheBypassP ?? 0);
  }

  /** The origin as this request reaches it: slower, refusing or timing out. */
  origin(origin: ContentStore): ContentStore {
    const { originDelayMs, originErrorP } = this.plan;
    if (!originDelayMs && !originErrorP) return origin;
    const before = async () => {
      if (originDelayMs) await this.#wait(originDelayMs * (0.5 + this.#random()));
      if (originErrorP && this.#random() < originErrorP)
        throw new OriginFailure(this.#random() < 0.5 ? 'connect' : 'timeout');
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

  /** How much bigger than stored objects leave the edge; 1: as stored. */
  bytesFactor(): number {
    return this.plan.bytesX ?? 1;
  }
}

const SIGNING_KEY_PREFIX = kvsKeys.signingSecret('');

/** The faults of a request arriving at `atMs` (the plan asked once); undefined when the edge has no fault hooks. */
export function requestFaults(hooks: EdgeFaultHooks | undefined, atMs: number): RequestFaults | undefined {
  return hooks ? new RequestFaults(hooks.plan(atMs) ?? {}, hooks) : undefined;
}
