import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudFrontLogHeader, formatCloudFrontLogLine } from '@boundless/delivery';
import { describe, expect, it } from 'vitest';
import { newParseStats } from '../logs/cloudfront-standard.ts';
import { apiSloEvent, newApiLogStats, readApiSloEvents } from './api-events.ts';
import { edgeSloEvent, readEdgeSloEvents } from './edge-events.ts';
import { SloError } from './errors.ts';
import { computeSloReportFrom } from './report.ts';
import { handDefinitions, MIN } from './test-support.ts';
import type { SloEvent } from './events.ts';

const pathClasses = [{ name: 'content', prefix: '/content/' }];

async function collect(events: AsyncIterable<SloEvent>): Promise<SloEvent[]> {
  const out: SloEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const requestLine = (iso: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    level: 'INFO',
    message: 'request',
    service: 'access-api',
    timestamp: iso,
    route: 'POST /v1/access',
    statusCode: 200,
    durationMs: 12.5,
    ...extra,
  });

describe('Function: apiSloEvent', () => {
  it('maps a Powertools request line, channel included', () => {
    expect(apiSloEvent(requestLine('2026-11-21T10:00:00.000Z', { channel: 'b2b', statusCode: 503 }))).toEqual(
      {
        timestampMs: Date.parse('2026-11-21T10:00:00.000Z'),
        source: 'api',
        route: 'POST /v1/access',
        status: 503,
        latencyMs: 12.5,
        channel: 'b2b',
      },
    );
  });

  it('ignores other log lines and calls request lines without usable fields malformed', () => {
    expect(apiSloEvent(JSON.stringify({ message: 'cold start', timestamp: '2026-11-21T10:00:00Z' }))).toBe(
      'ignored',
    );
    expect(apiSloEvent('{"message":"request"')).toBe('malformed');
    expect(apiSloEvent('42')).toBe('malformed');
    expect(apiSloEvent(requestLine('yesterday'))).toBe('malformed');
    expect(apiSloEvent(requestLine('2026-11-21T10:00:00Z', { statusCode: '200' }))).toBe('malformed');
  });

  it('unwraps a stored log event and takes its time when the line has none', () => {
    const inner = JSON.stringify({
      message: 'request',
      route: 'GET /v1/entitlements',
      statusCode: 200,
      durationMs: 3,
    });
    const stored = JSON.stringify({ id: '1-a-1', timestamp: 1_000, logStream: 's1', message: inner });
    expect(apiSloEvent(stored)).toMatchObject({
      timestampMs: 1_000,
      route: 'GET /v1/entitlements',
      latencyMs: 3,
    });
    const platform = JSON.stringify({
      id: '1-a-2',
      timestamp: 1_000,
      logStream: 's1',
      message: 'START RequestId: x',
    });
    expect(apiSloEvent(platform)).toBe('ignored');
  });

  it('drops an unknown channel rather than guessing one', () => {
    const event = apiSloEvent(requestLine('2026-11-21T10:00:00Z', { channel: 'partner' }));
    expect(event).not.toBe('malformed');
    expect((event as SloEvent).channel).toBeUndefined();
  });
});

describe('Function: readApiSloEvents', () => {
  it('merges log streams by event time and counts what it skipped', async () => {
    // Prepare: two execution environments writing side by side, plus noise.
    const dir = await mkdtemp(join(tmpdir(), 'slo-api-'));
    const group = join(dir, 'aws_lambda_access-api');
    await mkdir(group, { recursive: true });
    await writeFile(
      join(group, 'a.log'),
      [requestLine('2026-11-21T10:00:00Z'), 'not json', requestLine('2026-11-21T10:00:04Z'), ''].join('\n'),
    );
    await writeFile(
      join(group, 'b.log'),
      [
        JSON.stringify({ message: 'cold start' }),
        requestLine('2026-11-21T10:00:02Z', { statusCode: 500 }),
      ].join('\n'),
    );
    await writeFile(join(group, 'notes.txt'), 'not a log stream');
    const stats = newApiLogStats();

    // Act
    const events = await collect(readApiSloEvents(dir, '/aws/lambda/access-api', stats));

    // Assess
    expect(events.map((e) => [e.timestampMs % 60_000, e.status])).toEqual([
      [0, 200],
      [2000, 500],
      [4000, 200],
    ]);
    expect(stats).toEqual({ files: 2, lines: 5, events: 3, ignored: 1, malformed: 1 });
  });

  it('names the directory it cannot list', async () => {
    await expect(collect(readApiSloEvents('/nonexistent', 'access-api'))).rejects.toThrow(SloError);
    await expect(collect(readApiSloEvents('/nonexistent', 'access-api'))).rejects.toThrow(
      /nonexistent\/access-api/,
    );
  });
});

describe('Function: edgeSloEvent', () => {
  it('derives path class and content class from the request', () => {
    const record = {
      timestampMs: 5,
      uriStem: '/content/b1/ch1.epub',
      status: 200,
      timeTakenMs: 42,
      contentType: '-',
    };
    expect(edgeSloEvent(record, pathClasses, 'b2c')).toEqual({
      timestampMs: 5,
      source: 'edge',
      route: 'content',
      contentClass: 'epub',
      channel: 'b2c',
      status: 200,
      latencyMs: 42,
    });
  });
});

describe('Function: readEdgeSloEvents', () => {
  it('reads CloudFront standard logs into edge events, time-taken in milliseconds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slo-edge-'));
    const line = (time: string, uri: string, status: number, seconds: string, contentType: string) =>
      formatCloudFrontLogLine({
        date: '2026-11-21',
        time,
        'x-edge-location': 'FRA56-P1',
        'c-ip': '192.0.2.10',
        'cs-method': 'GET',
        'cs-uri-stem': uri,
        'sc-status': status,
        'x-edge-result-type': 'Hit',
        'time-taken': seconds,
        'sc-content-type': contentType,
      });
    const path = join(dir, 'E123.2026-11-21-10.abcd.log');
    await writeFile(
      path,
      cloudFrontLogHeader() +
        line('10:00:00', '/content/b1/cover.jpg', 200, '0.012', 'image/jpeg') +
        line('10:00:01', '/catalog/list', 502, '0.250', 'application/json'),
    );
    const stats = newParseStats();

    const events = await collect(
      readEdgeSloEvents([dir], {
        pathClasses,
        stats,
        channelOf: (r) => (r.clientIp.startsWith('192.0.2.') ? 'b2b' : undefined),
      }),
    );

    expect(events).toEqual([
      expect.objectContaining({
        route: 'content',
        contentClass: 'image',
        status: 200,
        latencyMs: 12,
        channel: 'b2b',
      }),
      expect.objectContaining({ route: 'other', contentClass: 'interactive', status: 502, latencyMs: 250 }),
    ]);
    expect(stats.records).toBe(2);
  });
});

describe('Function: computeSloReportFrom (log group files to findings)', () => {
  it('pages from access API log files when both windows of the pair burn', async () => {
    // Prepare: 10 requests a minute for 20 minutes as stored log events; minutes 10-19 answer half with 503.
    const dir = await mkdtemp(join(tmpdir(), 'slo-e2e-'));
    await mkdir(join(dir, 'access-api'));
    const lines: string[] = [];
    for (let minute = 0; minute < 20; minute++)
      for (let i = 0; i < 10; i++) {
        const timestamp = minute * MIN + i * 1000;
        const statusCode = minute >= 10 && i < 5 ? 503 : 200;
        const message = JSON.stringify({
          message: 'request',
          route: 'POST /v1/access',
          statusCode,
          durationMs: 20,
        });
        lines.push(JSON.stringify({ id: `${timestamp}-${i}`, timestamp, logStream: 'env-1', message }));
      }
    await writeFile(join(dir, 'access-api', '1970-01-01.log'), `${lines.join('\n')}\n`);

    // Act
    const report = await computeSloReportFrom(
      readApiSloEvents(dir, 'access-api'),
      handDefinitions(),
      20 * MIN,
    );

    // Assess: the same minutes as the hand-computed in-memory case (ticket at 13:00, page at 15:00).
    expect(report.findings.map((f) => [f.evidence['alert'], f.detectedAt])).toEqual([
      ['ticket', new Date(13 * MIN).toISOString()],
      ['page', new Date(15 * MIN).toISOString()],
    ]);
    expect(report.slos[0]!.budget).toMatchObject({ validEvents: 200, badEvents: 50 });
  });
});
