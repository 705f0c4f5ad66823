import type { Citation } from '../chat/evidence.ts';
import type { Finding } from '../findings.ts';
import type { LogEventSource } from '../sources/log-events.ts';
import type { TraceSource } from '../sources/traces.ts';
import { copilotLogger } from '../logger.ts';

const log = copilotLogger('incidents');

/**
 * Opens a citation: the log event, the trace, the metric points or the finding it came from, fetched again
 * from the same sources the tools read (the local files, or CloudWatch Logs and X-Ray in AWS).
 */
export interface ResolvedEvidence {
  citation: Citation;
  status: 'found' | 'not_found' | 'unsupported' | 'error';
  observation?: unknown;
  message?: string;
}

export interface EvidenceResolver {
  resolve(citation: Citation): Promise<ResolvedEvidence>;
}

export interface SourceEvidenceResolverOptions {
  logs?: LogEventSource;
  /** Log groups to search for metric documents (EMF) when a metric reference names none. */
  logGroups?: () => Promise<string[]>;
  traces?: TraceSource;
  findings?: (id: string) => Promise<Finding | undefined>;
}

/** How far around a referenced time to look (log timestamps are exact; trace references may carry none). */
const LOG_SLACK_MS = 2_000;
const TRACE_SLACK_MS = 15 * 60_000;
const METRIC_CONTEXT_MS = 15 * 60_000;

const num = (value: unknown) =>
  typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;

export class SourceEvidenceResolver implements EvidenceResolver {
  constructor(private readonly sources: SourceEvidenceResolverOptions) {}

  async resolve(citation: Citation): Promise<ResolvedEvidence> {
    try {
      switch (citation.kind) {
        case 'log':
          return await this.log(citation);
        case 'trace':
          return await this.trace(citation);
        case 'metric':
          return await this.metric(citation);
        case 'finding':
          return await this.finding(citation);
        default:
          // Change records are their own reference: nothing to fetch again.
          return { citation, status: 'found', observation: citation.ref };
      }
    } catch (error) {
      log.error(`resolving ${citation.id} failed`, { error });
      return { citation, status: 'error', message: (error as Error)?.message ?? String(error) };
    }
  }

  private async log(citation: Citation): Promise<ResolvedEvidence> {
    // `logGroup` or `group`: tools name the group either way.
    const ref = citation.ref as { logGroup?: string; group?: string; eventId?: string; ptr?: string };
    // A Logs Insights pointer opens the event directly (GetLogRecord), wherever it sits.
    if (typeof ref.ptr === 'string' && this.sources.logs?.record) {
      const event = await this.sources.logs.record(ref.ptr);
      return event
        ? { citation, status: 'found', observation: event }
        : { citation, status: 'not_found', message: 'the log record pointer names no event any more' };
    }
    const logGroup = ref.logGroup ?? ref.group;
    const eventId = ref.eventId;
    const at = num(citation.ref.timestamp);
    if (!this.sources.logs || !logGroup || !eventId || !Number.isFinite(at))
      return {
        citation,
        status: 'unsupported',
        message: 'a log reference needs logGroup, eventId and timestamp',
      };
    for await (const event of this.sources.logs.filter({
      logGroup,
      startMs: at - LOG_SLACK_MS,
      endMs: at + LOG_SLACK_MS,
    })) {
      if (event.eventId === eventId) return { citation, status: 'found', observation: event };
    }
    return {
      citation,
      status: 'not_found',
      message: `no event ${eventId} in ${logGroup} around ${new Date(at).toISOString()}`,
    };
  }

  private async trace(citation: Citation): Promise<ResolvedEvidence> {
    const traceId = String(citation.ref.traceId ?? '');
    if (!this.sources.traces || !traceId)
      return { citation, status: 'unsupported', message: 'no trace source' };
    // Where to look: the time the reference carries (a span's), else the start X-Ray ids encode
    // (1-<hex seconds>-<id>; ids minted elsewhere need not hold it), else the query's range.
    const epoch = /^1-([0-9a-f]{8})-/.exec(traceId)?.[1];
    const at = num(citation.ref.timestamp);
    const start = Number.isFinite(at)
      ? at
      : epoch
        ? Number.parseInt(epoch, 16) * 1000
        : num(citation.query.from);
    const end = Number.isFinite(at) || epoch ? start : num(citation.query.to);
    if (!Number.isFinite(start) || !Number.isFinite(end))
      return { citation, status: 'unsupported', message: 'the trace reference carries no time' };
    const traces = await this.sources.traces.traces(start - TRACE_SLACK_MS, end + TRACE_SLACK_MS);
    const trace = traces.find((t) => t.traceId === traceId);
    return trace
      ? { citation, status: 'found', observation: trace }
      : { citation, status: 'not_found', message: `no trace ${traceId}` };
  }

  private async metric(citation: Citation): Promise<ResolvedEvidence> {
    const ref = citation.ref as {
      namespace?: string;
      metric?: string;
      dimensions?: Record<string, string>;
      from?: string;
      to?: string;
      timestamp?: number | string;
      logGroup?: string;
      group?: string;
    };
    // A range, or one point: then the points around it show what it stood out from.
    const point = num(ref.timestamp);
    const from = Number.isFinite(point) ? point - METRIC_CONTEXT_MS : num(ref.from ?? citation.query.from);
    const to = Number.isFinite(point) ? point + METRIC_CONTEXT_MS : num(ref.to ?? citation.query.to);
    if (!this.sources.logs || !ref.metric || !Number.isFinite(from) || !Number.isFinite(to))
      return { citation, status: 'unsupported', message: 'a metric reference needs metric, from and to' };
    const named = ref.logGroup ?? ref.group;
    const groups = named ? [named] : ((await this.sources.logGroups?.()) ?? []);
    const points: { timestamp: string; value: number; logGroup: string; eventId: string }[] = [];
    for (const logGroup of groups) {
      for await (const event of this.sources.logs.filter({ logGroup, startMs: from, endMs: to + 1 })) {
        const value = emfValue(event.message, ref.namespace, ref.metric, ref.dimensions ?? {});
        if (value !== undefined)
          points.push({
            timestamp: new Date(event.timestampMs).toISOString(),
            value,
            logGroup,
            eventId: event.eventId,
          });
      }
    }
    points.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    return points.length
      ? { citation, status: 'found', observation: { ...ref, points } }
      : {
          citation,
          status: 'not_found',
          message: `no ${ref.metric} points between ${ref.from} and ${ref.to}`,
        };
  }

  private async finding(citation: Citation): Promise<ResolvedEvidence> {
    const id = String(citation.ref.findingId ?? citation.ref.id ?? '');
    const finding = id ? await this.sources.findings?.(id) : undefined;
    return finding
      ? { citation, status: 'found', observation: finding }
      : { citation, status: 'not_found', message: `no finding ${id}` };
  }
}

/**
 * The value of one metric in an embedded-metric-format document, when the document declares it under the
 * namespace and carries the dimension values asked for; undefined for anything else (including non-JSON).
 */
export function emfValue(
  message: string,
  namespace: string | undefined,
  metric: string,
  dimensions: Record<string, string>,
): number | undefined {
  if (!message.includes('_aws')) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(message) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const directives = (
    doc._aws as { CloudWatchMetrics?: { Namespace?: string; Metrics?: { Name?: string }[] }[] }
  )?.CloudWatchMetrics;
  const declared = directives?.some(
    (d) => (!namespace || d.Namespace === namespace) && d.Metrics?.some((m) => m.Name === metric),
  );
  if (!declared) return undefined;
  if (Object.entries(dimensions).some(([key, value]) => String(doc[key]) !== value)) return undefined;
  const value = doc[metric];
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && typeof value[0] === 'number')
    return value.reduce((a: number, b: number) => a + b, 0);
  return undefined;
}
