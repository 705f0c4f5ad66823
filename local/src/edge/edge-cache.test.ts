import { describe, expect, it } from 'vitest';
import type { ContentObject } from '@boundless/delivery';
import { type CacheOrigin, EdgeCache } from './edge-cache.ts';

function fakeOrigin(objects: Map<string, ContentObject>) {
  const calls = { fetch: 0, revalidate: 0 };
  const origin: CacheOrigin = {
    async fetch(key) {
      calls.fetch += 1;
      return objects.get(key);
    },
    async revalidate(key, etag) {
      calls.revalidate += 1;
      return objects.get(key)?.etag === etag ? 'unchanged' : 'changed';
    },
  };
  return { origin, calls };
}

function object(key: string, text: string, etag: string): ContentObject {
  const body = Buffer.from(text);
  return { key, body, size: body.length, etag, lastModified: new Date(0), contentType: 'text/plain' };
}

function setup(originShield: boolean) {
  let now = 1_000_000;
  const objects = new Map([['a', object('a', 'hello', '"v1"')]]);
  const { origin, calls } = fakeOrigin(objects);
  const cache = new EdgeCache({
    maxEntries: 10,
    maxBytes: 1000,
    defaultTtlSeconds: 60,
    originShield,
    clock: () => now,
  });
  return { cache, origin, calls, objects, advance: (ms: number) => (now += ms) };
}

describe('Class: EdgeCache', () => {
  describe('Method: lookup', () => {
    it('misses, then hits without touching the origin', async () => {
      const { cache, origin, calls, advance } = setup(false);
      expect((await cache.lookup('a', origin)).result).toBe('Miss');
      advance(5_000);
      const hit = await cache.lookup('a', origin);
      expect(hit).toMatchObject({ result: 'Hit', detailed: 'Hit', ageSeconds: 5 });
      expect(calls.fetch).toBe(1);
    });

    it('revalidates a stale copy: RefreshHit when unchanged, Miss with the new body when changed', async () => {
      const { cache, origin, calls, objects, advance } = setup(false);
      await cache.lookup('a', origin);
      advance(61_000);
      expect((await cache.lookup('a', origin)).result).toBe('RefreshHit');
      expect(calls).toEqual({ fetch: 1, revalidate: 1 });
      expect((await cache.lookup('a', origin)).result).toBe('Hit');
      objects.set('a', object('a', 'changed', '"v2"'));
      advance(61_000);
      const changed = await cache.lookup('a', origin);
      expect(changed.result).toBe('Miss');
      expect(changed.object?.body.toString()).toBe('changed');
    });

    it('answers an edge miss from the Origin Shield without reaching the origin', async () => {
      const objects = new Map([
        ['a', object('a', 'hello', '"v1"')],
        ['b', object('b', 'world', '"v1"')],
      ]);
      const { origin, calls } = fakeOrigin(objects);
      const cache = new EdgeCache({
        maxEntries: 1,
        maxBytes: 1000,
        defaultTtlSeconds: 60,
        originShield: true,
        shield: { maxEntries: 10, maxBytes: 10_000 },
        clock: () => 0,
      });
      await cache.lookup('a', origin);
      await cache.lookup('b', origin); // the small edge tier evicts a; the shield keeps it
      expect(await cache.lookup('a', origin)).toMatchObject({ result: 'Miss', detailed: 'OriginShieldHit' });
      expect(calls.fetch).toBe(2);
    });

    it('passes objects larger than the cache through uncached and forgets deleted objects', async () => {
      const { cache, origin, calls, objects } = setup(false);
      objects.set('big', object('big', 'x'.repeat(2000), '"b"'));
      await cache.lookup('big', origin);
      expect((await cache.lookup('big', origin)).result).toBe('Miss');
      expect(calls.fetch).toBe(2);
      objects.delete('a');
      expect((await cache.lookup('a', origin)).object).toBeUndefined();
    });
  });
});
