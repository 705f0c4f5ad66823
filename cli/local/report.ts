import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import {
  buildDailyReport,
  type DailyReport,
  ReportFiles,
  type ReportStore,
  type ReportTunables,
  type EdgeLogWindowSource,
  type StoredObject,
  type StoredObjectScan,
} from '@boundless/copilot/report';
import { readEdgeLogWindow } from '@boundless/copilot/report';
import type { CostSource, LogEventSource } from '@boundless/copilot/sources';
import { API_ACCESS_LOG_GROUP } from '@boundless/local';
import { localTunablesRepository } from './change-sets.ts';
import { DAY_MS } from '@boundless/common/time';

/** `delivery-grant-access` -> `grantAccess`: the local runtime's function names back to the tunables' handlers. */
function handlerOf(functionName: string): string | undefined {
  const match = /^delivery-(.+)$/.exec(functionName);
  return match?.[1]?.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** `today`, `yesterday` (UTC) or `YYYY-MM-DD`. */
export function reportDay(value: string, nowMs = Date.now()): string {
  if (value === 'today') return new Date(nowMs).toISOString().slice(0, 10);
  if (value === 'yesterday') return new Date(nowMs - DAY_MS).toISOString().slice(0, 10);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && Number.isFinite(Date.parse(`${value}T00:00:00Z`))) return value;
  throw new RangeError(`--date wants YYYY-MM-DD, today or yesterday; got "${value}"`);
}

/**
 * The content bucket locally: the origin folder's files, their age (modification time) and their origin reads
 * over the lookback (edge misses Origin Shield did not answer), the recency S3 access logs give in AWS.
 */
async function originObjects(dataDir: string, endMs: number, lookbackDays: number): Promise<StoredObject[]> {
  const root = join(dataDir, 'origin');
  const reads = new Map<string, number>();
  // Sizes seen in full responses: the inventory when there is no origin folder (a simulated or synced log set).
  const seen = new Map<string, number>();
  await readEdgeLogWindow(join(dataDir, 'cloudfront'), endMs - lookbackDays * DAY_MS, endMs, (r) => {
    if (r.edgeResultType === 'Miss' && r.detailedResultType !== 'OriginShieldHit')
      reads.set(r.uriStem, (reads.get(r.uriStem) ?? 0) + 1);
    if (r.status === 200) seen.set(r.uriStem, Math.max(seen.get(r.uriStem) ?? 0, r.bytes));
  });
  if (!existsSync(root))
    // Assumption, said in the report's assumptions: every object is at least as old as the lookback.
    return [...seen].map(([key, bytes]) => ({
      key,
      bytes,
      reads: reads.get(key) ?? 0,
      ageDays: lookbackDays,
    }));
  const objects: StoredObject[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        const info = await stat(path);
        const key = `/${relative(root, path).split(sep).join('/')}`;
        objects.push({
          key,
          bytes: info.size,
          reads: reads.get(key) ?? 0,
          ageDays: Math.max(0, (endMs - info.mtimeMs) / DAY_MS),
        });
      }
    }
  };
  await walk(root);
  return objects;
}

export interface LocalReportOptions {
  dataDir: string;
  day: string;
  /** The cost section's source (a FOCUS export, the running copilot's cost model, Cost Explorer); else none. */
  costs?: CostSource;
  lookbackDays?: number;
  now?: () => number;
  /** Where the report goes. @default `<data dir>/reports/` (ReportFiles); in AWS the reports bucket (S3ReportStore) */
  store?: ReportStore;
  /**
   * The functions' and the API's log groups in CloudWatch Logs (the copilot in AWS), for the throttling and
   * right-sizing sections. @default the data dir's `logs/`
   */
  logs?: {
    source: LogEventSource;
    lambdaLogGroups: readonly string[];
    apiAccessLogGroup: string;
  };
  /** The cost section's label. @default the local cost model's */
  costLabel?: string;
  /** The tunables in force (the deployed copy in S3, in AWS). @default the data dir's `tunables.json` */
  tunables?: { read(): Promise<{ content: unknown }> };
  /** CloudFront standard logs for the cache section (the logs bucket in AWS). @default `<data dir>/cloudfront/` */
  edgeLogs?: EdgeLogWindowSource;
  /** The content bucket's objects and reads (S3 access recency in AWS). @default the data dir's `origin/` */
  storage?: { scan(endMs: number, lookbackDays: number): Promise<StoredObjectScan> };
}

/**
 * The tunables the recommendations start from: the deployed ones (`options.tunables`, S3 in AWS) until the
 * copilot has stored none yet, then the data dir's (or the repository's defaults).
 */
async function readTunables(options: LocalReportOptions): Promise<unknown> {
  if (options.tunables) {
    try {
      return (await options.tunables.read()).content;
    } catch (error) {
      if ((error as { name?: string }).name !== 'NoSuchKey') throw error;
    }
  }
  return (await localTunablesRepository(options.dataDir).read()).content;
}

/** Builds and stores the day's report under `<data dir>/reports/`. */
export async function writeLocalReport(
  options: LocalReportOptions,
): Promise<{ report: DailyReport; paths: { json: string; md: string; html: string } }> {
  const report = await buildLocalReport(options);
  const paths = await (options.store ?? new ReportFiles(join(options.dataDir, 'reports'))).write(report);
  return { report, paths };
}

/** Builds the day's report from the data dir (or the sources in `options`) without storing it. */
export async function buildLocalReport(options: LocalReportOptions): Promise<DailyReport> {
  const tunables = (await readTunables(options)) as ReportTunables & {
    lambda: { defaults: { timeoutSeconds?: number } };
  };
  const lookbackDays = options.lookbackDays ?? 30;
  const endMs = Date.parse(`${options.day}T00:00:00Z`) + DAY_MS;
  const costs = options.costs
    ? { source: options.costs, label: options.costLabel ?? 'local cost model (metered usage at list prices)' }
    : undefined;
  return buildDailyReport({
    day: options.day,
    tunables,
    edgeLogs: options.edgeLogs ?? join(options.dataDir, 'cloudfront'),
    ...(options.logs
      ? {
          logsDir: options.logs.source,
          lambdaLogGroups: options.logs.lambdaLogGroups,
          apiAccessLogGroup: options.logs.apiAccessLogGroup,
        }
      : { logsDir: join(options.dataDir, 'logs'), apiAccessLogGroup: API_ACCESS_LOG_GROUP }),
    objects: () =>
      options.storage
        ? options.storage.scan(endMs, lookbackDays)
        : originObjects(options.dataDir, endMs, lookbackDays),
    lookbackDays,
    ...(costs ? { costs } : {}),
    handlerOf,
    lambdaTimeoutMs: (tunables.lambda.defaults.timeoutSeconds ?? 10) * 1000,
    ...(options.now ? { now: options.now } : {}),
  });
}
