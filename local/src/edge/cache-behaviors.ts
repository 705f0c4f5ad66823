import { pathPatternMatcher } from '@boundless/copilot/report';

/**
 * The distribution's cache behaviours as the local edge applies them: path patterns in CloudFront's order (the
 * first that matches wins, `default` last), each with its TTLs. Objects from the origin carry no Cache-Control,
 * so each is cached for its behaviour's default TTL, as CloudFront does; a change applies to objects cached
 * from then on (copies already cached keep the TTL they were stored with).
 */
export interface CacheBehavior {
  /** `/titles/*.epub`, `/public/*`, or `default`. */
  pattern: string;
  defaultTtlSeconds: number;
  minTtlSeconds?: number;
  maxTtlSeconds?: number;
  compress?: boolean;
}

export { pathPatternMatcher };

export class CacheBehaviors {
  private compiled: { behavior: CacheBehavior; matches: (path: string) => boolean }[] = [];

  constructor(
    behaviors: readonly CacheBehavior[],
    private readonly fallbackTtlSeconds: number,
  ) {
    this.set(behaviors);
  }

  /** Replaces the behaviours; `default` is moved last whatever its place. */
  set(behaviors: readonly CacheBehavior[]): void {
    const ordered = [
      ...behaviors.filter((b) => b.pattern !== 'default'),
      ...behaviors.filter((b) => b.pattern === 'default'),
    ];
    this.compiled = ordered.map((behavior) => ({ behavior, matches: pathPatternMatcher(behavior.pattern) }));
  }

  list(): CacheBehavior[] {
    return this.compiled.map((c) => ({ ...c.behavior }));
  }

  /** The behaviour serving a path, or undefined (none configured: the edge's own default TTL). */
  match(path: string): CacheBehavior | undefined {
    return this.compiled.find((c) => c.matches(path))?.behavior;
  }

  ttlSecondsFor(cacheKey: string): number {
    const q = cacheKey.indexOf('?');
    const behavior = this.match(q === -1 ? cacheKey : cacheKey.slice(0, q));
    if (!behavior) return this.fallbackTtlSeconds;
    const min = behavior.minTtlSeconds ?? 0;
    const max = behavior.maxTtlSeconds ?? Number.POSITIVE_INFINITY;
    return Math.min(max, Math.max(min, behavior.defaultTtlSeconds));
  }
}
