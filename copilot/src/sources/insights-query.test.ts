import { describe, expect, it } from 'vitest';
import { runLocalInsights, UnsupportedQueryError } from './insights-local.ts';
import type { LogEvent } from './log-events.ts';

const T0 = Date.UTC(2026, 10, 2, 10);

function events(): LogEvent[] {
  const lines: [number, object | string][] = [
    [0, { level: 'INFO', route: 'POST /v1/access', statusCode: 200, durationMs: 12, error: { name: 'x' } }],
    [
      30_000,
      {
        level: 'ERROR',
        route: 'POST /v1/access',
        statusCode: 503,
        durationMs: 40,
        error: { name: 'TypeError' },
      },
    ],
    [70_000, { level: 'INFO', route: 'GET /v1/devices', statusCode: 200, durationMs: 5 }],
    [90_000, { level: 'WARN', route: 'POST /v1/access', statusCode: 429, durationMs: 2 }],
    [130_000, 'REPORT RequestId: r1 Duration: 12.5 ms Billed Duration: 13 ms'],
  ];
  return lines.map(([offset, message], i) => ({
    logGroup: '/aws/lambda/access',
    logStream: 's1',
    timestampMs: T0 + offset,
    message: typeof message === 'string' ? message : JSON.stringify(message),
    eventId: `e${i}`,
  }));
}

describe('Logs Insights subset', () => {
  it('counts per bin and group, in time order, and takes percentiles', () => {
    expect(
      runLocalInsights(events(), 'filter ispresent(statusCode) | stats count(*) as n by bin(1m)'),
    ).toEqual([
      { 'bin(1m)': new Date(T0).toISOString(), n: '2' },
      { 'bin(1m)': new Date(T0 + 60_000).toISOString(), n: '2' },
    ]);
    expect(
      runLocalInsights(
        events(),
        'stats pct(durationMs, 50) as p50, max(durationMs) as worst, count_distinct(route) as routes',
      ),
    ).toEqual([{ p50: '5', worst: '40', routes: '3' }]);
  });

  it('filters with and, or, not, in, like and nested fields', () => {
    const ids = (q: string) => runLocalInsights(events(), q).map((r) => r['@ptr']);
    expect(ids('filter statusCode >= 400 and not level = "WARN" | fields @ptr')).toEqual([
      '/aws/lambda/access#e1',
    ]);
    expect(
      ids('filter level in ["WARN", "ERROR"] or durationMs < 6 | sort @timestamp asc | fields @ptr'),
    ).toEqual(['/aws/lambda/access#e1', '/aws/lambda/access#e2', '/aws/lambda/access#e3']);
    expect(ids('filter error.name like /Type/ | fields @ptr')).toEqual(['/aws/lambda/access#e1']);
    expect(ids('filter @message like "REPORT" | fields @ptr')).toEqual(['/aws/lambda/access#e4']);
    expect(
      ids(
        'filter route not like /devices/ and ispresent(route) | sort durationMs desc | limit 1 | fields @ptr',
      ),
    ).toEqual(['/aws/lambda/access#e1']);
  });

  it('parses fields out of plain text with a glob or named groups', () => {
    expect(
      runLocalInsights(
        events(),
        'parse @message "Duration: * ms Billed Duration: * ms" as took, billed | filter ispresent(took) | fields took, billed',
      ),
    ).toEqual([{ took: '12.5', billed: '13' }]);
    expect(
      runLocalInsights(
        events(),
        'parse @message /RequestId: (?<req>\\w+)/ | filter ispresent(req) | fields req',
      ),
    ).toEqual([{ req: 'r1' }]);
  });

  it('sorts by several keys, dedups, and returns newest first without a sort', () => {
    const rows = runLocalInsights(events(), 'filter ispresent(route) | dedup route | fields route');
    expect(rows.map((r) => r.route)).toEqual(['POST /v1/access', 'GET /v1/devices']);
    const sorted = runLocalInsights(
      events(),
      'filter ispresent(route) | sort route asc, durationMs desc | fields route, durationMs',
    );
    expect(sorted.map((r) => r.durationMs)).toEqual(['5', '40', '12', '2']);
  });

  it('refuses what it does not support, naming the part', () => {
    for (const [query, part] of [
      ['pattern @message', 'unsupported command: pattern'],
      ['stats median(x)', 'unsupported stats function: median'],
      ['filter level = ', 'unexpected end'],
      ['stats count(*) by bin(5 minutes)', 'expected ")" near "minutes"'],
      ['stats count(*) by bin(5w)', 'bin period "5w"'],
      ['', 'the query is empty'],
    ] as const) {
      expect(() => runLocalInsights(events(), query)).toThrow(UnsupportedQueryError);
      expect(() => runLocalInsights(events(), query)).toThrow(part);
    }
  });
});
