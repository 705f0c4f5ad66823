import { calleeOverride, operationOf } from './callee.ts';
import type { Span } from './types.ts';

/**
 * Flattens X-Ray segment documents (as the daemon receives them and BatchGetTraces returns them) into spans.
 * A document is either a segment (a service's unit of work) or an independently sent subsegment
 * (`type: "subsegment"`, with `parent_id`); nested subsegments inherit their segment's service as owner.
 */
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export type SegmentResult = { spans: Span[] } | { invalid: string };

function exceptionsOf(document: Json): Span['exceptions'] {
  const cause = document.cause;
  if (!isObject(cause) || !Array.isArray(cause.exceptions)) return [];
  return cause.exceptions.filter(isObject).map((exception) => ({
    type: typeof exception.type === 'string' ? exception.type : undefined,
    message: typeof exception.message === 'string' ? exception.message : undefined,
  }));
}

function statusOf(document: Json): number | undefined {
  const http = document.http;
  if (!isObject(http) || !isObject(http.response)) return undefined;
  const status = Number(http.response.status);
  return Number.isFinite(status) ? status : undefined;
}

function toSpan(
  document: Json,
  traceId: string,
  owner: string,
  isSegment: boolean,
  parentId: string | undefined,
  source: Span['source'],
): Span | undefined {
  const start = document.start_time;
  if (typeof document.id !== 'string' || typeof start !== 'number' || !Number.isFinite(start))
    return undefined;
  const end =
    typeof document.end_time === 'number' && Number.isFinite(document.end_time) ? document.end_time : start;
  const name = typeof document.name === 'string' ? document.name : '';
  const namespace = typeof document.namespace === 'string' ? document.namespace : undefined;
  const callee =
    !isSegment && (namespace === 'aws' || namespace === 'remote')
      ? calleeOverride(document, name)
      : undefined;
  const operation = operationOf(document);
  return {
    traceId,
    id: document.id,
    parentId,
    name,
    owner: isSegment ? name : owner,
    isSegment,
    startMs: start * 1000,
    endMs: Math.max(start, end) * 1000,
    error: document.error === true,
    fault: document.fault === true,
    throttle: document.throttle === true,
    status: statusOf(document),
    namespace,
    origin: typeof document.origin === 'string' ? document.origin : undefined,
    exceptions: exceptionsOf(document),
    ...(operation !== undefined ? { operation } : {}),
    ...(callee !== undefined ? { callee } : {}),
    source,
  };
}

export function segmentSpans(document: unknown, source?: Span['source']): SegmentResult {
  if (!isObject(document)) return { invalid: 'xray: document is not an object' };
  const traceId = document.trace_id;
  if (typeof traceId !== 'string') return { invalid: 'xray: document without trace_id' };
  const isSegment = document.type !== 'subsegment';
  const name = typeof document.name === 'string' ? document.name : '';
  if (isSegment && name === '') return { invalid: 'xray: segment without name' };
  const parent = typeof document.parent_id === 'string' ? document.parent_id : undefined;
  // An independently sent subsegment does not name its service; the trace's other documents do (resolved later).
  const root = toSpan(document, traceId, isSegment ? name : '', isSegment, parent, source);
  if (!root) return { invalid: 'xray: document without id or start_time' };
  const spans: Span[] = [root];
  const walk = (node: Json, parentSpan: Span, depth: number) => {
    if (!Array.isArray(node.subsegments) || depth > 64) return;
    for (const child of node.subsegments) {
      if (!isObject(child)) continue;
      const span = toSpan(child, traceId, root.owner, false, parentSpan.id, source);
      if (!span) continue;
      spans.push(span);
      walk(child, span, depth + 1);
    }
  };
  walk(document, root, 0);
  return { spans };
}

/**
 * Gives independently sent subsegments the service of the segment they hang under, and drops repeated
 * documents (a segment sent in progress, then complete: the last one wins, as X-Ray keeps it).
 */
export function resolveSpans(spans: Span[]): Span[] {
  const byId = new Map<string, Span>();
  for (const span of spans) byId.set(`${span.traceId}/${span.id}`, span);
  const unique = [...byId.values()];
  for (const span of unique) {
    if (span.owner !== '') continue;
    let cursor: Span | undefined = span;
    for (let hops = 0; cursor && cursor.owner === '' && hops < 64; hops++)
      cursor = cursor.parentId ? byId.get(`${span.traceId}/${cursor.parentId}`) : undefined;
    span.owner = cursor?.owner || 'unknown';
  }
  return unique.sort((a, b) => a.startMs - b.startMs);
}
