import type { CostSource } from '../sources/cost.ts';
import { CacheAnalyzer } from './cache-analysis.ts';
import { costSummary } from './cost-summary.ts';
import { type EdgeLogInput, readEdgeLogWindow } from './edge-logs.ts';
import {
  type LogGroupReader,
  lambdaLogGroups,
  readApiAccess,
  readInvocationReports,
} from './function-telemetry.ts';
import {
  FunctionUseCounter,
  RouteDemandCounter,
  rightSizingRecommendations,
  throttlingRecommendations,
} from './recommend-capacity.ts';
import {
  cacheRecommendations,
  round,
  type StoredObject,
  type StoredObjectScan,
  storageAnalysis,
} from './recommend-cache.ts';
import type { DailyReport, ReportTunables } from './types.ts';
import { DAY_MS } from '@boundless/common/time';

export interface DailyReportInputs {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  tunables: ReportTunables;
  /** CloudFront standard logs: a folder of hourly files, or the logs bucket in AWS (S3CloudFrontLogWindow). */
  edgeLogs: EdgeLogInput;
  /** The telemetry directory's `logs/`, or CloudWatch Logs in AWS (Lambda and API Gateway log groups). */
  logsDir: LogGroupReader;
  apiAccessLogGroup: string;
  /** The functions' log groups. @default the `/aws/lambda/` groups under `logsDir` (a directory only) */
  lambdaLogGroups?: readonly string[];
  /**
   * The content bucket's objects with their reads over `lookbackDays` (S3 access recency): the origin folder
   * locally, the bucket listing and its server access logs in AWS (S3ContentRecency). `skipped` counts input the
   * reader could not use (malformed access log lines, say).
   */
  objects?: () => Promise<StoredObject[] | StoredObjectScan>;
  lookbackDays?: number;
  costs?: { source: CostSource; label: string; windowDays?: number };
  /** Log group function name -> tunables handler (`delivery-grant-access` -> `grantAccess`). */
  handlerOf: (functionName: string) => string | undefined;
  lambdaTimeoutMs: number;
  guardSlos?: string[];
  now?: () => number;
}

/** Everything the day's telemetry says, and the recommendations (each with its change set) it supports. */
export async function buildDailyReport(inputs: DailyReportInputs): Promise<DailyReport> {
  const fromMs = Date.parse(`${inputs.day}T00:00:00Z`);
  if (!Number.isFinite(fromMs)) throw new RangeError(`not a day: ${inputs.day} (want YYYY-MM-DD)`);
  const toMs = fromMs + DAY_MS;
  const ttls = Object.fromEntries(
    Object.entries(inputs.tunables.cache.behaviors).map(([p, b]) => [p, b.defaultTtlSeconds]),
  );
  const cache = new CacheAnalyzer(ttls, { fromMs, toMs });
  const edge = await readEdgeLogWindow(inputs.edgeLogs, fromMs, toMs, (r) => cache.add(r));
  const routes = new RouteDemandCounter();
  const api = await readApiAccess(inputs.logsDir, inputs.apiAccessLogGroup, fromMs, toMs, (a) =>
    routes.add(a),
  );
  const fns = new FunctionUseCounter();
  const lambda = await readInvocationReports(
    inputs.logsDir,
    inputs.lambdaLogGroups ??
      (typeof inputs.logsDir === 'string' ? await lambdaLogGroups(inputs.logsDir) : []),
    fromMs,
    toMs,
    (r) => fns.add(r),
  );
  const cacheResult = cache.result();
  const routeDemand = routes.result(inputs.tunables);
  const functions = fns.result(inputs.handlerOf);
  const stored = inputs.objects ? await inputs.objects() : undefined;
  const recency = Array.isArray(stored) ? undefined : stored;
  const storage = stored
    ? storageAnalysis(
        Array.isArray(stored) ? stored : stored.objects,
        inputs.lookbackDays ?? 30,
        inputs.tunables,
        inputs.day,
      )
    : undefined;
  const cost = inputs.costs
    ? costSummary(
        await inputs.costs.source.costs(
          new Date(toMs - (inputs.costs.windowDays ?? 30) * DAY_MS).toISOString().slice(0, 10),
          new Date(toMs).toISOString().slice(0, 10),
        ),
        inputs.day,
        inputs.costs.windowDays ?? 30,
        inputs.costs.label,
      )
    : null;
  const guard = inputs.guardSlos ? { guardSlos: inputs.guardSlos } : {};
  const recommendations = [
    ...cacheRecommendations(cacheResult, inputs.tunables, { day: inputs.day, ...guard }),
    ...(storage?.recommendations ?? []),
    ...throttlingRecommendations(routeDemand, inputs.day),
    ...rightSizingRecommendations(functions, inputs.tunables, {
      timeoutMs: inputs.lambdaTimeoutMs,
      day: inputs.day,
      ...guard,
    }),
  ];
  return {
    day: inputs.day,
    generatedAt: new Date((inputs.now ?? Date.now)()).toISOString(),
    window: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
    cache: cacheResult,
    storage: storage?.section ?? null,
    routes: routeDemand,
    functions,
    cost,
    recommendations,
    estimatedMonthlySavingUsd: round(
      recommendations.reduce((s, r) => s + (r.estimate.monthlySavingUsd ?? 0), 0),
      4,
    ),
    inputs: {
      edgeLogs: {
        read: edge.stats.records,
        skipped: Object.values(edge.stats.skipped).reduce((a, b) => a + (b ?? 0), 0),
      },
      edgeLogObjects: { read: edge.files, skipped: edge.unreadableFiles },
      apiAccessLog: { read: api.used, skipped: api.skipped },
      lambdaReports: { read: lambda.used, skipped: lambda.skipped },
      ...(recency ? { contentAccessLog: { read: recency.read, skipped: recency.skipped } } : {}),
    },
  };
}
