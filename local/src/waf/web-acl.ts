import type { IpSetRegistry } from './ip-sets.ts';

/**
 * The distribution's web ACL as the local edge evaluates it, before the signed URL check and the viewer-request
 * function, as CloudFront runs AWS WAF. Two rule shapes cover what the copilot acts through:
 *   - ip_set_block: requests from an address in the IP set are blocked;
 *   - rate_limit: a rate-based rule aggregated per address with an IP-set scope-down: an address in the set
 *     that sent more than `limit` requests in the trailing `windowSeconds` is blocked until its rate falls.
 * Rate counts use 10-second buckets (WAF re-evaluates rates about every 10 s) and count every request of an
 * address in scope, blocked ones included, as WAF does. Counts are kept only for addresses in the scope-down set,
 * so memory is bounded by the set's size (at most 10,000 addresses).
 */
export type WebAclRule =
  | { name: string; kind: 'ip_set_block'; ipSetId: string }
  | { name: string; kind: 'rate_limit'; ipSetId: string; limit: number; windowSeconds: RateWindowSeconds };

/** The evaluation windows AWS WAF offers for rate-based rules. */
export type RateWindowSeconds = 60 | 120 | 300 | 600;

export type WafVerdict = { blocked: false } | { blocked: true; rule: string; kind: WebAclRule['kind'] };

const BUCKET_MS = 10_000;
const ALLOW: WafVerdict = { blocked: false };

/** Requests of one address in 10-second buckets over the window, newest bucket at `newest`. */
interface RateCounter {
  buckets: Int32Array;
  newest: number;
}

export class WebAcl {
  readonly #counters = new Map<string, Map<string, RateCounter>>();
  #seenVersion = -1;

  constructor(
    private readonly ipSets: IpSetRegistry,
    private readonly rules: readonly WebAclRule[],
  ) {
    for (const rule of rules) {
      if (rule.kind !== 'rate_limit') continue;
      if (!Number.isInteger(rule.limit) || rule.limit < 10)
        throw new RangeError(`rate rule ${rule.name}: limit must be an integer of at least 10`);
      if (![60, 120, 300, 600].includes(rule.windowSeconds))
        throw new RangeError(`rate rule ${rule.name}: window must be 60, 120, 300 or 600 seconds`);
      this.#counters.set(rule.name, new Map());
    }
  }

  /** The first rule (in order) that blocks a request from `ip` at `nowMs`, or allow. */
  evaluate(ip: string, nowMs: number): WafVerdict {
    if (this.ipSets.version !== this.#seenVersion) this.#forgetRemoved();
    for (const rule of this.rules) {
      if (!this.ipSets.contains(rule.ipSetId, ip)) continue;
      if (rule.kind === 'ip_set_block') return { blocked: true, rule: rule.name, kind: rule.kind };
      const count = this.#count(rule, ip, nowMs);
      if (count > rule.limit) return { blocked: true, rule: rule.name, kind: rule.kind };
    }
    return ALLOW;
  }

  /** Addresses currently counted by each rate rule (for stats and tests). */
  trackedAddresses(): number {
    let n = 0;
    for (const counters of this.#counters.values()) n += counters.size;
    return n;
  }

  #count(rule: Extract<WebAclRule, { kind: 'rate_limit' }>, ip: string, nowMs: number): number {
    const counters = this.#counters.get(rule.name) as Map<string, RateCounter>;
    const bucket = Math.floor(nowMs / BUCKET_MS);
    let counter = counters.get(ip);
    if (!counter) {
      counter = { buckets: new Int32Array(rule.windowSeconds / 10), newest: bucket };
      counters.set(ip, counter);
    }
    const size = counter.buckets.length;
    if (bucket > counter.newest) {
      // Buckets that fell out of the window start again from zero.
      const stale = Math.min(size, bucket - counter.newest);
      for (let i = 1; i <= stale; i++) counter.buckets[(counter.newest + i) % size] = 0;
      counter.newest = bucket;
    }
    // A request older than the newest bucket (clock skew between callers) counts in the newest one.
    const at = counter.newest % size;
    counter.buckets[at] = counter.buckets[at]! + 1;
    let total = 0;
    for (let i = 0; i < size; i++) total += counter.buckets[i]!;
    return total;
  }

  /** Addresses taken out of a scope-down set stop being counted, and start from zero if they come back. */
  #forgetRemoved(): void {
    this.#seenVersion = this.ipSets.version;
    for (const rule of this.rules) {
      if (rule.kind !== 'rate_limit') continue;
      const counters = this.#counters.get(rule.name) as Map<string, RateCounter>;
      for (const ip of counters.keys()) if (!this.ipSets.contains(rule.ipSetId, ip)) counters.delete(ip);
    }
  }
}
