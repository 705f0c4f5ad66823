import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CLOUDFRONT_LOG_FIELDS,
  cloudFrontLogHeader,
  cloudFrontLogTimestamp,
  formatCloudFrontLogLine,
} from '@boundless/delivery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hourFromFileName,
  listCloudFrontLogFiles,
  newParseStats,
  parseCloudFrontLog,
  readCloudFrontLog,
  readCloudFrontLogs,
  toPlainRecord,
} from './cloudfront-standard.ts';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

function line(offsetS: number, extra: Record<string, string | number> = {}): string {
  return formatCloudFrontLogLine({
    ...cloudFrontLogTimestamp(T0 + offsetS * 1000),
    'x-edge-location': 'FRA56-P1',
    'sc-bytes': 1234,
    'c-ip': '203.0.113.7',
    'cs-method': 'GET',
    'cs(Host)': 'd1.cloudfront.net',
    'cs-uri-stem': '/books/b1/chapter 1.xhtml',
    'sc-status': 200,
    'cs(User-Agent)': 'Mozilla/5.0 (X11; Linux)',
    'cs-uri-query': 'bbt=v1.k1.tok12345.acc1.0123456789abcdef.1.2.c2NvcGU.sig',
    'x-edge-result-type': 'Hit',
    'x-edge-request-id': `req-${offsetS}`,
    'time-taken': '0.012',
    'x-edge-detailed-result-type': 'Hit',
    'sc-content-type': 'application/xhtml+xml',
    ...extra,
  });
}

describe('Function: parseCloudFrontLog', () => {
  it('reads fields by the #Fields header and decodes percent-encoded text', () => {
    const [record] = parseCloudFrontLog(cloudFrontLogHeader() + line(5));
    expect(toPlainRecord(record!)).toEqual({
      timestampMs: T0 + 5000,
      edgeLocation: 'FRA56-P1',
      bytes: 1234,
      clientIp: '203.0.113.7',
      method: 'GET',
      host: 'd1.cloudfront.net',
      uriStem: '/books/b1/chapter 1.xhtml',
      status: 200,
      referer: '',
      userAgent: 'Mozilla/5.0 (X11; Linux)',
      query: 'bbt=v1.k1.tok12345.acc1.0123456789abcdef.1.2.c2NvcGU.sig',
      edgeResultType: 'Hit',
      requestId: 'req-5',
      timeTakenMs: 12,
      detailedResultType: 'Hit',
      contentType: 'application/xhtml+xml',
    });
  });

  it('follows a reordered header rather than the writer order', () => {
    const fields = ['c-ip', 'time', 'date', 'sc-status', 'cs-uri-stem'];
    const text = `#Version: 1.0\n#Fields: ${fields.join(' ')}\n198.51.100.1\t23:59:59\t2026-11-21\t403\t/a%2Fb\n`;
    const [record] = parseCloudFrontLog(text);
    expect(record?.clientIp).toBe('198.51.100.1');
    expect(record?.status).toBe(403);
    expect(record?.uriStem).toBe('/a/b');
    expect(record?.timestampMs).toBe(Date.UTC(2026, 10, 21, 23, 59, 59));
    expect(record?.query).toBe('');
  });

  it('counts and skips malformed lines instead of throwing', () => {
    const stats = newParseStats();
    const bad = [
      'garbage without tabs',
      line(1).replace('2026-11-21', '2026-13-xx'),
      line(2).replace('\t200\t', '\tOK\t'),
      line(3).replace('10:00:03', '1000:03'),
      line(4).replace('203.0.113.7', '-'),
    ];
    const text = `${cloudFrontLogHeader()}${line(0)}${bad.map((l) => l.trimEnd()).join('\n')}\n${line(6)}`;
    const records = parseCloudFrontLog(text, stats);
    expect(records.map((r) => r.requestId)).toEqual(['req-0', 'req-6']);
    expect(stats.skipped).toEqual({
      field_count: 1,
      bad_timestamp: 2,
      bad_status: 1,
      missing_required_field: 1,
    });
    expect(stats.lines).toBe(9);
    expect(stats.records).toBe(2);
  });

  it('skips records that come before any #Fields header', () => {
    const stats = newParseStats();
    expect(parseCloudFrontLog(line(0), stats)).toEqual([]);
    expect(stats.skipped).toEqual({ no_fields_header: 1 });
  });

  it('keeps a malformed percent escape verbatim', () => {
    const text = cloudFrontLogHeader() + line(0).replace('Mozilla/5.0', 'Bad%ZZagent');
    expect(parseCloudFrontLog(text)[0]?.userAgent).toMatch(/^Bad%ZZagent/);
  });

  it('writes all 33 fields the delivery writer knows', () => {
    expect(line(0).split('\t')).toHaveLength(CLOUDFRONT_LOG_FIELDS.length);
  });
});

describe('Function: readCloudFrontLog / readCloudFrontLogs', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-logs-'));
    const header = cloudFrontLogHeader();
    // Two edges writing the same hour interleave in time; the next hour lives in a third file.
    await writeFile(join(dir, 'E1.2026-11-21-10.a.gz'), gzipSync(header + line(0) + line(20) + line(40)));
    await writeFile(join(dir, 'E1.2026-11-21-10.b'), 'not a log name');
    await writeFile(join(dir, 'E1.2026-11-21-10.b.log'), header + line(10) + line(30) + 'broken\n');
    await writeFile(join(dir, 'E1.2026-11-21-11.c.gz'), gzipSync(header + line(3600)));
    await writeFile(join(dir, 'labels.jsonl'), '{}\n');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reads a gzip file and counts compressed bytes for progress', async () => {
    const stats = newParseStats();
    const ids: string[] = [];
    for await (const r of readCloudFrontLog(join(dir, 'E1.2026-11-21-10.a.gz'), stats)) ids.push(r.requestId);
    expect(ids).toEqual(['req-0', 'req-20', 'req-40']);
    expect(stats.bytesRead).toBeGreaterThan(0);
    expect(stats.lines).toBe(5);
  });

  it('merges a directory into one event-time-ordered stream', async () => {
    const stats = newParseStats();
    const ids: string[] = [];
    for await (const batch of readCloudFrontLogs([dir], stats)) for (const r of batch) ids.push(r.requestId);
    expect(ids).toEqual(['req-0', 'req-10', 'req-20', 'req-30', 'req-40', 'req-3600']);
    expect(stats.skipped).toEqual({ field_count: 1 });
  });

  it('lists only log files and names a missing input', async () => {
    const files = await listCloudFrontLogFiles([dir]);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'E1.2026-11-21-10.a.gz',
      'E1.2026-11-21-10.b.log',
      'E1.2026-11-21-11.c.gz',
    ]);
    await expect(listCloudFrontLogFiles([join(dir, 'nope.gz')])).rejects.toThrow(
      /input not found: .*nope\.gz/,
    );
  });

  it('reports a corrupt gzip file as a LogParseError', async () => {
    const path = join(dir, 'corrupt.gz');
    await writeFile(path, Buffer.from('definitely not gzip'));
    const read = async () => {
      for await (const _ of readCloudFrontLog(path)) void _;
    };
    await expect(read()).rejects.toThrow(/cannot read CloudFront log .*corrupt\.gz/);
    await rm(path);
  });

  it('reads the hour a CloudFront file name carries', () => {
    expect(hourFromFileName('/x/E2ABC.2026-11-21-10.0f3e.gz')).toBe(Date.UTC(2026, 10, 21, 10));
    expect(hourFromFileName('/x/access.log')).toBeUndefined();
  });
});
