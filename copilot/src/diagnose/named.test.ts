import { describe, expect, it } from 'vitest';
import { toLogRecord } from '../telemetry/log-message.ts';
import { emptySkips, type LogRecord, type Span, type TelemetrySnapshot } from '../telemetry/types.ts';
import { analyse } from './diagnose.ts';
import { namedComponent } from './named.ts';

const T0 = Date.UTC(2026, 10, 2, 10);
const AT = T0 + 30 * 60_000;
const FAULT = T0 + 24 * 60_000;

describe('Function: namedComponent, wrapped errors', () => {
  const line = (message: string, errorMessage: string | undefined, i: number): LogRecord => ({
    group: '/svc/checkout',
    stream: 's',
    id: String(i),
    timestampMs: i,
    message,
    kind: 'structured',
    level: 'error',
    text: message,
    ...(errorMessage ? { errorMessage } : {}),
  });

  it("reads the exception's message too, and names the deepest of a chain of wrapped failures", () => {
    const names = ['checkout', 'ledger-svc', 'orders@aurora', 'orders'];
    const lines = [
      line('request failed', 'call to ledger-svc failed: call to orders@aurora failed: timed out', 1),
      line('request failed', 'call to orders@aurora failed: 503', 2),
      line('request failed', undefined, 3),
    ];
    // `orders` is inside `orders@aurora` on the same line: the longer name is meant.
    expect(namedComponent(lines, names, 'checkout')).toEqual({
      name: 'orders@aurora',
      share: 2 / 3,
      lines: 3,
    });
  });
});

/**
 * `web` calls `checkout`, which queries `orders@aurora` (a database: no logs of its own), one request every
 * 5 s. The spans carry no flags or statuses (many tracers record none). From FAULT, the database fails and
 * `checkout` logs `request failed` with the cause in its exception; `web` logs that `checkout` failed.
 */
function silentDatabaseEstate(
  fault: boolean,
  cause = 'connection to orders@aurora refused',
): TelemetrySnapshot {
  const logs: LogRecord[] = [];
  const spans: Span[] = [];
  let n = 0;
  const span = (
    traceId: string,
    s: Partial<Span> & Pick<Span, 'id' | 'name' | 'owner'>,
    t: number,
  ): Span => ({
    traceId,
    isSegment: true,
    startMs: t,
    endMs: t + 20,
    error: false,
    fault: false,
    throttle: false,
    exceptions: [],
    ...s,
  });
  const log = (service: string, t: number, body: object) =>
    logs.push(
      toLogRecord(`/ecs/${service}`, {
        id: `${service}-${n}`,
        timestampMs: t,
        logStream: `${service}/1`,
        message: JSON.stringify({ service, ...body }),
      }),
    );
  for (let t = T0; t < AT; t += 5000) {
    n++;
    const traceId = `1-${Math.floor(t / 1000).toString(16)}-${String(n).padStart(24, '0')}`;
    spans.push(
      span(traceId, { id: `w${n}`, name: 'web', owner: 'web' }, t),
      span(
        traceId,
        {
          id: `wc${n}`,
          name: 'checkout',
          owner: 'web',
          isSegment: false,
          namespace: 'remote',
          parentId: `w${n}`,
        },
        t + 1,
      ),
      span(traceId, { id: `c${n}`, name: 'checkout', owner: 'checkout', parentId: `wc${n}` }, t + 2),
      span(
        traceId,
        {
          id: `q${n}`,
          name: 'orders@aurora',
          owner: 'checkout',
          isSegment: false,
          namespace: 'remote',
          parentId: `c${n}`,
        },
        t + 3,
      ),
    );
    log('web', t, { level: 'INFO', message: 'served request' });
    log('checkout', t + 2, { level: 'INFO', message: 'placing order' });
    if (fault && t >= FAULT) {
      log('checkout', t + 4, {
        level: 'ERROR',
        message: 'request failed',
        exception: {
          class: 'SQLTransientConnectionException',
          message: cause,
        },
      });
      log('web', t + 5, { level: 'ERROR', message: 'call to checkout failed: 500' });
    }
  }
  return {
    startMs: AT - 30 * 60_000,
    endMs: AT,
    groups: ['/ecs/web', '/ecs/checkout'],
    logs,
    metrics: [],
    spans,
    skips: emptySkips(),
    has: { logs: true, traces: true },
  };
}

describe('Diagnostician on a dependency seen only in its callers’ lines', () => {
  it('puts the database the error lines name first, citing those lines, when the traces carry no flags', () => {
    const { diagnosis, ranked } = analyse(
      { snapshot: silentDatabaseEstate(true) },
      { atMs: AT, windowMs: 30 * 60_000 },
    );
    const first = diagnosis.hypotheses[0];
    expect(first?.component).toBe('orders@aurora');
    expect(first?.evidence).toContainEqual(
      expect.objectContaining({ kind: 'log', excerpt: expect.stringContaining('orders@aurora refused') }),
    );
    // The callers pass the failure on: each names the one below it.
    expect(ranked.find((r) => r.component === 'checkout')?.notes.join(' ')).toMatch(
      /name its callee orders@aurora/,
    );
  });

  it('names the kind from what the exception says, when the message only says that the request failed', () => {
    const { diagnosis } = analyse(
      { snapshot: silentDatabaseEstate(true, 'orders@aurora: too many requests, rate exceeded') },
      { atMs: AT, windowMs: 30 * 60_000 },
    );
    expect(diagnosis.hypotheses[0]).toMatchObject({ component: 'orders@aurora', fault: 'throttling' });
  });

  it('finds nothing when the database keeps answering', () => {
    const { diagnosis } = analyse(
      { snapshot: silentDatabaseEstate(false) },
      { atMs: AT, windowMs: 30 * 60_000 },
    );
    expect(diagnosis.hypotheses).toEqual([]);
  });
});
