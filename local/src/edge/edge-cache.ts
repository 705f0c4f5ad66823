import { LRUCache } from 'lru-cache';
import type { ContentObject } from '@boundless/delivery';
import { type CacheBehavior, CacheBehaviors } from './cache-behaviors.ts';

/** How a cached lookup was satisfied; `OriginShieldHit` only ever appears as the detailed type. */
export type CacheResult = 'Hit' | 'RefreshHit' | 'Miss';
export type DetailedCacheResult = CacheResult | 'OriginShieldHit';

export interface CachedObject {
  object: ContentObject;
  /** Epoch ms when this copy was fetched or last revalidated (for the Age header). */
  storedAt: number;
}

export interface CacheLookup {
  /** Undefined when the origin has no such object. */
  object: ContentObject | undefined;
  result: CacheResult;
  detailed: DetailedCacheResult;
  ageSeconds: number;
}

/** What the cache needs from the origin: a full fetch and a cheap conditional check by ETag. */
export interface CacheOrigin {
  fetch(key: string): Promise<ContentObject | undefined>;
  /** `unchanged` when the origin still holds the version with this ETag. */
  revalidate(key: string, etag: string): Promise<'unchanged' | 'changed'>;
}

export interface EdgeCacheOptions {
  maxEntries: number;
  maxBytes: number;
  defaultTtlSeconds: number;
  originShield: boolean;
  /** Sizing of the regional shield tier, usually larger than one edge location; defaults to the edge's. */
  shield?: { maxEntries: number; maxBytes: number };
  /** Epoch milliseconds; drives expiry so tests can step past a TTL. */
  clock: () => number;
  /** TTLs per path pattern; paths no behaviour matches get `defaultTtlSeconds`. */
  behaviors?: readonly CacheBehavior[];
}

type Tier = LRUCache<string, CachedObject>;

function createTier(options: EdgeCacheOptions, sizing: { maxEntries: number; maxBytes: number }): Tier {
  return new LRUCache<string, CachedObject>({
    max: sizing.maxEntries,
    maxSize: sizing.maxBytes,
    sizeCalculation: (entry) => Math.max(1, entry.object.body.length),
    ttl: options.defaultTtlSeconds * 1000,
    // Stale entries stay until evicted so they can be revalidated (RefreshHit) instead of refetched.
    allowStale: true,
    noDeleteOnStaleGet: true,
    ttlResolution: 0,
    perf: { now: options.clock },
  });
}

/**
 * The edge location's cache and, when Origin Shield is on, the regional shield cache behind it. A miss at the
 * edge that the shield can answer never reaches the origin. Objects larger than `maxBytes` pass uncached.
 */
export class EdgeCache {
  readonly #edge: Tier;
  readonly #shield: Tier | undefined;
  readonly #clock: () => number;
  readonly behaviors: CacheBehaviors;

  constructor(options: EdgeCacheOptions) {
    this.#edge = createTier(options, options);
    this.#shield = options.originShield ? createTier(options, options.shield ?? options) : undefined;
    this.#clock = options.clock;
    this.behaviors = new CacheBehaviors(options.behaviors ?? [], options.defaultTtlSeconds);
  }

  /** Stores a copy for its behaviour's TTL (read at store time, as a cache policy is). */
  #store(tier: Tier, key: string, entry: CachedObject): void {
    tier.set(key, entry, { ttl: this.behaviors.ttlSecondsFor(key) * 1000 });
  }

  async lookup(key: string, origin: CacheOrigin): Promise<CacheLookup> {
    const status: LRUCache.Status<string, CachedObject> = {};
    const cached = this.#edge.get(key, { status });
    if (cached && status.get === 'hit') return this.#answer(cached, 'Hit', 'Hit');
    if (cached) {
      const refreshed = await this.#refresh(key, cached, origin);
      if (refreshed) return this.#answer(refreshed, 'RefreshHit', 'RefreshHit');
      return this.#fromOrigin(key, origin);
    }
    return this.#behindEdge(key, origin);
  }

  /** Drops an object from both tiers (an invalidation). */
  invalidate(key: string): void {
    this.#edge.delete(key);
    this.#shield?.delete(key);
  }

  get size(): { edgeEntries: number; edgeBytes: number; shieldEntries: number } {
    return {
      edgeEntries: this.#edge.size,
      edgeBytes: this.#edge.calculatedSize,
      shieldEntries: this.#shield?.size ?? 0,
    };
  }

  async #behindEdge(key: string, origin: CacheOrigin): Promise<CacheLookup> {
    const shield = this.#shield;
    if (!shield) return this.#fromOrigin(key, origin);
    const status: LRUCache.Status<string, CachedObject> = {};
    const cached = shield.get(key, { status });
    if (cached && status.get === 'hit') {
      this.#store(this.#edge, key, cached);
      return this.#answer(cached, 'Miss', 'OriginShieldHit');
    }
    if (cached) {
      const refreshed = await this.#revalidate(shield, key, cached, origin);
      if (refreshed) {
        this.#store(this.#edge, key, refreshed);
        return this.#answer(refreshed, 'Miss', 'OriginShieldHit');
      }
    }
    return this.#fromOrigin(key, origin);
  }

  // A stale edge copy is confirmed against the shield first (it may hold a fresher confirmation), then origin.
  async #refresh(key: string, stale: CachedObject, origin: CacheOrigin): Promise<CachedObject | undefined> {
    const status: LRUCache.Status<string, CachedObject> = {};
    const shielded = this.#shield?.get(key, { status });
    if (shielded && status.get === 'hit' && shielded.object.etag === stale.object.etag) {
      const renewed = { object: stale.object, storedAt: this.#clock() };
      this.#store(this.#edge, key, renewed);
      return renewed;
    }
    const renewed = await this.#revalidate(this.#edge, key, stale, origin);
    if (renewed && this.#shield) this.#store(this.#shield, key, renewed);
    return renewed;
  }

  async #revalidate(tier: Tier, key: string, stale: CachedObject, origin: CacheOrigin) {
    if ((await origin.revalidate(key, stale.object.etag)) !== 'unchanged') return undefined;
    const renewed = { object: stale.object, storedAt: this.#clock() };
    this.#store(tier, key, renewed);
    return renewed;
  }

  async #fromOrigin(key: string, origin: CacheOrigin): Promise<CacheLookup> {
    const object = await origin.fetch(key);
    if (!object) {
      this.invalidate(key);
      return { object: undefined, result: 'Miss', detailed: 'Miss', ageSeconds: 0 };
    }
    const entry = { object, storedAt: this.#clock() };
    if (this.#shield) this.#store(this.#shield, key, entry);
    this.#store(this.#edge, key, entry);
    return this.#answer(entry, 'Miss', 'Miss');
  }

  #answer(entry: CachedObject, result: CacheResult, detailed: DetailedCacheResult): CacheLookup {
    const ageSeconds = Math.max(0, Math.floor((this.#clock() - entry.storedAt) / 1000));
    return { object: entry.object, result, detailed, ageSeconds };
  }
}
