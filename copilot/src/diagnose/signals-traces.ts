import { entryOf } from '../telemetry/collections.ts';
import { calleeName, isDependencyCall } from '../telemetry/components.ts';
import { callsOf, groupTraces, selfTimes } from '../telemetry/trace-graph.ts';
import type { Span } from '../telemetry/types.ts';
import { scanShareIncrease, scanShift, type Split } from './change-scan.ts';
import { Timeline } from './timeline.ts';
import type { Evidence, Signal, SignalKind } from './types.ts';
import { THROTTLING } from './vocabulary.ts';

/**
 * What the traces say changed, per component: faults and errors that start in its own segments (not in a
 * call it made), its own time (not the time it waited on callees), and, seen from the callers' side, the
 * errors, throttles and latency of every dependency it is called as (tables, buckets, other services).
 * Also which component each troubled trace went wrong at first: the deepest span with a flag.
 */
export interface TraceFacts {
  signals: Signal[];
  /** component → trace ids where the trouble started at it. */
  origins: Map<string, string[]>;
  /** caller → callees, from the calls seen. */
  callees: Map<string, Set<string>>;
  troubledTraces: number;
  timeline?: Timeline;
}

const MIN_LLR = 4;
const MIN_Z = 3;

function traceEvidence(span: Span, note: string): Evidence {
  return {
    kind: 'trace',
    ref: { traceId: span.traceId, spanId: span.id, timestamp: new Date(span.startMs).toISOString() },
    excerpt: note,
  };
}

function flagged(span: Span): boolean {
  return span.fault || span.error || span.throttle;
}

function describe(span: Span): string {
  const flags = [span.fault && 'fault', span.error && 'error', span.throttle && 'throttle']
    .filter(Boolean)
    .join('+');
  const exception = span.exceptions[0];
  return `${span.owner}${span.name !== span.owner ? ` → ${span.name}` : ''}${span.operation && span.operation !== span.name ? ` ${span.operation}` : ''}: ${flags || 'ok'}${span.status ? ` ${span.status}` : ''}${exception ? ` (${exception.type ?? ''}${exception.message ? `: ${exception.message.slice(0, 120)}` : ''})` : ''}, ${Math.round(span.endMs - span.startMs)} ms`;
}

interface Samples {
  total: number[];
  bad: number[];
  throttled: number[];
  latency: { t: number; v: number; span: Span }[];
  badSpans: Span[];
}

export function traceSignals(spans: readonly Span[], atMs: number): TraceFacts {
  const origins = new Map<string, string[]>();
  const callees = new Map<string, Set<string>>();
  const timeline = Timeline.over(
    spans.filter((s) => s.isSegment).map((s) => s.startMs),
    atMs,
  );
  if (!timeline) return { signals: [], origins, callees, troubledTraces: 0 };
  const samples = (map: Map<string, Samples>, key: string) =>
    entryOf(map, key, () => ({
      total: timeline.zeros(),
      bad: timeline.zeros(),
      throttled: timeline.zeros(),
      latency: [] as Samples['latency'],
      badSpans: [] as Span[],
    }));
  const own = new Map<string, Samples>();
  const asCallee = new Map<string, Samples>();

  const children = new Map<string, Span[]>();
  for (const span of spans)
    if (span.parentId) entryOf(children, `${span.traceId}/${span.parentId}`, () => []).push(span);
  const hasFlaggedCall = (span: Span, depth = 0): boolean =>
    (children.get(`${span.traceId}/${span.id}`) ?? []).some(
      (c) =>
        ((c.isSegment || isDependencyCall(c)) && flagged(c)) ||
        (!c.isSegment && depth < 32 && hasFlaggedCall(c, depth + 1)),
    );

  const self = selfTimes(spans);
  for (const span of spans) {
    if (!span.isSegment) continue;
    const s = samples(own, span.name);
    const i = timeline.index(span.startMs);
    s.total[i]! += 1;
    s.latency.push({ t: span.startMs, v: self.get(span) ?? span.endMs - span.startMs, span });
    // A flag that a flagged call beneath explains did not start here.
    if (flagged(span) && !hasFlaggedCall(span)) {
      s.bad[i]! += 1;
      if (span.throttle) s.throttled[i]! += 1;
      s.badSpans.push(span);
    }
  }
  for (const call of callsOf(spans)) {
    entryOf(callees, call.from, () => new Set<string>()).add(call.to);
    if (call.callee) continue; // a callee with its own segment is judged by its own segments
    const s = samples(asCallee, call.to);
    const i = timeline.index(call.span.startMs);
    s.total[i]! += 1;
    s.latency.push({ t: call.span.startMs, v: call.span.endMs - call.span.startMs, span: call.span });
    if (flagged(call.span)) {
      s.bad[i]! += 1;
      const throttling =
        call.span.throttle || call.span.exceptions.some((e) => THROTTLING.test(`${e.type} ${e.message}`));
      if (throttling) s.throttled[i]! += 1;
      s.badSpans.push(call.span);
    }
  }

  const signals: Signal[] = [];
  const shareSignal = (
    component: string,
    kind: SignalKind,
    split: Split | undefined,
    s: Samples,
    throttleOnly: boolean,
  ) => {
    if (!split || split.llr < MIN_LLR) return;
    const since = timeline.timeOf(split.index);
    const bad = s.badSpans.filter(
      (b) =>
        b.startMs >= since &&
        (!throttleOnly || b.throttle || b.exceptions.some((e) => THROTTLING.test(`${e.type} ${e.message}`))),
    );
    if (bad.length === 0) return;
    const exceptionTypes = new Map<string, number>();
    for (const b of bad)
      for (const e of b.exceptions)
        if (e.type) exceptionTypes.set(e.type, (exceptionTypes.get(e.type) ?? 0) + 1);
    const topType = [...exceptionTypes].sort((a, b) => b[1] - a[1])[0]?.[0];
    signals.push({
      component,
      kind,
      strength: split.llr,
      onsetMs: since,
      facts: {
        before: split.before,
        after: split.after,
        count: bad.length,
        throttleShare: bad.filter((b) => b.throttle).length / bad.length,
        ...(topType ? { errorType: topType } : {}),
      },
      detail: `${throttleOnly ? 'throttled' : 'failing'} ${kind.startsWith('call') ? 'calls' : 'requests'} ${(100 * split.before).toFixed(1)} % → ${(100 * split.after).toFixed(1)} %`,
      evidence: bad
        .slice(0, 2)
        .concat(bad.slice(-2))
        .filter((b, k, all) => all.indexOf(b) === k)
        .map((b) => traceEvidence(b, describe(b))),
    });
  };
  const latencySignal = (component: string, kind: SignalKind, s: Samples) => {
    const shift = scanShift(s.latency, timeline.splits(), 1);
    if (!shift || shift.z < MIN_Z || shift.after < 1.3 * shift.before || shift.after - shift.before < 2)
      return;
    const slow = s.latency.filter((x) => x.t >= shift.t && x.v >= shift.after).sort((a, b) => b.v - a.v);
    signals.push({
      component,
      kind,
      // A large slowdown on a few requests counts as much as a small one on many.
      strength: ((shift.z * shift.z) / 2) * (1 + Math.log(shift.after / Math.max(shift.before, 1e-3))),
      onsetMs: shift.t,
      facts: {
        before: shift.before,
        after: shift.after,
        ratio: shift.after / Math.max(shift.before, 1e-3),
        count: shift.nAfter,
      },
      detail: `${kind === 'self_latency' ? 'own time' : 'call time'} median ${Math.round(shift.before)} → ${Math.round(shift.after)} ms`,
      evidence: slow.slice(0, 3).map((x) => traceEvidence(x.span, describe(x.span))),
    });
  };
  for (const [component, s] of own) {
    shareSignal(component, 'span_faults', scanShareIncrease(s.bad, s.total), s, false);
    shareSignal(component, 'span_throttles', scanShareIncrease(s.throttled, s.total), s, true);
    latencySignal(component, 'self_latency', s);
  }
  for (const [component, s] of asCallee) {
    shareSignal(component, 'call_errors', scanShareIncrease(s.bad, s.total), s, false);
    shareSignal(component, 'call_throttles', scanShareIncrease(s.throttled, s.total), s, true);
    latencySignal(component, 'call_latency', s);
  }

  // Where each troubled trace went wrong first: the deepest flagged span (its callee for a dependency call).
  let troubledTraces = 0;
  for (const trace of groupTraces(spans)) {
    const byId = new Map(trace.spans.map((s) => [s.id, s]));
    let deepest: Span | undefined;
    let depthOfDeepest = -1;
    for (const span of trace.spans) {
      if (!flagged(span)) continue;
      let depth = 0;
      for (let cursor = span; cursor.parentId && depth < 128; depth++) {
        const parent = byId.get(cursor.parentId);
        if (!parent) break;
        cursor = parent;
      }
      if (depth > depthOfDeepest) {
        deepest = span;
        depthOfDeepest = depth;
      }
    }
    if (!deepest) continue;
    troubledTraces++;
    const origin = calleeName(deepest) ?? deepest.owner;
    entryOf(origins, origin, () => []).push(trace.traceId);
  }
  return { signals, origins, callees, troubledTraces, timeline };
}
