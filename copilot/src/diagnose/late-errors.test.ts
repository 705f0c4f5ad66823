import { describe, expect, it } from 'vitest';
import { discoverComponents } from '../telemetry/components.ts';
import { toLogRecord } from '../telemetry/log-message.ts';
import type { LogRecord, TelemetrySnapshot } from '../telemetry/types.ts';
import { diagnoseSnapshot } from './diagnose.ts';
import { logSignals } from './signals-logs.ts';

const T0 = Date.UTC(2026, 10, 2, 10);
const AT = T0 + 30 * 60_000;
const FIRST_CALLED = T0 + 22 * 60_000;

/**
 * Logs only. `gateway` and `catalog` log a line every 2 s for 30 minutes, a stray error now and then; from
 * FIRST_CALLED the traffic through `gateway` grows eightfold unless told not to (the estate's volume with it). From
 * FIRST_CALLED `recommender` is called for the first time (its first line in the window) and fails two requests
 * in five when `broken`; meanwhile `catalog` warns a little more often than before (`cache entry stale`).
 */
function estate(broken: boolean, trafficGrows = true): TelemetrySnapshot {
  const logs: LogRecord[] = [];
  const line = (group: string, t: number, level: string, message: string) =>
    logs.push(
      toLogRecord(group, {
        id: `${group}-${logs.length}`,
        timestampMs: t,
        logStream: 's',
        message: JSON.stringify({ level, message }),
      }),
    );
  let n = 0;
  for (let t = T0; t < AT; t += 2000) {
    n++;
    for (let k = 0; k < (trafficGrows && t >= FIRST_CALLED ? 8 : 1); k++)
      line(
        '/svc/gateway',
        t + k,
        n % 97 === k ? 'ERROR' : 'INFO',
        n % 97 === k ? 'upstream reset' : 'routed',
      );
    line('/svc/catalog', t + 300, n % 89 === 0 ? 'ERROR' : 'INFO', n % 89 === 0 ? 'slow query' : 'listed');
    if (n % (t >= FIRST_CALLED ? 5 : 12) === 0) line('/svc/catalog', t + 400, 'WARN', 'cache entry stale');
    if (t >= FIRST_CALLED && n % 3 === 0) {
      const failing = broken && n % 5 < 2;
      line(
        '/svc/recommender',
        t + 500,
        failing ? 'ERROR' : 'INFO',
        failing ? 'could not build suggestions' : 'suggested',
      );
    }
  }
  return {
    startMs: T0,
    endMs: AT,
    groups: ['/svc/catalog', '/svc/gateway', '/svc/recommender'],
    logs,
    metrics: [],
    spans: [],
    skips: { reasons: {}, total: 0 },
    has: { logs: true, traces: false },
  };
}

describe('Function: logSignals, a component whose lines begin in the window', () => {
  it('judges its error share since its first line against the rest of the estate, once', () => {
    const snapshot = estate(true);
    const { signals } = logSignals(snapshot.logs, discoverComponents(snapshot), AT);
    const mine = signals.filter((s) => s.component === 'recommender' && /errors/.test(s.kind));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: 'log_errors' });
    expect(mine[0]!.strength).toBeGreaterThan(20);
    expect(Math.abs(mine[0]!.onsetMs - FIRST_CALLED)).toBeLessThanOrEqual(60_000);
    expect(mine[0]!.detail).toMatch(/since its first line at 10:22:/);
  });

  it("keeps the scan against the estate's volume when that volume stays flat and the scan is the stronger", () => {
    const snapshot = estate(true, false);
    const { signals } = logSignals(snapshot.logs, discoverComponents(snapshot), AT);
    const mine = signals.filter((s) => s.component === 'recommender' && /errors/.test(s.kind));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ kind: 'log_errors' });
    expect(mine[0]!.strength).toBeGreaterThan(30);
    expect(mine[0]!.detail).not.toMatch(/since its first line/);
  });
});

describe('Diagnostician on a component first called in the incident', () => {
  it('does not blame it when its first requests succeed', () => {
    const diagnosis = diagnoseSnapshot(
      { snapshot: estate(false), changes: [], findings: [] },
      { atMs: AT, windowMs: 30 * 60_000 },
    );
    expect(diagnosis.hypotheses.map((h) => h.component)).not.toContain('recommender');
  });
});
