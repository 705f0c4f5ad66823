import { type CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { AwsLogEventSource, type AwsLogEventSourceOptions } from '../sources/cloudwatch-logs-aws.ts';
import { runLocalInsights } from '../sources/insights-local.ts';
import {
  compileFilterPattern,
  type InsightsRow,
  type LogEvent,
  type LogEventQuery,
} from '../sources/log-events.ts';
import type { TraceSource } from '../sources/traces.ts';
import { readTelemetryDirectory } from '../telemetry-dir/snapshot.ts';
import { emfPoints } from '../telemetry/emf.ts';
import { parseLogMessage, toLogRecord } from '../telemetry/log-message.ts';
import { resolveSpans, segmentSpans } from '../telemetry/segments.ts';
import {
  countSkip,
  emptySkips,
  type LogRecord,
  type MetricPoint,
  type Span,
  type TelemetrySnapshot,
} from '../telemetry/types.ts';

/**
 * Logs, EMF metrics and traces behind one port: the telemetry directory locally (DESIGN §4.4), CloudWatch Logs
 * (FilterLogEvents, Logs Insights) and X-Ray in AWS. The tools and the diagnostician read through it only.
 */
export interface TelemetryPort {
  readonly kind: 'local' | 'aws';
  logGroups(): Promise<string[]>;
  filterLogs(query: LogEventQuery): AsyncGenerator<LogEvent>;
  insights(groups: string[], query: string, startMs: number, endMs: number): Promise<InsightsRow[]>;
  /** Everything in a range, parsed: log records, EMF metric points, spans, and what had to be skipped. */
  snapshot(
    startMs: number,
    endMs: number,
    options?: { groups?: string[]; traces?: boolean },
  ): Promise<TelemetrySnapshot>;
}

export class LocalTelemetry implements TelemetryPort {
  readonly kind = 'local' as const;

  constructor(readonly root: string) {}

  async logGroups(): Promise<string[]> {
    const snapshot = await readTelemetryDirectory(this.root, { startMs: 0, endMs: 0, traces: false });
    return snapshot.groups;
  }

  async *filterLogs(query: LogEventQuery): AsyncGenerator<LogEvent> {
    const matches = compileFilterPattern(query.filterPattern);
    const snapshot = await this.snapshot(query.startMs, query.endMs, {
      groups: [query.logGroup],
      traces: false,
    });
    for (const record of snapshot.logs) {
      if (!matches(record.message)) continue;
      yield {
        logGroup: record.group,
        logStream: record.stream,
        timestampMs: record.timestampMs,
        message: record.message,
        eventId: record.id,
      };
    }
  }

  async insights(groups: string[], query: string, startMs: number, endMs: number): Promise<InsightsRow[]> {
    const snapshot = await this.snapshot(startMs, endMs, { groups, traces: false });
    return runLocalInsights(
      snapshot.logs.map((r) => ({
        logGroup: r.group,
        logStream: r.stream,
        timestampMs: r.timestampMs,
        message: r.message,
        eventId: r.id,
      })),
      query,
    );
  }

  snapshot(startMs: number, endMs: number, options: { groups?: string[]; traces?: boolean } = {}) {
    return readTelemetryDirectory(this.root, { startMs, endMs, ...options });
  }
}

export interface AwsTelemetryOptions extends AwsLogEventSourceOptions {
  /** Log groups read for snapshots: names starting with one of these (e.g. `/aws/lambda/delivery-`). */
  groupPrefixes?: string[];
  /** At most this many groups per snapshot, so one question cannot read a whole account. @default 50 */
  maxGroups?: number;
}

/** CloudWatch Logs and X-Ray: the same answers from the real services (EMF metrics come from the log events). */
export class AwsTelemetry implements TelemetryPort {
  readonly kind = 'aws' as const;
  private readonly logs: AwsLogEventSource;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly traces: TraceSource,
    private readonly options: AwsTelemetryOptions = {},
  ) {
    this.logs = new AwsLogEventSource(client, options);
  }

  async logGroups(): Promise<string[]> {
    const names: string[] = [];
    for (const prefix of this.options.groupPrefixes ?? [undefined]) {
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(
          new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, nextToken }),
        );
        for (const group of page.logGroups ?? []) if (group.logGroupName) names.push(group.logGroupName);
        nextToken = page.nextToken;
      } while (nextToken && names.length < (this.options.maxGroups ?? 50));
    }
    return [...new Set(names)].sort();
  }

  filterLogs(query: LogEventQuery): AsyncGenerator<LogEvent> {
    return this.logs.filter(query);
  }

  insights(groups: string[], query: string, startMs: number, endMs: number): Promise<InsightsRow[]> {
    return this.logs.insights(groups, query, startMs, endMs);
  }

  async snapshot(startMs: number, endMs: number, options: { groups?: string[]; traces?: boolean } = {}) {
    const skips = emptySkips();
    const groups = (options.groups ?? (await this.logGroups())).slice(0, this.options.maxGroups ?? 50);
    const logs: LogRecord[] = [];
    const metrics: MetricPoint[] = [];
    for (const group of groups) {
      for await (const event of this.logs.filter({ logGroup: group, startMs, endMs })) {
        const parsed = parseLogMessage(event.message);
        const record = toLogRecord(
          group,
          {
            id: event.eventId,
            timestampMs: event.timestampMs,
            logStream: event.logStream,
            message: event.message,
          },
          parsed,
        );
        logs.push(record);
        if (parsed.kind !== 'emf' || !parsed.json) continue;
        const result = emfPoints(parsed.json, {
          group,
          stream: record.stream,
          eventId: record.id,
          timestampMs: record.timestampMs,
        });
        if ('invalid' in result) countSkip(skips, result.invalid);
        else metrics.push(...result.points);
      }
    }
    const spans: Span[] = [];
    if (options.traces !== false) {
      for (const trace of await this.traces.traces(startMs, endMs)) {
        for (const segment of trace.segments) {
          const result = segmentSpans(segment);
          if ('invalid' in result) countSkip(skips, result.invalid);
          else spans.push(...result.spans);
        }
      }
    }
    logs.sort((a, b) => a.timestampMs - b.timestampMs);
    metrics.sort((a, b) => a.timestampMs - b.timestampMs);
    return {
      startMs,
      endMs,
      groups,
      logs,
      metrics,
      spans: resolveSpans(spans),
      skips,
      has: { logs: true, traces: options.traces !== false },
    } satisfies TelemetrySnapshot;
  }
}
