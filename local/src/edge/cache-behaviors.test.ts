import { describe, expect, it } from 'vitest';
import { CacheBehaviors, pathPatternMatcher } from './cache-behaviors.ts';
import { EdgeCache } from './edge-cache.ts';

describe('Function: pathPatternMatcher', () => {
  it('matches CloudFront path patterns: * across slashes, ? one character, default everything', () => {
    expect(pathPatternMatcher('/titles/*.epub')('/titles/t-1/book.epub')).toBe(true);
    expect(pathPatternMatcher('/titles/*.epub')('/titles/t-1/book.epubx')).toBe(false);
    expect(pathPatternMatcher('/titles/*')('/titles/t-1/epub/ch001.xhtml')).toBe(true);
    expect(pathPatternMatcher('/public/*')('/publicity')).toBe(false);
    expect(pathPatternMatcher('/img/?.png')('/img/a.png')).toBe(true);
    expect(pathPatternMatcher('/img/?.png')('/img/ab.png')).toBe(false);
    expect(pathPatternMatcher('default')('/anything')).toBe(true);
  });
});

describe('Class: CacheBehaviors', () => {
  it('takes the first matching behaviour in order, default last, TTL clamped to min and max', () => {
    const behaviors = new CacheBehaviors(
      [
        { pattern: 'default', defaultTtlSeconds: 60 },
        { pattern: '/titles/*.epub', defaultTtlSeconds: 604_800 },
        { pattern: '/titles/*', defaultTtlSeconds: 86_400 },
        { pattern: '/public/*', defaultTtlSeconds: 30, minTtlSeconds: 120 },
      ],
      1,
    );
    expect(behaviors.ttlSecondsFor('/titles/t-1/book.epub')).toBe(604_800);
    expect(behaviors.ttlSecondsFor('/titles/t-1/cover.jpg?size=2')).toBe(86_400);
    expect(behaviors.ttlSecondsFor('/public/titles/t-1.html')).toBe(120);
    expect(behaviors.ttlSecondsFor('/robots.txt')).toBe(60);
    expect(new CacheBehaviors([], 7).ttlSecondsFor('/x')).toBe(7);
  });
});

describe('Class: EdgeCache with behaviours', () => {
  it('keeps each object for its own behaviour TTL, and a changed TTL applies to copies stored after it', async () => {
    // lru-cache reads a start time of 0 as none: begin later.
    const t0 = 1_000_000;
    let now = t0;
    let fetches = 0;
    const origin = {
      fetch: async (key: string) => {
        fetches += 1;
        return {
          key,
          body: Buffer.from(key),
          contentType: 'text/html',
          etag: '"1"',
          size: key.length,
          lastModified: new Date(0),
        };
      },
      revalidate: async () => 'changed' as const,
    };
    const cache = new EdgeCache({
      maxEntries: 100,
      maxBytes: 1_000_000,
      defaultTtlSeconds: 86_400,
      originShield: false,
      clock: () => now,
      behaviors: [
        { pattern: '/public/*', defaultTtlSeconds: 300 },
        { pattern: 'default', defaultTtlSeconds: 3600 },
      ],
    });
    await cache.lookup('/public/a.html', origin);
    now = t0 + 301_000;
    expect((await cache.lookup('/public/a.html', origin)).result).toBe('Miss');
    expect((await cache.lookup('/public/a.html', origin)).result).toBe('Hit');
    cache.behaviors.set([{ pattern: '/public/*', defaultTtlSeconds: 3600 }]);
    now = t0 + 302_000 + 301_000;
    expect((await cache.lookup('/public/a.html', origin)).result).toBe('Miss');
    now += 600_000;
    expect((await cache.lookup('/public/a.html', origin)).result).toBe('Hit');
    expect(fetches).toBe(3);
  });
});
