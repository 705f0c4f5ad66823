/**
 * API Gateway's throttling of an HTTP API stage, per route: a token bucket that refills at `rateLimit` requests
 * a second up to `burstLimit`; a request that finds it empty is answered 429 before any function runs. Routes
 * without their own limits take the stage default, each with a bucket of its own (route settings are per route).
 */
export interface ThrottleLimits {
  rateLimit: number;
  burstLimit: number;
}

export interface ThrottlingSettings {
  default: ThrottleLimits;
  routes?: Record<string, ThrottleLimits>;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
  limits: ThrottleLimits;
}

export class ApiThrottling {
  private settings: ThrottlingSettings | undefined;
  private readonly buckets = new Map<string, Bucket>();
  private readonly throttled = new Map<string, number>();

  constructor(settings?: ThrottlingSettings) {
    this.settings = settings;
  }

  /** New limits apply at once; buckets keep their tokens up to the new burst. */
  set(settings: ThrottlingSettings | undefined): void {
    this.settings = settings;
    for (const [routeKey, bucket] of this.buckets) {
      const limits = this.limitsFor(routeKey);
      if (!limits) this.buckets.delete(routeKey);
      else {
        bucket.limits = limits;
        bucket.tokens = Math.min(bucket.tokens, limits.burstLimit);
      }
    }
  }

  current(): ThrottlingSettings | undefined {
    return this.settings;
  }

  /** Takes a token for the route; false when the request must be throttled. */
  admit(routeKey: string, nowMs: number): boolean {
    const limits = this.limitsFor(routeKey);
    if (!limits) return true;
    let bucket = this.buckets.get(routeKey);
    if (!bucket) {
      bucket = { tokens: limits.burstLimit, refilledAt: nowMs, limits };
      this.buckets.set(routeKey, bucket);
    }
    const elapsed = Math.max(0, nowMs - bucket.refilledAt) / 1000;
    bucket.tokens = Math.min(bucket.limits.burstLimit, bucket.tokens + elapsed * bucket.limits.rateLimit);
    bucket.refilledAt = nowMs;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    this.throttled.set(routeKey, (this.throttled.get(routeKey) ?? 0) + 1);
    return false;
  }

  throttledCounts(): Record<string, number> {
    return Object.fromEntries(this.throttled);
  }

  private limitsFor(routeKey: string): ThrottleLimits | undefined {
    return this.settings?.routes?.[routeKey] ?? this.settings?.default;
  }
}
