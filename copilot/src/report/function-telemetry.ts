import type { LogEventSource } from '../sources/log-events.ts';
import { listLogGroups, readLogGroupEvents } from '../telemetry-dir/log-groups.ts';

/**
 * What the report and verification read from Lambda's and API Gateway's log groups, whatever wrote them (the
 * local runtime, or CloudWatch Logs exported to the telemetry directory): each invocation's platform.report
 * record (duration, billed duration, memory, init), and each API access log line (route, status, latency,
 * throttled or not). Lines that are neither are skipped and counted.
 */
export interface InvocationReport {
  functionName: string;
  atMs: number;
  durationMs: number;
  billedDurationMs: number;
  memoryMb: number;
  initMs?: number;
  failed: boolean;
}

export interface ApiAccess {
  atMs: number;
  routeKey: string;
  status: number;
  latencyMs: number;
  throttled: boolean;
}

export interface ReadCounts {
  events: number;
  used: number;
  skipped: number;
}

type Json = Record<string, unknown>;

/** Where log groups are read: the telemetry directory's `logs/`, or a LogEventSource (CloudWatch Logs in AWS). */
export type LogGroupReader = string | LogEventSource;

/** A group's events in `[fromMs, toMs)`, whichever reader holds them. */
async function* groupEvents(
  logs: LogGroupReader,
  group: string,
  fromMs: number,
  toMs: number,
): AsyncGenerator<{ timestamp: number; message: string }> {
  if (typeof logs === 'string') {
    yield* readLogGroupEvents(logs, group, fromMs, toMs - 1);
    return;
  }
  for await (const event of logs.filter({ logGroup: group, startMs: fromMs, endMs: toMs - 1 }))
    yield { timestamp: event.timestampMs, message: event.message };
}

function parse(message: string): Json | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(message);
    return typeof value === 'object' && value !== null ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** `/aws/lambda/<name>` groups under the telemetry directory. */
export async function lambdaLogGroups(logsDir: string): Promise<string[]> {
  return (await listLogGroups(logsDir))
    .map((g) => g.logGroupName)
    .filter((name) => name.startsWith('/aws/lambda/'));
}

export async function readInvocationReports(
  logsDir: LogGroupReader,
  groups: readonly string[],
  fromMs: number,
  toMs: number,
  onReport: (report: InvocationReport) => void,
): Promise<ReadCounts> {
  const counts: ReadCounts = { events: 0, used: 0, skipped: 0 };
  for (const group of groups) {
    const functionName = group.replace(/^\/aws\/lambda\//, '');
    for await (const event of groupEvents(logsDir, group, fromMs, toMs)) {
      counts.events += 1;
      const record = parse(event.message);
      if (record?.type !== 'platform.report') continue;
      const metrics = (record.record as Json | undefined)?.metrics as Json | undefined;
      const durationMs = Number(metrics?.durationMs);
      const memoryMb = Number(metrics?.memorySizeMB);
      if (!Number.isFinite(durationMs) || !Number.isFinite(memoryMb)) {
        counts.skipped += 1;
        continue;
      }
      counts.used += 1;
      const initMs = Number(metrics?.initDurationMs);
      onReport({
        functionName,
        atMs: event.timestamp,
        durationMs,
        billedDurationMs: Number(metrics?.billedDurationMs) || Math.max(1, Math.ceil(durationMs)),
        memoryMb,
        ...(Number.isFinite(initMs) ? { initMs } : {}),
        failed: (record.record as Json).status === 'error',
      });
    }
  }
  return counts;
}

export async function readApiAccess(
  logsDir: LogGroupReader,
  group: string,
  fromMs: number,
  toMs: number,
  onAccess: (access: ApiAccess) => void,
): Promise<ReadCounts> {
  const counts: ReadCounts = { events: 0, used: 0, skipped: 0 };
  for await (const event of groupEvents(logsDir, group, fromMs, toMs)) {
    counts.events += 1;
    const line = parse(event.message);
    const status = Number(line?.status);
    const routeKey = line?.routeKey;
    if (typeof routeKey !== 'string' || !Number.isFinite(status)) {
      counts.skipped += 1;
      continue;
    }
    counts.used += 1;
    onAccess({
      atMs: Number(line?.requestTimeEpoch) || event.timestamp,
      routeKey,
      status,
      latencyMs: Number(line?.responseLatency) || 0,
      throttled: line?.errorType === 'TooManyRequestsException' || status === 429,
    });
  }
  return counts;
}
