import { calleeName, isDependencyCall, isRemoteCall } from './components.ts';
import type { Span } from './types.ts';
import { entryOf } from './collections.ts';

/**
 * Traces as trees and the service map they imply. An edge A → B is a call: a dependency subsegment of A named
 * B (an AWS API, a remote service), or a segment of B whose parent is a span of A. A dependency call whose
 * callee sent its own segment is one edge, not two.
 */
export interface TraceView {
  traceId: string;
  startMs: number;
  endMs: number;
  durationMs: number;
  /** The span without a parent in the trace (the entry service's segment), when there is one. */
  root?: Span;
  spans: Span[];
  services: string[];
  fault: boolean;
  error: boolean;
  throttle: boolean;
}

export function groupTraces(spans: readonly Span[]): TraceView[] {
  const byTrace = new Map<string, Span[]>();
  for (const span of spans) {
    const list = entryOf(byTrace, span.traceId, () => []);
    list.push(span);
  }
  const views: TraceView[] = [];
  for (const [traceId, list] of byTrace) {
    const ids = new Set(list.map((s) => s.id));
    const segments = list.filter((s) => s.isSegment);
    const root = segments.find((s) => !s.parentId || !ids.has(s.parentId)) ?? list[0];
    const startMs = Math.min(...list.map((s) => s.startMs));
    const endMs = Math.max(...list.map((s) => s.endMs));
    views.push({
      traceId,
      startMs,
      endMs,
      durationMs: endMs - startMs,
      root,
      spans: list,
      services: [...new Set(segments.map((s) => s.name))],
      fault: list.some((s) => s.fault),
      error: list.some((s) => s.error),
      throttle: list.some((s) => s.throttle),
    });
  }
  return views.sort((a, b) => a.startMs - b.startMs);
}

export interface Call {
  from: string;
  to: string;
  /** The span that measured the call: the caller's subsegment, or the callee's segment when none exists. */
  span: Span;
  /** The callee's own segment, when it sent one. */
  callee?: Span;
}

/** Every call in the spans, each once. */
export function callsOf(spans: readonly Span[]): Call[] {
  const byKey = new Map<string, Span>();
  for (const span of spans) byKey.set(`${span.traceId}/${span.id}`, span);
  const calls: Call[] = [];
  const calleeOfSubsegment = new Map<string, Span>();
  for (const span of spans) {
    if (!span.isSegment || !span.parentId) continue;
    const parent = byKey.get(`${span.traceId}/${span.parentId}`);
    if (!parent) continue;
    if (isDependencyCall(parent)) calleeOfSubsegment.set(`${parent.traceId}/${parent.id}`, span);
    else if (parent.owner !== span.name)
      calls.push({ from: parent.owner, to: span.name, span, callee: span });
  }
  for (const span of spans) {
    const name = calleeName(span);
    if (name === undefined) continue;
    const callee = calleeOfSubsegment.get(`${span.traceId}/${span.id}`);
    calls.push({ from: span.owner, to: callee?.name ?? name, span, callee });
  }
  return calls;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}

/**
 * A segment's own time: its duration less the time its dependency calls and child segments covered (the
 * union of their intervals), so a caller waiting on a slow callee does not look slow itself; a remote call whose
 * callee the document does not name (a SQL statement without a connection URL) is waiting time too.
 */
export function selfTimes(spans: readonly Span[]): Map<Span, number> {
  const children = new Map<string, Span[]>();
  for (const span of spans) {
    if (!span.parentId) continue;
    const key = `${span.traceId}/${span.parentId}`;
    const list = entryOf(children, key, () => []);
    list.push(span);
  }
  // Waiting time below a segment: dependency calls and child segments anywhere under its local subsegments.
  const waits = (span: Span, out: [number, number][], depth: number) => {
    for (const child of children.get(`${span.traceId}/${span.id}`) ?? []) {
      if (child.isSegment || isRemoteCall(child)) out.push([child.startMs, child.endMs]);
      else if (depth < 64) waits(child, out, depth + 1);
    }
  };
  const result = new Map<Span, number>();
  for (const span of spans) {
    if (!span.isSegment) continue;
    const intervals: [number, number][] = [];
    waits(span, intervals, 0);
    intervals.sort((a, b) => a[0] - b[0]);
    let covered = 0;
    let cursor = span.startMs;
    for (const [start, end] of intervals) {
      const s = Math.max(start, cursor);
      const e = Math.min(end, span.endMs);
      if (e > s) {
        covered += e - s;
        cursor = e;
      }
    }
    result.set(span, Math.max(0, span.endMs - span.startMs - covered));
  }
  return result;
}

export interface MapNode {
  name: string;
  segments: number;
  errors: number;
  faults: number;
  throttles: number;
  p50Ms: number;
  p95Ms: number;
}

export interface MapEdge {
  from: string;
  to: string;
  calls: number;
  errors: number;
  faults: number;
  throttles: number;
  p50Ms: number;
  p95Ms: number;
}

function summarise(spans: Span[]) {
  const durations = spans.map((s) => s.endMs - s.startMs).sort((a, b) => a - b);
  return {
    errors: spans.filter((s) => s.error).length,
    faults: spans.filter((s) => s.fault).length,
    throttles: spans.filter((s) => s.throttle).length,
    p50Ms: Math.round(quantile(durations, 0.5) * 10) / 10,
    p95Ms: Math.round(quantile(durations, 0.95) * 10) / 10,
  };
}

export function serviceMap(spans: readonly Span[]): { nodes: MapNode[]; edges: MapEdge[] } {
  const segmentsOf = new Map<string, Span[]>();
  for (const span of spans) {
    if (!span.isSegment) continue;
    const list = entryOf(segmentsOf, span.name, () => []);
    list.push(span);
  }
  const edgeSpans = new Map<string, Span[]>();
  for (const call of callsOf(spans)) {
    const key = `${call.from}\u0000${call.to}`;
    const list = entryOf(edgeSpans, key, () => []);
    list.push(call.span);
    // A dependency that sends no segments still belongs on the map as a node.
    if (!segmentsOf.has(call.to) && !call.callee) segmentsOf.set(call.to, []);
  }
  const nodes = [...segmentsOf].map(([name, list]) => ({ name, segments: list.length, ...summarise(list) }));
  const edges = [...edgeSpans].map(([key, list]) => {
    const [from = '', to = ''] = key.split('\u0000');
    return { from, to, calls: list.length, ...summarise(list) };
  });
  return {
    nodes: nodes.sort((a, b) => a.name.localeCompare(b.name)),
    edges: edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)),
  };
}
