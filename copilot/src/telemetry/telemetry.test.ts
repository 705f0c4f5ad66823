import { describe, expect, it } from 'vitest';
import { discoverComponents } from './components.ts';
import { readTelemetryDirectory } from '../telemetry-dir/snapshot.ts';
import { emfPoints } from './emf.ts';
import { parseLogMessage } from './log-message.ts';
import { resolveSpans, segmentSpans } from './segments.ts';
import { emf, T, writeTelemetryFixture } from './test-support.ts';
import { callsOf, selfTimes, serviceMap } from './trace-graph.ts';

describe('Telemetry: log messages', () => {
  it('reads Powertools JSON, pino numeric levels, logback JSON and plain text alike', () => {
    const powertools = parseLogMessage(
      JSON.stringify({
        level: 'ERROR',
        message: 'request failed',
        service: 'api',
        xray_trace_id: '1-5f84c7a1-0123456789abcdef01234567',
        error: { name: 'TypeError', message: 'x' },
      }),
    );
    expect(powertools).toMatchObject({
      kind: 'structured',
      level: 'error',
      text: 'request failed',
      service: 'api',
      errorType: 'TypeError',
      traceId: '1-5f84c7a1-0123456789abcdef01234567',
    });
    expect(parseLogMessage(JSON.stringify({ level: 40, msg: 'slow' }))).toMatchObject({
      level: 'warn',
      text: 'slow',
    });
    expect(
      parseLogMessage(
        JSON.stringify({
          '@timestamp': 'x',
          level: 'SEVERE',
          message: 'db down',
          exception: { class: 'SQLException' },
        }),
      ),
    ).toMatchObject({ level: 'error', errorType: 'SQLException' });
    const text = parseLogMessage(
      '2026-11-02T10:00:00.000Z\tabc-123\tWARN\tretrying call 1-5f84c7a1-0123456789abcdef01234567',
    );
    expect(text).toMatchObject({
      kind: 'text',
      level: 'warn',
      traceId: '1-5f84c7a1-0123456789abcdef01234567',
    });
    expect(parseLogMessage('ERROR [svc] NullPointerException: config is null')).toMatchObject({
      level: 'error',
      errorType: 'NullPointerException',
    });
    expect(parseLogMessage('just words')).toMatchObject({ kind: 'text', level: undefined });
  });

  it('reads the level of a line that states none from its words', () => {
    expect(parseLogMessage('[getAllFood] Get the food request failed!')).toMatchObject({ level: 'error' });
    expect(
      parseLogMessage('2023-01-29 10:00:01 o.c.Handler: java.lang.IllegalStateException: no route'),
    ).toMatchObject({ level: 'error', errorType: 'IllegalStateException' });
    expect(parseLogMessage('connection to db-1 timed out, retrying')).toMatchObject({ level: 'error' });
    expect(parseLogMessage('retrying call to pricing (attempt 2)')).toMatchObject({ level: 'warn' });
    expect(parseLogMessage('GET /orders/42 served in 12 ms')).toMatchObject({ level: undefined });
    // JSON without a level field: its message says it; a stated level, even one not understood, is kept.
    expect(parseLogMessage(JSON.stringify({ msg: 'payment refused by gateway' }))).toMatchObject({
      kind: 'structured',
      level: 'error',
    });
    expect(parseLogMessage(JSON.stringify({ level: 'info', msg: 'error budget report sent' }))).toMatchObject(
      {
        level: 'info',
      },
    );
    expect(parseLogMessage(JSON.stringify({ level: 'x', msg: 'request failed' }))).toMatchObject({
      level: undefined,
    });
    // An access record (no message) reads its failures from its status, not from words in its fields.
    expect(
      parseLogMessage(JSON.stringify({ 'sc-status': 502, 'x-edge-result-type': 'Error' })),
    ).toMatchObject({ level: undefined, status: 502 });
  });

  it('does not read trouble a levelless line says did not happen as an error', () => {
    for (const line of [
      'nightly sync done: 0 errors',
      'batch 42 finished with no error',
      'report sent, errors: 0',
      'stats error_count=0 retries=0',
      'import completed without failures',
      'health check: no warnings',
      '12 passed, 0 failed',
    ])
      expect(parseLogMessage(line).level, line).toBeUndefined();
    expect(parseLogMessage(JSON.stringify({ msg: 'flushed 20 rows, 0 errors' })).level).toBeUndefined();
    // Real trouble beside a zero count still reads as it.
    expect(parseLogMessage('0 errors, 2 timeouts').level).toBe('error');
    expect(parseLogMessage('no retries left, request failed').level).toBe('error');
    expect(parseLogMessage('HTTP 500 failed').level).toBe('error');
  });

  it('still reads a real failure beside a zero count or a negation as an error', () => {
    for (const line of [
      '0 errors but 3 failures',
      'timeouts: 0, failures: 3',
      'error: connection refused (0 retries left)',
      'error: 0 bytes read from socket',
      'Error: 0x80070005',
      'key not found error',
      'upload failed: no space left on device',
    ])
      expect(parseLogMessage(line).level, line).toBe('error');
    // Denials with a word between them and the trouble, and counts among key=value pairs, are still no trouble.
    for (const line of [
      'no new errors since restart',
      'done without any failures',
      'errors=0, warnings=0 in 3 s',
    ])
      expect(parseLogMessage(line).level, line).toBeUndefined();
  });

  it('reads lines in other languages or scripts without crashing', () => {
    for (const line of [
      'Fehler: 0 Verbindungen',
      'échec de connexion',
      '接続エラー 0 件',
      '\u0000\uffff',
      '',
    ])
      expect(() => parseLogMessage(line)).not.toThrow();
  });

  it('reads Lambda platform records in JSON and in the classic text format', () => {
    const json = parseLogMessage(
      JSON.stringify({
        time: 'x',
        type: 'platform.report',
        record: {
          requestId: 'r',
          status: 'timeout',
          metrics: { durationMs: 3000, maxMemoryUsedMB: 250, memorySizeMB: 256, initDurationMs: 300 },
        },
      }),
    );
    expect(json).toMatchObject({
      kind: 'platform',
      platformType: 'platform.report',
      level: 'error',
      platform: { status: 'timeout', durationMs: 3000, maxMemoryUsedMB: 250, initDurationMs: 300 },
    });
    const text = parseLogMessage(
      'REPORT RequestId: 1 Duration: 12.5 ms Billed Duration: 13 ms Memory Size: 128 MB Max Memory Used: 70 MB Init Duration: 180.1 ms',
    );
    expect(text).toMatchObject({
      platformType: 'platform.report',
      platform: { durationMs: 12.5, memorySizeMB: 128, maxMemoryUsedMB: 70, initDurationMs: 180.1 },
    });
  });

  it('labels a line with its short categorical fields, leaving ids and free text out', () => {
    const parsed = parseLogMessage(
      JSON.stringify({
        level: 'WARN',
        message: 'token rejected',
        reason: 'bad_signature',
        kid: 'k2',
        requestId: 'abc',
        note: 'a long sentence with spaces',
      }),
    );
    expect(parsed.labels).toBe('kid=k2 reason=bad_signature');
    const record = parseLogMessage(
      JSON.stringify({
        'c-ip': '10.0.0.1',
        'sc-status': 502,
        'x-edge-detailed-result-type': 'OriginConnectError',
      }),
    );
    expect(record.text).toBe('c-ip=10.0.0.1 x-edge-detailed-result-type=OriginConnectError');
  });
});

describe('Telemetry: EMF and segments', () => {
  it('takes every declared metric whatever its name, arrays as several samples, with its dimensions', () => {
    const doc = emf(
      'Any/Thing',
      { Service: 'svc', Pod: 'p1' },
      { QueueDepth: [[3, 5], 'Count'], Temp: [21.5, 'None'] },
      T(1),
    );
    const result = emfPoints(doc, { group: 'g', stream: 's', eventId: 'e1', timestampMs: T(0) });
    expect(
      'points' in result && result.points.map((p) => [p.name, p.value, p.dimensions.Service, p.timestampMs]),
    ).toEqual([
      ['QueueDepth', 3, 'svc', T(1)],
      ['QueueDepth', 5, 'svc', T(1)],
      ['Temp', 21.5, 'svc', T(1)],
    ]);
    expect(
      emfPoints(
        { _aws: { CloudWatchMetrics: [{ Metrics: [{ Unit: 'Count' }] }] } },
        { group: 'g', stream: 's', eventId: 'e', timestampMs: 0 },
      ),
    ).toEqual({ invalid: 'EMF: metric without Name' });
  });

  it('flattens subsegments under their service, resolves independently sent ones, and keeps the last copy of a repeated document', () => {
    const segment = {
      trace_id: '1-a-b',
      id: 's1',
      name: 'api',
      start_time: 1,
      end_time: 2,
      subsegments: [
        {
          id: 'c1',
          name: 'DynamoDB',
          namespace: 'aws',
          start_time: 1.1,
          end_time: 1.5,
          throttle: true,
          error: true,
          aws: { operation: 'GetItem' },
          cause: { exceptions: [{ type: 'ProvisionedThroughputExceededException' }] },
        },
      ],
    };
    const loose = {
      trace_id: '1-a-b',
      id: 'c2',
      type: 'subsegment',
      parent_id: 'c1',
      name: 'retry',
      start_time: 1.2,
      end_time: 1.3,
    };
    const spans = resolveSpans([
      ...('spans' in segmentSpans({ ...segment, in_progress: true })
        ? (segmentSpans({ ...segment, end_time: 1 }) as { spans: never[] }).spans
        : []),
      ...(segmentSpans(segment) as { spans: never[] }).spans,
      ...(segmentSpans(loose) as { spans: never[] }).spans,
    ]);
    expect(spans.map((s) => [s.id, s.owner, s.isSegment])).toEqual([
      ['s1', 'api', true],
      ['c1', 'api', false],
      ['c2', 'api', false],
    ]);
    expect(spans.find((s) => s.id === 's1')?.endMs).toBe(2000);
    expect(spans[1]).toMatchObject({
      throttle: true,
      operation: 'GetItem',
      exceptions: [{ type: 'ProvisionedThroughputExceededException' }],
    });
    expect(segmentSpans({ id: 'x' })).toEqual({ invalid: 'xray: document without trace_id' });
  });

  it('measures a segment by its own time, not the time it waited on calls, and maps calls once', () => {
    const caller = {
      trace_id: 't',
      id: 'a',
      name: 'front',
      start_time: 0,
      end_time: 1,
      subsegments: [
        {
          id: 'call',
          name: 'back',
          namespace: 'remote',
          start_time: 0.1,
          end_time: 0.9,
          http: { response: { status: 500 } },
          fault: true,
        },
      ],
    };
    const callee = {
      trace_id: 't',
      id: 'b',
      name: 'back',
      parent_id: 'call',
      start_time: 0.15,
      end_time: 0.85,
      fault: true,
    };
    const spans = resolveSpans([
      ...(segmentSpans(caller) as { spans: never[] }).spans,
      ...(segmentSpans(callee) as { spans: never[] }).spans,
    ]);
    const self = selfTimes(spans);
    expect(Math.round(self.get(spans.find((s) => s.id === 'a')!)!)).toBe(200);
    expect(callsOf(spans).map((c) => [c.from, c.to])).toEqual([['front', 'back']]);
    expect(serviceMap(spans).edges).toMatchObject([{ from: 'front', to: 'back', calls: 1, faults: 1 }]);
  });
});

describe('Telemetry: directory and components', () => {
  it('counts what it cannot read and reads the rest, only within the range', async () => {
    const root = await writeTelemetryFixture(
      [
        {
          name: '/aws/lambda/checkout',
          events: [
            { timestamp: T(1), message: { level: 'INFO', message: 'ok' } },
            { raw: 'not json at all' },
            { raw: JSON.stringify({ id: 'x', timestamp: 'soon', message: 'm' }) },
            { raw: JSON.stringify({ id: 'y', timestamp: T(2) }) },
            { timestamp: T(3), message: { _aws: { CloudWatchMetrics: [{ Metrics: [{ Unit: 'Count' }] }] } } },
            { timestamp: T(90), message: 'outside the range' },
          ],
        },
      ],
      [
        { raw: '{broken' },
        {
          trace_id: '1-a-b',
          id: 's',
          name: 'checkout',
          start_time: T(1) / 1000,
          end_time: T(1) / 1000 + 0.1,
        },
      ],
    );
    const snapshot = await readTelemetryDirectory(root, { startMs: T(0), endMs: T(30) });
    expect(snapshot.logs.map((l) => l.text)).toEqual(['ok', 'EMF metrics']);
    expect(snapshot.spans).toHaveLength(1);
    expect(snapshot.skips.reasons).toEqual({
      'logs: line is not JSON': 1,
      'logs: event without a numeric timestamp': 1,
      'logs: event without a message string': 1,
      'EMF: metric without Name': 1,
      'xray: line is not JSON': 1,
    });
    await expect(readTelemetryDirectory(`${root}/missing`, { startMs: 0, endMs: 1 })).rejects.toThrow(
      'is not a directory',
    );
  });

  it('finds components in group paths, service fields, segments, dependencies and EMF dimensions, never by a known name', async () => {
    const root = await writeTelemetryFixture(
      [
        {
          name: '/aws/lambda/fn-a',
          events: [{ timestamp: T(1), message: { level: 'INFO', message: 'x', service: 'platform' } }],
        },
        {
          name: '/aws/lambda/fn-b',
          events: [{ timestamp: T(1), message: { level: 'INFO', message: 'x', service: 'platform' } }],
        },
        {
          name: '/aws/ecs/containerinsights/shop/performance',
          events: [
            { timestamp: T(1), message: emf('K', { ServiceName: 'cart' }, { cpu: [3, 'Percent'] }, T(1)) },
          ],
        },
        {
          name: '/ecs/shop',
          events: [
            { timestamp: T(1), message: { level: 'INFO', message: 'a', service: 'cart' } },
            { timestamp: T(1), message: { level: 'INFO', message: 'b', service: 'pay' } },
          ],
        },
      ],
      [
        {
          trace_id: 't',
          id: 's',
          name: 'fn-a',
          start_time: T(1) / 1000,
          end_time: T(1) / 1000 + 1,
          subsegments: [
            {
              id: 'd',
              name: 'orders-table',
              namespace: 'aws',
              start_time: T(1) / 1000,
              end_time: T(1) / 1000 + 0.1,
            },
          ],
        },
      ],
    );
    const snapshot = await readTelemetryDirectory(root, { startMs: T(0), endMs: T(30) });
    const index = discoverComponents(snapshot);
    expect(index.groupComponent.get('/aws/lambda/fn-a')).toBe('fn-a');
    expect(index.groupComponent.get('/aws/lambda/fn-b')).toBe('fn-b');
    // A service field shared by several groups names the system, not a component.
    expect(index.names).not.toContain('platform');
    expect(snapshot.logs.filter((r) => r.group === '/ecs/shop').map(index.ofLog)).toEqual(['cart', 'pay']);
    expect(index.ofMetric(snapshot.metrics[0]!)).toBe('cart');
    expect(index.names).toEqual(expect.arrayContaining(['fn-a', 'fn-b', 'cart', 'pay', 'orders-table']));
  });
});
