import { describe, expect, it } from 'vitest';
import { toLogRecord } from '../telemetry/log-message.ts';
import { resolveSpans, segmentSpans } from '../telemetry/segments.ts';
import type { LogRecord, Span, TelemetrySnapshot } from '../telemetry/types.ts';
import type { Signal } from './types.ts';
import { diagnoseSnapshot } from './diagnose.ts';
import { namedComponent } from './named.ts';
import { type BlameFacts, rankComponents } from './rank.ts';
import { missingPattern } from './missing-pattern.ts';
import { servingIndex, servingOf, servingWeight } from './serving.ts';
import { Timeline } from './timeline.ts';

const T0 = Date.UTC(2026, 10, 2, 10);
const AT = T0 + 30 * 60_000;
const FAULT = T0 + 24 * 60_000;

/**
 * `web` calls `orders`, which calls `pricing`, one request every 5 s; spans carry no flags or statuses. From
 * FAULT, `pricing` (quiet) goes on serving every request but no longer prints its "priced" line (its code path
 * ends early, silently); `orders` logs an error naming `pricing` on the requests that get the bad answer. With
 * `pricingCalled: false`, `orders` stops calling `pricing` instead (so its line is missing downstream of the
 * trouble, not at it).
 */
function quietEstate(options: { fault: boolean; pricingCalled?: boolean }): TelemetrySnapshot {
  const logs: LogRecord[] = [];
  const spans: Span[] = [];
  let n = 0;
  for (let t = T0; t < AT; t += 5000) {
    n++;
    const id = String(n).padStart(15, '0');
    const traceId = `1-${Math.floor(t / 1000).toString(16)}-${String(n).padStart(24, '0')}`;
    const faulty = options.fault && t >= FAULT;
    const calls = !faulty || options.pricingCalled !== false;
    const s = t / 1000;
    const docs: object[] = [
      {
        trace_id: traceId,
        id: `w${id}`,
        name: 'web',
        start_time: s,
        end_time: s + 0.05,
        subsegments: [
          { id: `a${id}`, name: 'orders', namespace: 'remote', start_time: s, end_time: s + 0.05 },
        ],
      },
      {
        trace_id: traceId,
        id: `o${id}`,
        parent_id: `a${id}`,
        name: 'orders',
        start_time: s + 0.001,
        end_time: s + 0.04,
        subsegments: [
          {
            id: `h${id}`,
            name: 'OrdersController.create',
            start_time: s + 0.001,
            end_time: s + 0.04,
            subsegments: calls
              ? [
                  {
                    id: `b${id}`,
                    name: 'pricing',
                    namespace: 'remote',
                    start_time: s + 0.01,
                    end_time: s + 0.03,
                  },
                ]
              : [],
          },
        ],
      },
    ];
    if (calls)
      docs.push({
        trace_id: traceId,
        id: `p${id}`,
        parent_id: `b${id}`,
        name: 'pricing',
        start_time: s + 0.011,
        end_time: s + 0.029,
        subsegments: [
          { id: `q${id}`, name: 'PriceController.quote', start_time: s + 0.011, end_time: s + 0.029 },
        ],
      });
    for (const doc of docs) spans.push(...(segmentSpans(doc) as { spans: Span[] }).spans);
    const line = (group: string, level: string, message: string) =>
      logs.push(
        toLogRecord(group, {
          id: `${group}-${n}-${logs.length}`,
          timestampMs: t + 20,
          logStream: 's',
          message: JSON.stringify({ level, message, xray_trace_id: traceId }),
        }),
      );
    line('/svc/orders', 'INFO', 'creating order');
    if (calls) line('/svc/pricing', 'INFO', 'quote requested');
    if (calls && !faulty) line('/svc/pricing', 'INFO', 'priced item for route');
    if (faulty && n % 4 === 0) line('/svc/orders', 'ERROR', 'order failed: bad answer from pricing');
  }
  return {
    startMs: T0,
    endMs: AT,
    groups: ['/svc/orders', '/svc/pricing'],
    logs,
    metrics: [],
    spans: resolveSpans(spans),
    skips: { reasons: {}, total: 0 },
    has: { logs: true, traces: true },
  };
}

describe('Function: servingOf', () => {
  const pricedLines = (snapshot: TelemetrySnapshot) =>
    snapshot.logs.filter((r) => r.text.startsWith('priced item'));

  it('sees a handler still served after its line stopped, and one no longer called', () => {
    const quiet = quietEstate({ fault: true });
    const served = servingOf(servingIndex(quiet.spans), 'pricing', pricedLines(quiet), FAULT, {
      startMs: T0,
      endMs: AT,
    });
    expect(served).toMatchObject({ handlers: ['PriceController.quote'], countAfter: 72 });
    expect(served!.rateAfter / served!.rateBefore).toBeCloseTo(1, 1);
    expect(served!.example?.name).toBe('pricing');

    const uncalled = quietEstate({ fault: true, pricingCalled: false });
    const gone = servingOf(servingIndex(uncalled.spans), 'pricing', pricedLines(uncalled), FAULT, {
      startMs: T0,
      endMs: AT,
    });
    expect(gone).toMatchObject({ countAfter: 0, rateAfter: 0 });
    expect(gone?.example).toBeUndefined();
  });

  it('cannot tell when the lines carry no trace id', () => {
    const quiet = quietEstate({ fault: true });
    const lines = pricedLines(quiet).map(({ traceId: _, ...rest }) => rest);
    expect(servingOf(servingIndex(quiet.spans), 'pricing', lines, FAULT, { startMs: T0, endMs: AT })).toBe(
      undefined,
    );
  });

  it('weighs a silenced pattern up, an uncalled one down, and leaves it be without traces', () => {
    expect(servingWeight({ servedAfter: 40, servedRatio: 0.9 })).toBe(2);
    expect(servingWeight({ servedAfter: 2, servedRatio: 0.9 })).toBe(1);
    expect(servingWeight({ servedAfter: 0, servedRatio: 0 })).toBe(0.5);
    expect(servingWeight({ count: 12 })).toBe(1);
  });

  it('does not weigh up an error pattern that stopped while its requests were still served (a recovery)', () => {
    expect(servingWeight({ servedAfter: 40, servedRatio: 0.9, level: 'error' })).toBe(1);
    expect(servingWeight({ servedAfter: 40, servedRatio: 0.9, level: 'info' })).toBe(2);
    expect(servingWeight({ servedAfter: 0, servedRatio: 0, level: 'error' })).toBe(0.5);
  });
});

describe('Function: namedComponent', () => {
  const line = (text: string, i: number): LogRecord => ({
    group: '/svc/orders',
    stream: 's',
    id: String(i),
    timestampMs: i,
    message: text,
    kind: 'text',
    level: 'error',
    text,
  });

  it('finds the other component error lines name, the longest name when several match', () => {
    const names = ['orders', 'pricing', 'pricing-v2', 'db'];
    const lines = [
      line('No instances available for pricing-v2', 1),
      line('No instances available for pricing-v2', 2),
      line('call to pricing timed out', 3),
      line('orders: invariant violated', 4),
    ];
    expect(namedComponent(lines, names, 'orders')).toEqual({ name: 'pricing-v2', share: 0.5, lines: 4 });
    // Its own name and names too short to mean anything are not looked for.
    expect(namedComponent([line('orders db down', 5)], names, 'orders')).toBeUndefined();
  });
});

describe('Diagnostician on a quiet fault', () => {
  it('blames the callee that went on serving but stopped printing, not the caller whose errors name it', () => {
    const diagnosis = diagnoseSnapshot(
      { snapshot: quietEstate({ fault: true }) },
      { atMs: AT, windowMs: 30 * 60_000 },
    );
    const first = diagnosis.hypotheses[0];
    expect(first?.component).toBe('pricing');
    // The stopped line and a segment showing it still served are cited.
    expect(first?.evidence).toContainEqual(expect.objectContaining({ kind: 'log' }));
    expect(first?.evidence).toContainEqual(
      expect.objectContaining({ kind: 'trace', excerpt: expect.stringMatching(/^pricing still serving/) }),
    );
    expect(first?.summary).toBeTruthy();
  });

  it('finds nothing when nothing changed', () => {
    const diagnosis = diagnoseSnapshot(
      { snapshot: quietEstate({ fault: false }) },
      { atMs: AT, windowMs: 30 * 60_000 },
    );
    expect(diagnosis.hypotheses).toEqual([]);
  });
});

describe('Function: rankComponents, errors naming a callee', () => {
  const signal = (component: string, kind: Signal['kind'], strength: number, facts = {}): Signal => ({
    component,
    kind,
    strength,
    onsetMs: FAULT,
    facts,
    detail: kind,
    evidence: [],
  });
  const blame = (callees: Record<string, string[]>): BlameFacts => ({
    origins: new Map(),
    troubledTraces: 0,
    callees: new Map(Object.entries(callees).map(([k, v]) => [k, new Set(v)])),
    errorTraces: new Map(),
    bucketMs: 5000,
    atMs: AT,
    windowMs: 30 * 60_000,
  });
  const named = { names: 'gateway-b', namesShare: 0.8 };

  it('discounts a caller whose errors name a callee when that callee or what it calls is troubled too', () => {
    const signals = [
      signal('caller-a', 'log_errors', 40, named),
      signal('caller-a', 'new_error_pattern', 40, named),
      signal('deep-c', 'missing_pattern', 60, { servedAfter: 50, servedRatio: 1 }),
    ];
    const ranked = rankComponents(signals, blame({ 'caller-a': ['gateway-b'], 'gateway-b': ['deep-c'] }));
    expect(ranked.map((r) => r.component)).toEqual(['deep-c', 'caller-a']);
    expect(ranked[1]!.notes).toContain(
      'its error lines name its callee gateway-b, which calls the troubled deep-c',
    );
  });

  it('keeps the caller first when nothing below the named callee is troubled, or the name is no callee', () => {
    const quiet = rankComponents(
      [signal('caller-a', 'log_errors', 40, named), signal('deep-c', 'log_warnings', 5)],
      blame({ 'caller-a': ['gateway-b'], 'gateway-b': ['deep-c'] }),
    );
    expect(quiet[0]).toMatchObject({ component: 'caller-a', notes: [] });
    const stranger = rankComponents(
      [signal('caller-a', 'log_errors', 40, named), signal('deep-c', 'missing_pattern', 30)],
      blame({ 'caller-a': ['other'], 'gateway-b': ['deep-c'] }),
    );
    expect(stranger.find((r) => r.component === 'caller-a')?.notes).toEqual([]);
  });
});

describe('Function: missingPattern, level', () => {
  it("records the stopped pattern's level, for the weight of a stopped error pattern", () => {
    const timeline = new Timeline(T0, T0 + 40 * 60_000, 60_000);
    const records = Array.from({ length: 20 }, (_, i) =>
      toLogRecord('/svc/lookup', {
        id: `l${i}`,
        timestampMs: T0 + i * 60_000 + 1000,
        logStream: 's',
        message: JSON.stringify({ level: 'ERROR', message: 'lookup failed' }),
      }),
    );
    const counts = timeline.zeros();
    for (const r of records) counts[timeline.index(r.timestampMs)]! += 1;
    const volume = timeline.zeros().map(() => 10);
    const stopped = missingPattern({ component: 'lookup', counts, records }, volume, timeline, undefined);
    expect(stopped?.facts.level).toBe('error');
  });
});
