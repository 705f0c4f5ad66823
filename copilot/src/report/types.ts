import type { Operation } from 'fast-json-patch';
import type { Recommendation, VerificationSpec } from '../changes/types.ts';
import type { CacheAnalysis } from './cache-analysis.ts';

/**
 * The part of the tunables file (infra/tunables.json) the report reads and patches. The copilot does not depend
 * on infra: this is the shape, structurally; infra validates the patched file when a change set is proposed.
 */
export interface ReportTunables {
  cache: { behaviors: Record<string, { defaultTtlSeconds: number; maxTtlSeconds: number }> };
  storage?: { content?: { infrequentAccessAfterDays: number; glacierInstantRetrievalAfterDays: number } };
  api: {
    throttling: {
      default: { rateLimit: number; burstLimit: number };
      routes: Record<string, { rateLimit: number; burstLimit: number }>;
    };
  };
  lambda: { defaults: { memoryMb: number }; functions: Record<string, { memoryMb?: number }> };
}

type RecommendationKind = 'cache' | 'storage' | 'throttling' | 'right_sizing';

/** One recommendation: its evidence, estimate (with assumptions), risk, reversibility, and the change set. */
export interface ReportRecommendation extends Recommendation {
  id: string;
  kind: RecommendationKind;
  title: string;
  rationale: string;
  /** What an on-call engineer proposes (POST /api/change-sets) to carry it out. */
  changeSet: { document: 'tunables'; patch: Operation[]; verification?: VerificationSpec };
}

interface StorageClassRow {
  storageClass: 'STANDARD' | 'STANDARD_IA' | 'GLACIER_IR';
  objects: number;
  bytes: number;
  /** Monthly cost of those objects had they stayed in / moved to the class their reads favour. */
  monthlyUsd: number;
}

export interface StorageSection {
  objects: number;
  bytes: number;
  lookbackDays: number;
  /** Objects by the class their own reads make cheapest (break-even per object). */
  bestClass: StorageClassRow[];
  /** Reads per month below which a class beats the previous one, for a 1 MB object. */
  breakEvenReadsPerMonth: { standardToIa: number; iaToGlacierIr: number };
}

export interface RouteDemand {
  routeKey: string;
  requests: number;
  throttled: number;
  /** Requests in the busiest second, and the 99th percentile of seconds with traffic. */
  peakPerSecond: number;
  p99PerSecond: number;
  rateLimit: number;
  burstLimit: number;
}

export interface FunctionUse {
  functionName: string;
  handler: string | undefined;
  invocations: number;
  memoryMb: number;
  gbSeconds: number;
  p50Ms: number | null;
  p99Ms: number | null;
  coldStarts: number;
  monthlyUsd: number;
}

export interface CostSection {
  source: string;
  currency: string;
  /** Cost per service over the window ending on the report day, largest first. */
  services: { service: string; day: number; window: number; trendPct: number | null; anomaly: boolean }[];
  daily: { date: string; amount: number }[];
  windowDays: number;
}

export interface DailyReport {
  day: string;
  generatedAt: string;
  window: { from: string; to: string };
  cache: CacheAnalysis;
  storage: StorageSection | null;
  routes: RouteDemand[];
  functions: FunctionUse[];
  cost: CostSection | null;
  recommendations: ReportRecommendation[];
  estimatedMonthlySavingUsd: number;
  /** Lines read and skipped per source (malformed lines are counted, never fatal). */
  inputs: Record<string, { read: number; skipped: number }>;
}
