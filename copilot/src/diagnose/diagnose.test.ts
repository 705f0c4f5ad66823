import { describe, expect, it } from 'vitest';
import { toLogRecord } from '../telemetry/log-message.ts';
import { resolveSpans, segmentSpans } from '../telemetry/segments.ts';
import type { LogRecord, Span, TelemetrySnapshot } from '../telemetry/types.ts';
import { scanRateIncrease, scanShareIncrease, scanShift } from './change-scan.ts';
import { diagnoseSnapshot } from './diagnose.ts';

const T0 = Date.UTC(2026, 10, 2, 10);
const AT = T0 + 30 * 60_000;

/** A tiny seeded generator so the fixtures are the same on every run. */
function lcg(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/**
 * Two services, `front` calling `back`, one request every 5 s for 30 minutes. From `faultAt`, `back` fails a third
 * of its requests and `front` fails with it (logging the failure of its call).
 */
function estate(faultAt?: number): TelemetrySnapshot {
  const random = lcg(7);
  const logs: LogRecord[] = [];
  const spans: Span[] = [];
  let n = 0;
  for (let t = T0; t < AT; t += 5000) {
    n++;
    const traceId = `1-${Math.floor(t / 1000).toString(16)}-${String(n).padStart(24, '0')}`;
    const failing = faultAt !== undefined && t >= faultAt && random() < 0.35;
    const noise = random() < 0.03;
    const call = {
      id: `c${String(n).padStart(15, '0')}`,
      name: 'back',
      namespace: 'remote',
      start_time: t / 1000 + 0.01,
      end_time: t / 1000 + 0.05,
      ...(failing ? { fault: true } : {}),
    };
    for (const doc of [
      {
        trace_id: traceId,
        id: `f${String(n).padStart(15, '0')}`,
        name: 'front',
        start_time: t / 1000,
        end_time: t / 1000 + 0.06,
        ...(failing ? { fault: true } : {}),
        subsegments: [call],
      },
      {
        trace_id: traceId,
        id: `b${String(n).padStart(15, '0')}`,
        parent_id: call.id,
        name: 'back',
        start_time: t / 1000 + 0.012,
        end_time: t / 1000 + 0.048,
        ...(failing ? { fault: true, cause: { exceptions: [{ type: 'IllegalStateException' }] } } : {}),
      },
    ])
      spans.push(...(segmentSpans(doc) as { spans: Span[] }).spans);
    const line = (group: string, message: object) =>
      logs.push(
        toLogRecord(group, {
          id: `${group}-${n}-${logs.length}`,
          timestampMs: t,
          logStream: 's',
          message: JSON.stringify(message),
        }),
      );
    line('/svc/front', {
      level: failing ? 'ERROR' : 'INFO',
      message: failing ? 'call to back failed: 500' : 'served',
      xray_trace_id: traceId,
    });
    line('/svc/back', {
      level: failing ? 'ERROR' : 'INFO',
      message: failing ? 'invariant violated' : 'done',
      xray_trace_id: traceId,
    });
    if (noise) line('/svc/front', { level: 'WARN', message: 'client closed connection early' });
  }
  return {
    startMs: T0,
    endMs: AT,
    groups: ['/svc/back', '/svc/front'],
    logs,
    metrics: [],
    spans: resolveSpans(spans),
    skips: { reasons: {}, total: 0 },
    has: { logs: true, traces: true },
  };
}

describe('Change scans', () => {
  it('find where a share, a rate or a level changed, and nothing in a flat series', () => {
    const total = new Array(20).fill(100);
    expect(scanShareIncrease([...new Array(14).fill(1), ...new Array(6).fill(30)], total)).toMatchObject({
      index: 14,
    });
    expect(scanShareIncrease(new Array(20).fill(2), total)).toBeUndefined();
    expect(
      scanRateIncrease([...new Array(10).fill(8), ...new Array(10).fill(0)], new Array(20).fill(1), 2, 1, -1),
    ).toMatchObject({ index: 10, after: 0 });
    const samples = Array.from({ length: 40 }, (_, i) => ({ t: i, v: i < 30 ? 10 + (i % 3) : 50 + (i % 3) }));
    expect(scanShift(samples, [10, 20, 30, 35], 1)).toMatchObject({ t: 30, before: 11, after: 51 });
  });
});

describe('Diagnostician', () => {
  it('blames the callee that went wrong first, not the caller that only passed its errors on, and cites both', () => {
    const diagnosis = diagnoseSnapshot(
      { snapshot: estate(T0 + 22 * 60_000), changes: [], findings: [] },
      { atMs: AT, windowMs: 30 * 60_000 },
    );
    expect(diagnosis.hypotheses[0]).toMatchObject({ rank: 1, component: 'back', fault: 'dependency_error' });
    expect(diagnosis.hypotheses[0]!.summary).toMatch(/^back is failing since 10:2[12]:\d\dZ/);
    const kinds = new Set(diagnosis.hypotheses[0]!.evidence.map((e) => e.kind));
    expect(kinds).toEqual(new Set(['log', 'trace']));
    const front = diagnosis.hypotheses.find((h) => h.component === 'front');
    if (front) expect(front.confidence).toBeLessThan(diagnosis.hypotheses[0]!.confidence);
    for (const h of diagnosis.hypotheses) expect(h.evidence.length).toBeGreaterThan(0);
  });

  it('cites a deploy its guard rolled back as the change behind the failing component', () => {
    const rollback = {
      id: 'rollback-1',
      kind: 'deploy_rolled_back' as const,
      subject: { functionName: 'back' },
      firstSeen: new Date(T0 + 21 * 60_000).toISOString(),
      detectedAt: new Date(T0 + 24 * 60_000).toISOString(),
      score: 1,
      severity: 'warning' as const,
      summary: 'Deploy of back version v7 rolled back to v6 by its guard: error rate 35.0 % > 1 % (7/20)',
      evidence: { version: 'v7', previousVersion: 'v6' },
    };
    const diagnosis = diagnoseSnapshot(
      { snapshot: estate(T0 + 22 * 60_000), changes: [], findings: [rollback] },
      { atMs: AT, windowMs: 30 * 60_000 },
    );
    const back = diagnosis.hypotheses.find((h) => h.component === 'back');
    expect(back?.evidence).toContainEqual(
      expect.objectContaining({ kind: 'finding', ref: expect.objectContaining({ id: 'rollback-1' }) }),
    );
    expect(back?.fault).toBe('bad_deploy');
  });

  it('says no fault found on a healthy window with background noise, and names what it could not check', () => {
    const diagnosis = diagnoseSnapshot(
      { snapshot: estate(), changes: [], findings: [] },
      { atMs: AT, windowMs: 30 * 60_000 },
    );
    expect(diagnosis).toMatchObject({ window: '30m', mode: 'offline', hypotheses: [] });
    expect(diagnosis.gaps).toContain('no EMF metrics in the window: metric anomalies not checked');
    expect(diagnosis.gaps.some((g) => g.startsWith('no fault found'))).toBe(true);
  });

  it('is deterministic: the same telemetry gives the same diagnosis', () => {
    const a = diagnoseSnapshot({ snapshot: estate(T0 + 20 * 60_000) }, { atMs: AT, windowMs: 30 * 60_000 });
    const b = diagnoseSnapshot({ snapshot: estate(T0 + 20 * 60_000) }, { atMs: AT, windowMs: 30 * 60_000 });
    expect(b).toEqual(a);
    expect(a.gaps).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^no change history source/),
        expect.stringMatching(/^no findings store/),
      ]),
    );
  });
});
