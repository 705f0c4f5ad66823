import type { EdgeLogRecord } from '../logs/edge-log-record.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { behaviorMatcher } from './path-pattern.ts';

/**
 * How the distribution's cache behaves, per cache behaviour (path pattern) and per content type: requests, edge
 * hits, revalidations (RefreshHit: the copy had expired and the edge asked upstream), misses, bytes to viewers,
 * origin fetches and origin bytes (misses Origin Shield did not answer), and time-taken by result type.
 *
 * And a replay of the same requests under other TTLs: per edge location and cache key, a request within the TTL
 * of the last validation is a hit, a later one a revalidation. Misses from eviction or changed objects are not
 * modelled: the replay predicts the change in revalidations, which is added to what was observed.
 */
const TTL_LADDER_SECONDS = [60, 300, 900, 3_600, 14_400, 86_400, 604_800, 2_592_000] as const;

export interface CacheCounts {
  requests: number;
  /** Requests the cache answered or fetched for (Hit, RefreshHit, Miss). */
  cacheable: number;
  hits: number;
  refreshHits: number;
  misses: number;
  originShieldHits: number;
  bytes: number;
  originFetches: number;
  originBytes: number;
}

interface TtlWhatIf {
  ttlSeconds: number;
  /** Revalidations the replay predicts at this TTL. */
  revalidations: number;
}

export interface BehaviorStats extends CacheCounts {
  pattern: string;
  hitRatio: number | null;
  /** Median time-taken (ms) of Hits, RefreshHits and Misses. */
  medianMs: { hit: number | null; refreshHit: number | null; miss: number | null };
  /** Replayed revalidations per candidate TTL, the current TTL included. */
  whatIf: TtlWhatIf[];
  currentTtlSeconds: number | undefined;
}

interface ContentTypeStats extends CacheCounts {
  contentType: string;
  hitRatio: number | null;
}

export interface CacheAnalysis {
  fromMs: number;
  toMs: number;
  total: CacheCounts & { hitRatio: number | null };
  behaviors: BehaviorStats[];
  contentTypes: ContentTypeStats[];
  /** Requests per hour of the window, and their edge hit ratio: the report's chart. */
  hourly: { hourMs: number; requests: number; hitRatio: number | null }[];
}

const emptyCounts = (): CacheCounts => ({
  requests: 0,
  cacheable: 0,
  hits: 0,
  refreshHits: 0,
  misses: 0,
  originShieldHits: 0,
  bytes: 0,
  originFetches: 0,
  originBytes: 0,
});

const tenths = (ms: number | null) => (ms === null ? null : Math.round(ms * 10) / 10);

const ratio = (c: CacheCounts) => (c.cacheable === 0 ? null : c.hits / c.cacheable);

function count(c: CacheCounts, r: EdgeLogRecord): void {
  c.requests += 1;
  c.bytes += r.bytes;
  const result = r.edgeResultType;
  if (result !== 'Hit' && result !== 'RefreshHit' && result !== 'Miss') return;
  c.cacheable += 1;
  if (result === 'Hit') c.hits += 1;
  else if (result === 'RefreshHit') c.refreshHits += 1;
  else if (r.detailedResultType === 'OriginShieldHit') {
    c.misses += 1;
    c.originShieldHits += 1;
  } else {
    c.misses += 1;
    c.originFetches += 1;
    c.originBytes += r.bytes;
  }
}

interface BehaviorState {
  counts: CacheCounts;
  latency: { hit: LatencyHistogram; refreshHit: LatencyHistogram; miss: LatencyHistogram };
  /** Per edge location + cache key: last validation time under each candidate TTL. */
  validated: Map<string, Float64Array>;
  revalidations: Float64Array;
}

export class CacheAnalyzer {
  private readonly match: (path: string) => string;
  private readonly behaviors = new Map<string, BehaviorState>();
  private readonly types = new Map<string, CacheCounts>();
  private readonly total = emptyCounts();
  private readonly hours = new Map<number, CacheCounts>();
  private readonly ladder: number[];

  constructor(
    private readonly ttls: Readonly<Record<string, number>>,
    private readonly window: { fromMs: number; toMs: number },
  ) {
    this.match = behaviorMatcher(Object.keys(ttls));
    this.ladder = [...new Set([...TTL_LADDER_SECONDS, ...Object.values(ttls)])].sort((a, b) => a - b);
  }

  add(r: EdgeLogRecord): void {
    const pattern = this.match(r.uriStem);
    const state = this.behaviors.get(pattern) ?? this.newBehavior(pattern);
    count(state.counts, r);
    count(this.total, r);
    const type = (r.contentType || '-').split(';')[0]!.trim().toLowerCase() || '-';
    const typeCounts = this.types.get(type) ?? emptyCounts();
    this.types.set(type, typeCounts);
    count(typeCounts, r);
    const hour = Math.floor(r.timestampMs / 3_600_000) * 3_600_000;
    const hourCounts = this.hours.get(hour) ?? emptyCounts();
    this.hours.set(hour, hourCounts);
    count(hourCounts, r);
    const result = r.edgeResultType;
    if (result === 'Hit') state.latency.hit.add(r.timeTakenMs);
    else if (result === 'RefreshHit') state.latency.refreshHit.add(r.timeTakenMs);
    else if (result === 'Miss') state.latency.miss.add(r.timeTakenMs);
    else return;
    this.replay(
      state,
      `${r.edgeLocation}|${r.uriStem}?${r.query === '-' ? '' : r.query}`,
      r.timestampMs,
      result,
      this.ttls[pattern],
    );
  }

  result(): CacheAnalysis {
    const behaviors: BehaviorStats[] = [...this.behaviors].map(([pattern, s]) => ({
      pattern,
      ...s.counts,
      hitRatio: ratio(s.counts),
      medianMs: {
        hit: tenths(s.latency.hit.quantile(0.5)),
        refreshHit: tenths(s.latency.refreshHit.quantile(0.5)),
        miss: tenths(s.latency.miss.quantile(0.5)),
      },
      whatIf: this.ladder.map((ttlSeconds, i) => ({ ttlSeconds, revalidations: s.revalidations[i]! })),
      currentTtlSeconds: this.ttls[pattern],
    }));
    const order = Object.keys(this.ttls);
    behaviors.sort((a, b) => order.indexOf(a.pattern) - order.indexOf(b.pattern));
    return {
      ...this.window,
      total: { ...this.total, hitRatio: ratio(this.total) },
      behaviors,
      contentTypes: [...this.types]
        .map(([contentType, c]) => ({ contentType, ...c, hitRatio: ratio(c) }))
        .sort((a, b) => b.bytes - a.bytes),
      hourly: [...this.hours]
        .sort(([a], [b]) => a - b)
        .map(([hourMs, c]) => ({ hourMs, requests: c.requests, hitRatio: ratio(c) })),
    };
  }

  private newBehavior(pattern: string): BehaviorState {
    const state: BehaviorState = {
      counts: emptyCounts(),
      latency: {
        hit: new LatencyHistogram(),
        refreshHit: new LatencyHistogram(),
        miss: new LatencyHistogram(),
      },
      validated: new Map(),
      revalidations: new Float64Array(this.ladder.length),
    };
    this.behaviors.set(pattern, state);
    return state;
  }

  /**
   * Standard logs stamp a request to the whole second, so a replay cannot tell a 1.2 s gap from a 1 s one: at a
   * TTL of a few seconds it would call most expired copies fresh. At the TTL in force the edge's own verdict is
   * in the record, so that rung follows it (a RefreshHit is a revalidation, a Miss a fresh copy); the other rungs
   * are replayed.
   */
  private replay(
    state: BehaviorState,
    key: string,
    atMs: number,
    result: 'Hit' | 'RefreshHit' | 'Miss',
    currentTtlSeconds: number | undefined,
  ): void {
    const last = state.validated.get(key);
    if (!last) {
      state.validated.set(key, new Float64Array(this.ladder.length).fill(atMs));
      return;
    }
    for (let i = 0; i < this.ladder.length; i++) {
      if (this.ladder[i] === currentTtlSeconds) {
        if (result === 'RefreshHit') state.revalidations[i]! += 1;
        if (result !== 'Hit') last[i] = atMs;
      } else if (atMs - last[i]! > this.ladder[i]! * 1000) {
        state.revalidations[i]! += 1;
        last[i] = atMs;
      }
    }
  }
}
