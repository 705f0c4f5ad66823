import { entryOf } from '../telemetry/collections.ts';
import type { LogRecord, Span } from '../telemetry/types.ts';
import type { Evidence } from './types.ts';

/**
 * Whether a component went on serving the requests that used to print a log pattern. A pattern that stops while
 * the same handler keeps being called (the traces still show the component's segments doing that work) marks
 * a change in the component's own behaviour: the code path is entered but ends differently (an exception thrown
 * before the line, a different branch taken), often with no error line at all. A pattern that stops because
 * the handler is no longer called says only that something upstream stopped calling it.
 *
 * A handler is what a component's segment does first: the names of its segment's direct children (the
 * controller method of a web service, the SDK call of a function), or the segment's own name when it has none.
 */
export interface ServingIndex {
  /** The handlers of a component's segments in one trace. */
  handlersIn(component: string, traceId: string): Set<string>;
  /** Segments of a component that ran one of the handlers, between two times. */
  served(component: string, handlers: Set<string>, fromMs: number, toMs: number): Span[];
}

export interface Serving {
  /** Segments per minute of the pattern's handlers before its onset and after it. */
  rateBefore: number;
  rateAfter: number;
  countAfter: number;
  handlers: string[];
  /** A segment after the onset that ran the handler, for the citation. */
  example?: Span;
}

export function servingIndex(spans: readonly Span[]): ServingIndex {
  const segments = new Map<string, Span>();
  const handlersOf = new Map<Span, Set<string>>();
  for (const span of spans) if (span.isSegment) segments.set(`${span.traceId}/${span.id}`, span);
  for (const span of spans) {
    if (span.isSegment || !span.parentId) continue;
    const parent = segments.get(`${span.traceId}/${span.parentId}`);
    if (parent) entryOf(handlersOf, parent, () => new Set<string>()).add(span.name);
  }
  const byComponentTrace = new Map<string, Span[]>();
  const byComponent = new Map<string, Span[]>();
  for (const segment of segments.values()) {
    entryOf(byComponentTrace, `${segment.name}\u0000${segment.traceId}`, () => []).push(segment);
    entryOf(byComponent, segment.name, () => []).push(segment);
  }
  const handlers = (segment: Span) => handlersOf.get(segment) ?? new Set([segment.name]);
  return {
    handlersIn(component, traceId) {
      const out = new Set<string>();
      for (const segment of byComponentTrace.get(`${component}\u0000${traceId}`) ?? [])
        for (const h of handlers(segment)) out.add(h);
      return out;
    },
    served(component, wanted, fromMs, toMs) {
      return (byComponent.get(component) ?? []).filter(
        (s) => s.startMs >= fromMs && s.startMs < toMs && [...handlers(s)].some((h) => wanted.has(h)),
      );
    },
  };
}

/**
 * How the handlers behind a pattern's lines (found through the lines' trace ids) were served before the
 * pattern stopped and after. Undefined when the lines carry no trace id that leads to the component's segments.
 */
export function servingOf(
  index: ServingIndex,
  component: string,
  records: readonly LogRecord[],
  sinceMs: number,
  window: { startMs: number; endMs: number },
): Serving | undefined {
  const handlers = new Set<string>();
  for (const r of records)
    if (r.traceId && r.timestampMs < sinceMs)
      for (const h of index.handlersIn(component, r.traceId)) handlers.add(h);
  if (handlers.size === 0) return undefined;
  const before = index.served(component, handlers, window.startMs, sinceMs);
  if (before.length === 0) return undefined;
  const after = index.served(component, handlers, sinceMs, window.endMs + 1);
  const minutes = (ms: number) => Math.max(ms, 1000) / 60_000;
  // A busy window holds far more spans than a spread call may pass as arguments.
  const firstBefore = before.reduce((first, s) => Math.min(first, s.startMs), Number.POSITIVE_INFINITY);
  return {
    rateBefore: before.length / minutes(sinceMs - firstBefore),
    rateAfter: after.length / minutes(window.endMs - sinceMs),
    countAfter: after.length,
    handlers: [...handlers].sort(),
    ...(after.length > 0 ? { example: after[Math.floor(after.length / 2)] } : {}),
  };
}

export function servingEvidence(component: string, serving: Serving): Evidence | undefined {
  const span = serving.example;
  if (!span) return undefined;
  return {
    kind: 'trace',
    ref: { traceId: span.traceId, spanId: span.id, timestamp: new Date(span.startMs).toISOString() },
    excerpt: `${component} still serving ${serving.handlers.slice(0, 2).join(', ')} after the pattern stopped (${serving.countAfter} segments, ${serving.rateAfter.toFixed(1)}/min, ${serving.rateBefore.toFixed(1)}/min before)`,
  };
}

/**
 * How much a stopped pattern says about its component: more when the component went on serving the requests
 * that printed it (at half its earlier rate or more, a few of them at least), less when those requests stopped
 * coming (something upstream stopped calling), as is when traces cannot tell. An error pattern that stops while
 * its requests go on being served is a path that stopped failing (a recovery), not a fault of the component's
 * own: it is not weighed up.
 */
export function servingWeight(facts: Record<string, string | number>): number {
  if (facts.servedAfter === undefined) return 1;
  const after = Number(facts.servedAfter);
  const ratio = Number(facts.servedRatio);
  if (after >= 3 && ratio >= 0.5) return facts.level === 'error' ? 1 : 2;
  if (ratio < 0.25) return 0.5;
  return 1;
}
