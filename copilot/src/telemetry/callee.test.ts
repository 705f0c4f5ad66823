import { describe, expect, it } from 'vitest';
import { databaseOfUrl } from './callee.ts';
import { calleeName, discoverComponents } from './components.ts';
import { resolveSpans, segmentSpans } from './segments.ts';
import { callsOf, selfTimes } from './trace-graph.ts';
import type { Span } from './types.ts';

const start = 1_700_000_000;

/** A service's segment whose handler makes the given dependency calls, one after the other. */
function segment(calls: Record<string, unknown>[]): Record<string, unknown> {
  return {
    trace_id: '1-65000000-0123456789abcdef01234567',
    id: 'a000000000000001',
    name: 'orders',
    start_time: start,
    end_time: start + 1,
    subsegments: [
      {
        id: 'b000000000000001',
        name: 'OrderController.list',
        start_time: start,
        end_time: start + 1,
        subsegments: calls.map((call, i) => ({
          id: `c00000000000000${i}`,
          start_time: start + 0.1 * i,
          end_time: start + 0.1 * i + 0.05,
          ...call,
        })),
      },
    ],
  };
}

function spansOf(document: Record<string, unknown>): Span[] {
  const result = segmentSpans(document);
  if ('invalid' in result) throw new Error(result.invalid);
  return resolveSpans(result.spans);
}

const named = (spans: Span[], name: string) => spans.find((span) => span.name === name)!;

describe('Telemetry: the component a dependency call reaches', () => {
  it('reads a SQL call named after its statement as the database its URL names, the statement kept', () => {
    const spans = spansOf(
      segment([
        {
          name: 'SELECT Order',
          namespace: 'remote',
          sql: { sanitized_query: 'SELECT Order', url: 'jdbc:mysql://orders-db.internal:3306/shop?ssl=true' },
        },
        {
          name: 'UPDATE ts.orders SET status = ?',
          namespace: 'remote',
          sql: {
            sanitized_query: 'update ts.orders set status = ? where id = ?',
            url: 'postgres://u@pg:5432',
          },
        },
      ]),
    );
    const select = named(spans, 'SELECT Order');
    expect(calleeName(select)).toBe('shop@orders-db.internal');
    expect(select.operation).toBe('SELECT Order');
    expect(calleeName(named(spans, 'UPDATE ts.orders SET status = ?'))).toBe('pg');
    expect(callsOf(spans).map((call) => call.to)).toEqual(['shop@orders-db.internal', 'pg']);
  });

  it('never makes a component of a SQL call that names no database', () => {
    const spans = spansOf(
      segment([
        { name: 'SELECT Money', namespace: 'remote', sql: { sanitized_query: 'SELECT Money' } },
        { name: 'payments', namespace: 'remote', http: { request: { method: 'GET' } } },
      ]),
    );
    const select = named(spans, 'SELECT Money');
    expect(calleeName(select)).toBeUndefined();
    expect(select.operation).toBe('SELECT Money');
    const index = discoverComponents({ groups: [], logs: [], metrics: [], spans });
    expect(index.names).toEqual(['orders', 'payments']);
    expect(callsOf(spans).map((call) => call.to)).toEqual(['payments']);
    // Waiting on the unnamed database is still waiting, not the caller's own time.
    const own = selfTimes(spans).get(named(spans, 'orders'))!;
    expect(own).toBeCloseTo(900, 0);
  });

  it('keeps a call named after its callee as X-Ray names it (database@host, a table, a host)', () => {
    const spans = spansOf(
      segment([
        {
          name: 'ebdb@db-1',
          namespace: 'remote',
          sql: { sanitized_query: 'SELECT * FROM t', url: 'jdbc:x://h/y' },
        },
        { name: 'DynamoDB', namespace: 'aws', aws: { operation: 'GetItem' } },
      ]),
    );
    expect(spans.filter((s) => !s.isSegment).map(calleeName)).toEqual([undefined, 'ebdb@db-1', 'DynamoDB']);
    expect(named(spans, 'DynamoDB').operation).toBe('GetItem');
  });

  it('reads an HTTP call named after its request as the host of its URL, or as the caller own work', () => {
    const spans = spansOf(
      segment([
        {
          name: 'GET /api/v1/prices',
          namespace: 'remote',
          http: { request: { method: 'GET', url: 'http://price-service:8080/api/v1/prices' } },
        },
        { name: '/api/v1/stock', namespace: 'remote', http: { request: { url: '/api/v1/stock' } } },
      ]),
    );
    expect(calleeName(named(spans, 'GET /api/v1/prices'))).toBe('price-service');
    expect(calleeName(named(spans, '/api/v1/stock'))).toBeUndefined();
  });

  it('reads database names from the usual connection URL forms', () => {
    expect(databaseOfUrl('jdbc:postgresql://db.example.com:5432/ebdb')).toBe('ebdb@db.example.com');
    expect(databaseOfUrl('mysql://user:secret@10.0.0.5/app')).toBe('app@10.0.0.5');
    expect(databaseOfUrl('jdbc:sqlserver://[::1]:1433;databaseName=x')).toBe('[::1]');
    expect(databaseOfUrl('not a url')).toBeUndefined();
  });
});
