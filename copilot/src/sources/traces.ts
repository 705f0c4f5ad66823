import { BatchGetTracesCommand, GetTraceSummariesCommand, type XRayClient } from '@aws-sdk/client-xray';
import { querySegments, type SegmentDocument as StoredSegment } from '../telemetry-dir/index.ts';
import { deadline } from './aws-client.ts';

/** An X-Ray segment document, as the daemon receives it and BatchGetTraces returns it (parsed). */
interface SegmentDocument extends StoredSegment {
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  http?: { request?: Record<string, unknown>; response?: { status?: number } };
  annotations?: Record<string, unknown>;
  subsegments?: SegmentDocument[];
}

export interface Trace {
  traceId: string;
  durationMs: number;
  hasError: boolean;
  hasFault: boolean;
  segments: SegmentDocument[];
}

export interface TraceSource {
  readonly kind: 'aws' | 'local';
  /** Traces whose root started in [startMs, endMs), optionally restricted by an X-Ray filter expression. */
  traces(startMs: number, endMs: number, filterExpression?: string): Promise<Trace[]>;
}

export function assembleTrace(traceId: string, segments: SegmentDocument[]): Trace {
  const starts = segments.map((s) => s.start_time);
  const ends = segments.map((s) => s.end_time ?? s.start_time);
  const flagged = (flag: 'error' | 'fault') => segments.some((s) => s[flag] === true);
  return {
    traceId,
    durationMs: segments.length ? Math.round((Math.max(...ends) - Math.min(...starts)) * 1000) : 0,
    hasError: flagged('error'),
    hasFault: flagged('fault'),
    segments,
  };
}

/** BatchGetTraces takes at most five trace ids per call. */
const BATCH = 5;

export class AwsTraceSource implements TraceSource {
  readonly kind = 'aws' as const;

  constructor(
    private readonly client: XRayClient,
    private readonly timeoutMs?: number,
  ) {}

  async traces(startMs: number, endMs: number, filterExpression?: string): Promise<Trace[]> {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new GetTraceSummariesCommand({
          StartTime: new Date(startMs),
          EndTime: new Date(endMs),
          FilterExpression: filterExpression,
          NextToken: nextToken,
        }),
        deadline(this.timeoutMs),
      );
      for (const summary of page.TraceSummaries ?? []) if (summary.Id) ids.push(summary.Id);
      nextToken = page.NextToken;
    } while (nextToken);

    const traces: Trace[] = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      const chunk = ids.slice(i, i + BATCH);
      let token: string | undefined;
      do {
        const page = await this.client.send(
          new BatchGetTracesCommand({ TraceIds: chunk, NextToken: token }),
          deadline(this.timeoutMs),
        );
        for (const trace of page.Traces ?? []) {
          const segments = (trace.Segments ?? []).flatMap((segment) => {
            try {
              return [JSON.parse(segment.Document ?? '') as SegmentDocument];
            } catch (error) {
              // A segment document that does not parse is left out of the trace, not allowed to lose it.
              if (error instanceof SyntaxError) return [];
              throw error;
            }
          });
          if (trace.Id) traces.push(assembleTrace(trace.Id, segments));
        }
        token = page.NextToken;
      } while (token);
    }
    return traces;
  }
}

/**
 * The local runtime's segment store. Filter expressions are honoured for the common on-call cases
 * (`fault`, `error`, `throttle`, `responsetime > n`); anything else is refused rather than ignored.
 */
export class LocalTraceSource implements TraceSource {
  readonly kind = 'local' as const;

  constructor(private readonly xrayDir: string) {}

  async traces(startMs: number, endMs: number, filterExpression?: string): Promise<Trace[]> {
    const keep = compileTraceFilter(filterExpression);
    const byTrace = new Map<string, SegmentDocument[]>();
    for (const document of await querySegments(this.xrayDir, { startMs, endMs })) {
      const list = byTrace.get(document.trace_id) ?? [];
      list.push(document as SegmentDocument);
      byTrace.set(document.trace_id, list);
    }
    return [...byTrace].map(([id, segments]) => assembleTrace(id, segments)).filter(keep);
  }
}

function compileTraceFilter(expression: string | undefined): (trace: Trace) => boolean {
  const text = expression?.trim() ?? '';
  if (text === '') return () => true;
  if (/^(fault|error)(\s*=\s*true)?$/.test(text)) {
    return text.startsWith('fault') ? (trace) => trace.hasFault : (trace) => trace.hasError;
  }
  if (/^throttle(\s*=\s*true)?$/.test(text))
    return (trace) => trace.segments.some((s) => s.throttle === true);
  const slow = /^responsetime\s*>\s*([\d.]+)$/.exec(text);
  if (slow) return (trace) => trace.durationMs > Number(slow[1]) * 1000;
  throw new Error(`unsupported trace filter expression for local traces: ${text}`);
}
