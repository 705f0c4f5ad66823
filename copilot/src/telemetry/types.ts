/**
 * Telemetry as the diagnostician and the copilot's tools see it, whatever produced it: the local runtime's
 * telemetry directory (DESIGN §4.4), CloudWatch Logs and X-Ray in AWS, or a converter fed with someone else's
 * estate. Nothing here knows a component, metric or log group by name.
 */

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** What kind of line a log event's message is. */
export type MessageKind = 'structured' | 'text' | 'emf' | 'platform';

export interface LogRecord {
  /** The real log group name (from `group.json` locally). */
  group: string;
  stream: string;
  /** The event id, unique within the group: the reference a citation carries. */
  id: string;
  timestampMs: number;
  message: string;
  kind: MessageKind;
  level?: LogLevel;
  /** The human part of the line (`message`/`msg` of a structured line, the line itself otherwise). */
  text: string;
  /** The emitting service as the line names it (`service`, `service.name`, ...), when it does. */
  service?: string;
  traceId?: string;
  /** Exception or error type named by the line (`error.name`, `errorType`, `exception.type`, ...). */
  errorType?: string;
  /** What the line's error or exception says, when a structured line gives it apart from its message. */
  errorMessage?: string;
  /**
   * Short categorical fields of a structured line (`reason=bad_signature kid=k2`), sorted: what tells two lines
   * with the same message apart (ids, times and free text left out).
   */
  labels?: string;
  /** The HTTP status of a request line (`statusCode`, `status`, `sc-status`, ...), when it has one. */
  status?: number;
  /** For platform records: `platform.report`, `platform.initStart`, ... */
  platformType?: string;
  /** Numeric facts of a platform report: durationMs, initDurationMs, maxMemoryUsedMB, memorySizeMB. */
  platform?: Record<string, number | string>;
  /** Function or image version the line reports, when it does (`function_version`, stream `[$LATEST]`). */
  version?: string;
}

/** One value of one EMF metric, with where it came from so a citation can point at the document. */
export interface MetricPoint {
  namespace: string;
  name: string;
  unit: string;
  value: number;
  timestampMs: number;
  /** Dimension name → value, for every dimension the document declares for this metric. */
  dimensions: Record<string, string>;
  group: string;
  stream: string;
  eventId: string;
}

/**
 * A segment or subsegment of an X-Ray trace, flattened: `owner` is the service whose segment holds it (the
 * segment's own name for a segment), so a subsegment calling a dependency reads as owner → name.
 */
export interface Span {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  owner: string;
  /** True for a segment document (a service's own unit of work), false for a subsegment. */
  isSegment: boolean;
  startMs: number;
  endMs: number;
  error: boolean;
  fault: boolean;
  throttle: boolean;
  status?: number;
  /** `aws` (an AWS SDK call), `remote` (a call to another service), or none. */
  namespace?: string;
  origin?: string;
  /** Exception types and messages recorded in `cause`. */
  exceptions: { type?: string; message?: string }[];
  /** The operation a call performs: an AWS SDK call's (GetItem, Query, ...), a SQL call's sanitized query. */
  operation?: string;
  /**
   * A dependency call's callee when its name is not one: the database a SQL call's `sql.url` names, the host
   * of an HTTP call's URL, or '' when the document names none (no component; its time still counts as
   * waiting). Unset: the name is the callee, as X-Ray names dependency subsegments.
   */
  callee?: string;
  /** The stored document line the span came from, for citations: file and 1-based line. */
  source?: { file: string; line: number };
}

/** Lines or documents a reader could not use, counted by why, so a diagnosis can name its blind spots. */
export interface SkipCounts {
  /** reason → count, e.g. `logs: line is not JSON`. */
  reasons: Record<string, number>;
  total: number;
}

export interface TelemetrySnapshot {
  /** The range read, unix ms, inclusive. */
  startMs: number;
  endMs: number;
  /** Real log group names seen (with or without events in range). */
  groups: string[];
  logs: LogRecord[];
  metrics: MetricPoint[];
  spans: Span[];
  skips: SkipCounts;
  /** Whether the source had logs and traces at all (a missing `xray/` is a gap, not a healthy trace). */
  has: { logs: boolean; traces: boolean };
}

export function emptySkips(): SkipCounts {
  return { reasons: {}, total: 0 };
}

export function countSkip(skips: SkipCounts, reason: string, count = 1): void {
  skips.reasons[reason] = (skips.reasons[reason] ?? 0) + count;
  skips.total += count;
}
