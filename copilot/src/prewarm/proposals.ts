import type { DemandMinute } from './demand.ts';
import { z } from 'zod';
import { forecastAhead } from '../forecast/causal.ts';
import { PrewarmError } from './errors.ts';

const MINUTE_MS = 60_000;

const burstOptionsSchema = z.object({
  leadMinutes: z.number().int().min(0),
  quantile: z.number().gt(0).lt(1).default(0.9),
  /** A burst is forecast demand at least this many times the last hour's observed mean. */
  burstRatio: z.number().gt(1).default(1.5),
  /** Bursts closer than this merge into one window. */
  mergeMinutes: z.number().int().min(0).default(10),
  minRequestsPerSecond: z.number().nonnegative().default(1),
  tableName: z.string().min(3).default('boundless'),
  /** DynamoDB reads and writes one request causes, to size warm throughput. */
  readsPerRequest: z.number().nonnegative().default(2),
  writesPerRequest: z.number().nonnegative().default(0.1),
  distributionPathPattern: z.string().default('/content/*'),
  /** TTL proposed during a burst so the edge absorbs it instead of the origin. */
  burstDefaultTtlSeconds: z.number().int().positive().default(3600),
});

export type BurstOptions = z.input<typeof burstOptionsSchema>;

interface BurstWindow {
  readonly start: string;
  readonly end: string;
  /** Forecast requests per second at the chosen quantile, at the burst's height. */
  readonly peakRequestsPerSecond: number;
  readonly baselineRequestsPerSecond: number;
}

/** Data for the approval flow: raise DynamoDB warm throughput (UpdateTable WarmThroughput) ahead of a burst. */
interface DynamoDbPrescaleProposal {
  readonly kind: 'dynamodb_warm_throughput';
  readonly tableName: string;
  readonly applyAt: string;
  readonly until: string;
  readonly WarmThroughput: { readonly ReadUnitsPerSecond: number; readonly WriteUnitsPerSecond: number };
  readonly reason: string;
}

/** Data for the approval flow: lengthen the edge TTL of a cache behaviour during a burst. */
interface CloudFrontTtlProposal {
  readonly kind: 'cloudfront_ttl';
  readonly pathPattern: string;
  readonly applyAt: string;
  readonly until: string;
  readonly DefaultTTL: number;
  readonly reason: string;
}

export interface BurstProposals {
  readonly bursts: BurstWindow[];
  readonly dynamodb: DynamoDbPrescaleProposal[];
  readonly cloudfront: CloudFrontTtlProposal[];
}

interface OpenWindow {
  startRow: number;
  endRow: number;
  peak: number;
  baseline: number;
}

/** Rows whose forecast is a burst against the hour observed before the forecast was made. */
function findBursts(minutes: readonly DemandMinute[], config: z.infer<typeof burstOptionsSchema>) {
  const times = minutes.map((m) => m.time);
  const rate = minutes.map((m) => m.requests / 60);
  const band = forecastAhead(times, rate, { leadMinutes: config.leadMinutes, quantiles: [config.quantile] })
    .quantiles[0]!;
  const windows: OpenWindow[] = [];
  let hourSum = 0;
  let hourStart = 0;
  let known = 0;
  for (let row = 0; row < minutes.length; row++) {
    const cutoff = times[row]! - config.leadMinutes * MINUTE_MS;
    while (known < row && times[known]! <= cutoff) hourSum += rate[known++]!;
    while (hourStart < known && times[hourStart]! <= cutoff - 60 * MINUTE_MS) hourSum -= rate[hourStart++]!;
    const baseline = known > hourStart ? hourSum / (known - hourStart) : Number.NaN;
    const forecast = band[row]!;
    if (!(forecast >= config.burstRatio * baseline) || forecast < config.minRequestsPerSecond) continue;
    const last = windows[windows.length - 1];
    if (last && times[row]! - times[last.endRow]! <= config.mergeMinutes * MINUTE_MS) {
      last.endRow = row;
      last.peak = Math.max(last.peak, forecast);
    } else {
      windows.push({ startRow: row, endRow: row, peak: forecast, baseline });
    }
  }
  return windows;
}

/**
 * The same causal forecast that drives pre-warming, read for bursts and turned into proposals for the
 * other tiers that must be ready before them: DynamoDB warm throughput and CloudFront TTLs. Proposals are
 * data; a person approves them through the change-set flow.
 */
export function proposeBurstPreparations(
  minutes: readonly DemandMinute[],
  options: BurstOptions,
): BurstProposals {
  const parsed = burstOptionsSchema.safeParse(options);
  if (!parsed.success) throw new PrewarmError(`bad burst options: ${parsed.error.message}`);
  const config = parsed.data;
  const iso = (time: number) => new Date(time).toISOString();
  const bursts: BurstWindow[] = [];
  const dynamodb: DynamoDbPrescaleProposal[] = [];
  const cloudfront: CloudFrontTtlProposal[] = [];
  for (const window of findBursts(minutes, config)) {
    const start = minutes[window.startRow]!.time;
    const end = minutes[window.endRow]!.time + MINUTE_MS;
    const applyAt = iso(start - config.leadMinutes * MINUTE_MS);
    const peak = Math.round(window.peak * 100) / 100;
    const reason = `forecast p${Math.round(config.quantile * 100)} ${peak} req/s is ${(window.peak / window.baseline).toFixed(1)}× the last hour (${window.baseline.toFixed(1)} req/s)`;
    bursts.push({
      start: iso(start),
      end: iso(end),
      peakRequestsPerSecond: peak,
      baselineRequestsPerSecond: window.baseline,
    });
    dynamodb.push({
      kind: 'dynamodb_warm_throughput',
      tableName: config.tableName,
      applyAt,
      until: iso(end),
      WarmThroughput: {
        ReadUnitsPerSecond: Math.ceil(window.peak * config.readsPerRequest),
        WriteUnitsPerSecond: Math.ceil(window.peak * config.writesPerRequest),
      },
      reason,
    });
    cloudfront.push({
      kind: 'cloudfront_ttl',
      pathPattern: config.distributionPathPattern,
      applyAt,
      until: iso(end),
      DefaultTTL: config.burstDefaultTtlSeconds,
      reason,
    });
  }
  return { bursts, dynamodb, cloudfront };
}
