import { LIST_PRICES_USD } from '../sources/cost-model.ts';
import type { BehaviorStats, CacheAnalysis } from './cache-analysis.ts';
import type { ReportRecommendation, ReportTunables, StorageSection } from './types.ts';

const DAYS_PER_MONTH = 30;
/** Longest TTL the report proposes for a path whose objects may change: a week. */
const MAX_PROPOSED_TTL_SECONDS = 604_800;

/** Escapes a JSON Pointer segment (RFC 6901): path patterns contain `/`. */
export const pointer = (...segments: string[]) =>
  `/${segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

/**
 * A longer TTL where the replay says it removes most revalidations: the shortest candidate that gets 80 % of
 * the largest reduction the ladder offers (past it, returns diminish while staleness grows).
 */
export function cacheRecommendations(
  analysis: CacheAnalysis,
  tunables: ReportTunables,
  options: { guardSlos?: string[]; day: string },
): ReportRecommendation[] {
  const out: ReportRecommendation[] = [];
  for (const b of analysis.behaviors) {
    const current = b.currentTtlSeconds;
    const configured = tunables.cache.behaviors[b.pattern];
    if (current === undefined || !configured || b.cacheable === 0) continue;
    const now = b.whatIf.find((w) => w.ttlSeconds === current)?.revalidations ?? b.refreshHits;
    const candidates = b.whatIf.filter(
      (w) => w.ttlSeconds > current && w.ttlSeconds <= MAX_PROPOSED_TTL_SECONDS,
    );
    const best = Math.min(now, ...candidates.map((w) => w.revalidations));
    const gain = now - best;
    if (gain < Math.max(10, 0.2 * now)) continue;
    const pick = candidates.find((w) => now - w.revalidations >= 0.8 * gain);
    if (!pick) continue;
    out.push(ttlRecommendation(b, configured, now, pick, options));
  }
  return out;
}

function ttlRecommendation(
  b: BehaviorStats,
  configured: { defaultTtlSeconds: number; maxTtlSeconds: number },
  now: number,
  pick: { ttlSeconds: number; revalidations: number },
  options: { guardSlos?: string[]; day: string },
): ReportRecommendation {
  const saved = now - pick.revalidations;
  const perMonth = saved * DAYS_PER_MONTH;
  const originGetUsd = (perMonth / 1000) * LIST_PRICES_USD.s3Per1kGetRequests;
  const latencyGainMs =
    b.medianMs.refreshHit !== null && b.medianMs.hit !== null
      ? round(Math.max(0, b.medianMs.refreshHit - b.medianMs.hit), 1)
      : undefined;
  const hitRatio = b.hitRatio ?? 0;
  const expected = Math.min(1, (b.hits + saved) / b.cacheable);
  const patch = [
    {
      op: 'replace' as const,
      path: pointer('cache', 'behaviors', b.pattern, 'defaultTtlSeconds'),
      value: pick.ttlSeconds,
    },
    ...(pick.ttlSeconds > configured.maxTtlSeconds
      ? [
          {
            op: 'replace' as const,
            path: pointer('cache', 'behaviors', b.pattern, 'maxTtlSeconds'),
            value: pick.ttlSeconds,
          },
        ]
      : []),
  ];
  return {
    id: `cache:${b.pattern}`,
    kind: 'cache',
    title: `Cache ${b.pattern} for ${humanSeconds(pick.ttlSeconds)} (now ${humanSeconds(configured.defaultTtlSeconds)})`,
    rationale: `${now} of ${b.cacheable} cacheable requests to ${b.pattern} revalidated an expired copy; at ${humanSeconds(pick.ttlSeconds)} the replay of the same requests gives ${pick.revalidations}.`,
    evidence: [
      {
        label: 'cacheable requests',
        value: String(b.cacheable),
        ref: { section: 'cache', pattern: b.pattern, day: options.day },
      },
      { label: 'edge hit ratio', value: `${(hitRatio * 100).toFixed(1)} %` },
      { label: 'revalidations (RefreshHit) replayed at current TTL', value: String(now) },
      { label: `revalidations replayed at ${pick.ttlSeconds} s`, value: String(pick.revalidations) },
      {
        label: 'median ms hit / refresh / miss',
        value: `${b.medianMs.hit ?? '-'} / ${b.medianMs.refreshHit ?? '-'} / ${b.medianMs.miss ?? '-'}`,
      },
    ],
    estimate: {
      monthlySavingUsd: round(originGetUsd, 4),
      ...(latencyGainMs !== undefined ? { latencyGainMs } : {}),
      metric: {
        name: 'edge.hit_ratio',
        unit: 'ratio',
        before: round(hitRatio, 4),
        expected: round(expected, 4),
      },
      assumptions: [
        `the report day's traffic repeats for ${DAYS_PER_MONTH} days`,
        `each revalidation avoided saves one origin GET at $${LIST_PRICES_USD.s3Per1kGetRequests} per 1,000 (304s carry no body)`,
        'misses from eviction or changed objects are not modelled: only revalidations move',
        'latency gain: median RefreshHit minus median Hit time-taken at the edge',
      ],
    },
    risk: `viewers may see an object up to ${humanSeconds(pick.ttlSeconds)} old after it changes at the origin (an invalidation clears it)`,
    reversible: true,
    reversibility:
      'roll back the change set; copies already cached keep the longer TTL until they expire or are invalidated',
    changeSet: {
      document: 'tunables',
      patch,
      verification: {
        metric: 'edge.hit_ratio',
        scope: { pattern: b.pattern },
        windowMinutes: 60,
        direction: 'increase',
        expected: round(expected, 4),
        guardSlos: options.guardSlos ?? [],
      },
    },
  };
}

/** S3 list prices (us-east-1) per GB-month and per GB retrieved; minimum billable size and duration. */
const STORAGE_CLASSES = {
  STANDARD: { perGbMonth: LIST_PRICES_USD.s3PerGbMonth, retrievalPerGb: 0, minBytes: 0, minDays: 0 },
  STANDARD_IA: { perGbMonth: 0.0125, retrievalPerGb: 0.01, minBytes: 131_072, minDays: 30 },
  GLACIER_IR: { perGbMonth: 0.004, retrievalPerGb: 0.03, minBytes: 131_072, minDays: 90 },
} as const;
type StorageClass = keyof typeof STORAGE_CLASSES;

/** Monthly cost of one object in a class, read `readsPerMonth` times (at least its minimum size billed). */
export function monthlyObjectCost(storageClass: StorageClass, bytes: number, readsPerMonth: number): number {
  const c = STORAGE_CLASSES[storageClass];
  const gb = Math.max(bytes, c.minBytes) / 1e9;
  return gb * c.perGbMonth + readsPerMonth * (bytes / 1e9) * c.retrievalPerGb;
}

export interface StoredObject {
  key: string;
  bytes: number;
  /** Origin reads (edge fetches that reached the bucket) over the lookback. */
  reads: number;
  /** Days since the object was written: what a lifecycle rule counts. */
  ageDays: number;
}

/** A storage scan with what it read: `read` input records used, `skipped` those that were not parseable. */
export interface StoredObjectScan {
  objects: StoredObject[];
  read: number;
  skipped: number;
}

/**
 * Break-even per object, and a lifecycle rule from age and reads: move to Standard-IA after `d` days when the
 * objects that old, read as often as they are now, would cost less there (reads and minimums included).
 */
export function storageAnalysis(
  objects: readonly StoredObject[],
  lookbackDays: number,
  tunables: ReportTunables,
  day: string,
): { section: StorageSection; recommendations: ReportRecommendation[] } {
  const monthly = (o: StoredObject) => (o.reads * DAYS_PER_MONTH) / Math.max(1, lookbackDays);
  const rows = new Map<StorageClass, { objects: number; bytes: number; monthlyUsd: number }>();
  for (const o of objects) {
    const reads = monthly(o);
    const best = (Object.keys(STORAGE_CLASSES) as StorageClass[]).reduce((a, b) =>
      monthlyObjectCost(b, o.bytes, reads) < monthlyObjectCost(a, o.bytes, reads) ? b : a,
    );
    const row = rows.get(best) ?? { objects: 0, bytes: 0, monthlyUsd: 0 };
    row.objects += 1;
    row.bytes += o.bytes;
    row.monthlyUsd += monthlyObjectCost(best, o.bytes, reads);
    rows.set(best, row);
  }
  const section: StorageSection = {
    objects: objects.length,
    bytes: objects.reduce((s, o) => s + o.bytes, 0),
    lookbackDays,
    bestClass: [...rows].map(([storageClass, r]) => ({
      storageClass,
      ...r,
      monthlyUsd: round(r.monthlyUsd, 4),
    })),
    breakEvenReadsPerMonth: {
      standardToIa: round(
        (STORAGE_CLASSES.STANDARD.perGbMonth - STORAGE_CLASSES.STANDARD_IA.perGbMonth) /
          STORAGE_CLASSES.STANDARD_IA.retrievalPerGb,
        3,
      ),
      iaToGlacierIr: round(
        (STORAGE_CLASSES.STANDARD_IA.perGbMonth - STORAGE_CLASSES.GLACIER_IR.perGbMonth) /
          (STORAGE_CLASSES.GLACIER_IR.retrievalPerGb - STORAGE_CLASSES.STANDARD_IA.retrievalPerGb),
        3,
      ),
    },
  };
  const current = tunables.storage?.content?.infrequentAccessAfterDays;
  const recommendations: ReportRecommendation[] = [];
  if (current !== undefined) {
    const saving = (d: number) =>
      objects
        .filter((o) => o.ageDays >= d)
        .reduce(
          (s, o) =>
            s +
            monthlyObjectCost('STANDARD', o.bytes, monthly(o)) -
            monthlyObjectCost('STANDARD_IA', o.bytes, monthly(o)),
          0,
        );
    const options = [30, 45, 60, 90, 180].filter((d) => d !== current);
    const best = options.reduce((a, b) => (saving(b) > saving(a) ? b : a), current);
    const gain = saving(best) - saving(current);
    if (best !== current && gain > 0.01) {
      recommendations.push({
        id: 'storage:content:infrequentAccessAfterDays',
        kind: 'storage',
        title: `Move content to Standard-IA after ${best} days (now ${current})`,
        rationale: `objects ${best}+ days old are read less often than Standard-IA's break-even (${section.breakEvenReadsPerMonth.standardToIa} reads a month)`,
        evidence: [
          {
            label: `objects ≥ ${best} days old`,
            value: String(objects.filter((o) => o.ageDays >= best).length),
          },
          {
            label: 'lookback',
            value: `${lookbackDays} days of origin reads`,
            ref: { section: 'storage', day },
          },
        ],
        estimate: {
          monthlySavingUsd: round(gain, 4),
          assumptions: [
            'reads per object per month = reads in the lookback scaled to 30 days',
            'Standard $0.023, Standard-IA $0.0125 per GB-month; IA retrieval $0.01/GB; 128 KB minimum billed size',
            'the 30-day minimum storage duration is met: the rule moves objects once, and they stay',
          ],
        },
        risk: 'objects read again after the move pay retrieval fees; reads keep their latency (Standard-IA is not archival)',
        reversible: true,
        reversibility: 'roll back the rule; objects already moved stay in Standard-IA until copied back',
        changeSet: {
          document: 'tunables',
          patch: [
            { op: 'replace', path: pointer('storage', 'content', 'infrequentAccessAfterDays'), value: best },
          ],
        },
      });
    }
  }
  return { section, recommendations };
}

export const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export function humanSeconds(s: number): string {
  if (s % 86_400 === 0) return `${s / 86_400} d`;
  if (s % 3_600 === 0) return `${s / 3_600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}
