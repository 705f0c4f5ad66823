import { gzipSync } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { type CloudFrontLogRecord, cloudFrontLogHeader, formatCloudFrontLogLine } from '@boundless/delivery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { TelemetryMetricReader } from '../report/telemetry-metrics.ts';
import { S3CloudFrontLogWindow } from './cloudfront-s3-window.ts';
import { SourceError } from './errors.ts';
import { S3ContentRecency } from './s3-content-recency.ts';
import { S3StandIn } from './s3-stand-in.ts';

// The logs bucket as AWS fills it: CloudFront standard logs (gzip, one object per edge batch and hour) under
// cloudfront/, the content bucket's server access logs (plain text) under s3-access/content/.
const DAY = '2026-11-02';
const FROM = Date.parse(`${DAY}T00:00:00Z`);
const TO = FROM + 86_400_000;
const PATTERNS = ['/titles/*.epub', '/titles/*', '/public/*', 'default'];

function edgeLine(
  at: string,
  uri: string,
  result: string,
  bytes: number,
  extra: Partial<CloudFrontLogRecord> = {},
) {
  return formatCloudFrontLogLine({
    date: at.slice(0, 10),
    time: at.slice(11, 19),
    'x-edge-location': 'FRA56-P1',
    'c-ip': '198.51.100.7',
    'cs-method': 'GET',
    'cs-uri-stem': uri,
    'sc-status': 200,
    'sc-bytes': bytes,
    'time-taken': 0.012,
    'x-edge-result-type': result,
    'x-edge-response-result-type': result,
    'x-edge-detailed-result-type': result,
    'sc-content-type': uri.endsWith('.epub') ? 'application/epub+zip' : 'image/jpeg',
    ...extra,
  });
}

const gz = (lines: string[]) => gzipSync(cloudFrontLogHeader() + lines.join(''));

function accessLine(
  at: string,
  op: string,
  key: string,
  status: number,
  sent: number | '-',
  size: number | '-',
) {
  return `79a59df900b949e5 content [${at} +0000] 192.0.2.3 svc:cloudfront.amazonaws.com 3E57427F3EXAMPLE ${op} ${key} "GET /${key} HTTP/1.1" ${status} - ${sent} ${size} 70 10 "-" "Amazon CloudFront" - s9lzHYrFp76Z= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader content.s3.us-east-1.amazonaws.com TLSv1.2 - -`;
}

const s3 = new S3StandIn(['logs', 'content'], 2);
let client: S3Client;

beforeAll(async () => {
  const endpoint = await s3.start();
  client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    maxAttempts: 1,
  });
  s3.put(
    'logs',
    'cloudfront/E2DIST.2026-11-01-23.e1.gz',
    gz([
      edgeLine('2026-11-01T23:59:59Z', '/titles/t-1/book.epub', 'Hit', 1000),
      // Delivered with the hour before, but of the report day.
      edgeLine('2026-11-02T00:00:30Z', '/titles/t-1/book.epub', 'Hit', 1000),
    ]),
  );
  s3.put(
    'logs',
    'cloudfront/E2DIST.2026-11-02-10.a1.gz',
    gz([
      edgeLine('2026-11-02T10:00:01Z', '/titles/t-1/book.epub', 'Hit', 1000),
      edgeLine('2026-11-02T10:00:02Z', '/titles/t-1/book.epub', 'Hit', 1000),
      edgeLine('2026-11-02T10:00:03Z', '/titles/t-1/book.epub', 'Miss', 5000),
      edgeLine('2026-11-02T10:00:04Z', '/titles/t-1/toc.json', 'Miss', 300),
    ]),
  );
  s3.put(
    'logs',
    'cloudfront/E2DIST.2026-11-02-11.b7.gz',
    gz([
      edgeLine('2026-11-02T11:00:01Z', '/public/cover.jpg', 'RefreshHit', 700),
      edgeLine('2026-11-02T11:00:02Z', '/public/cover.jpg', 'RefreshHit', 700),
      edgeLine('2026-11-02T11:00:03Z', '/public/cover.jpg', 'Miss', 700, {
        'x-edge-detailed-result-type': 'OriginShieldHit',
      }),
      'not a log line at all\n',
    ]),
  );
  // A cut upload: not a gzip member.
  s3.put('logs', 'cloudfront/E2DIST.2026-11-02-12.c3.gz', Buffer.from('\x1f\x8b\x08 truncated'));
  s3.put(
    'logs',
    'cloudfront/E2DIST.2026-11-05-10.d4.gz',
    gz([edgeLine('2026-11-05T10:00:00Z', '/x', 'Hit', 1)]),
  );
  s3.put(
    'logs',
    'cloudfront/E9OTHER.2026-11-02-10.f5.gz',
    gz([edgeLine('2026-11-02T10:00:00Z', '/x', 'Hit', 1)]),
  );
});
afterAll(() => s3.stop());

async function readDay(window: S3CloudFrontLogWindow) {
  const records: EdgeLogRecord[] = [];
  const result = await window.readWindow(FROM, TO, (r) => records.push(r));
  return { records, result };
}

describe('Class: S3CloudFrontLogWindow', () => {
  it("reads a day of the distribution's gzip objects through the S3 client, corrupt objects and lines counted as skips", async () => {
    s3.requests.length = 0;
    const window = new S3CloudFrontLogWindow(client, {
      bucket: 'logs',
      prefix: 'cloudfront/',
      distributionId: 'E2DIST',
    });
    const { records, result } = await readDay(window);
    expect(records.map((r) => r.uriStem)).toEqual([
      '/titles/t-1/book.epub',
      ...Array(3).fill('/titles/t-1/book.epub'),
      '/titles/t-1/toc.json',
      ...Array(3).fill('/public/cover.jpg'),
    ]);
    expect(result).toMatchObject({ files: 4, unreadableFiles: 1, stats: { skipped: { field_count: 1 } } });
    // One listing per hour that can hold the day's records: never the whole prefix, never another day's objects.
    const lists = s3.requests.filter((r) => r === 'GET logs/');
    expect(lists.length).toBe(26);
    expect(s3.requests).not.toContain('GET logs/cloudfront/E2DIST.2026-11-05-10.d4.gz');
  });

  it('lists the whole prefix when the distribution is not known, keeping the hours that can hold the window', async () => {
    const window = new S3CloudFrontLogWindow(client, { bucket: 'logs', prefix: 'cloudfront/' });
    const { records, result } = await readDay(window);
    // The other distribution's object of the day is read too: the prefix is all it has to go on.
    expect(records).toHaveLength(9);
    expect(result.files).toBe(5);
  });

  it('fails with the S3 error when a listing fails, rather than reporting an empty day', async () => {
    const window = new S3CloudFrontLogWindow(client, { bucket: 'missing', prefix: 'cloudfront/' });
    await expect(readDay(window)).rejects.toBeInstanceOf(SourceError);
  });

  it('measures verification metrics per cache behaviour from the objects', async () => {
    const reader = new TelemetryMetricReader({
      edgeLogs: new S3CloudFrontLogWindow(client, {
        bucket: 'logs',
        prefix: 'cloudfront/',
        distributionId: 'E2DIST',
      }),
      logs: '/nonexistent',
      patterns: () => PATTERNS,
      apiAccessLogGroup: '',
    });
    const epub = { pattern: '/titles/*.epub' };
    expect(await reader.measure('edge.hit_ratio', epub, FROM, TO)).toEqual({
      value: 3 / 4,
      samples: 4,
      unit: 'ratio',
    });
    expect((await reader.measure('edge.origin_bytes', epub, FROM, TO)).value).toBe(5000);
    expect((await reader.measure('edge.origin_fetches', { pattern: '/titles/*' }, FROM, TO)).value).toBe(1);
    // Revalidations reach upstream; an Origin Shield hit does not reach the bucket.
    const cover = { pattern: '/public/*' };
    expect((await reader.measure('edge.upstream_requests', cover, FROM, TO)).value).toBe(2);
    expect((await reader.measure('edge.origin_fetches', cover, FROM, TO)).value).toBe(0);
    expect((await reader.measure('edge.hit_ratio', {}, FROM, TO)).value).toBe(3 / 8);
  });
});

describe('Class: S3ContentRecency', () => {
  const END = TO;
  beforeAll(() => {
    const daysAgo = (d: number) => new Date(END - d * 86_400_000);
    s3.put('content', 'titles/', '', daysAgo(400));
    s3.put('content', 'titles/a.epub', Buffer.alloc(1000), daysAgo(100));
    s3.put('content', 'titles/b.epub', Buffer.alloc(400), daysAgo(10));
    s3.put('content', 'titles/c d.epub', Buffer.alloc(200), daysAgo(45));
    const log = (name: string, lines: string[]) =>
      s3.put('logs', `s3-access/content/${name}`, `${lines.join('\n')}\n`);
    log('2026-09-20-10-00-00-OLD', [
      accessLine('20/Sep/2026:09:00:00', 'REST.GET.OBJECT', 'titles/a.epub', 200, 1000, 1000),
    ]);
    log('2026-10-20-10-00-00-A1', [
      accessLine('20/Oct/2026:09:59:00', 'REST.GET.OBJECT', 'titles/a.epub', 200, 1000, 1000),
      accessLine('20/Oct/2026:09:59:10', 'REST.GET.OBJECT', 'titles/a.epub', 206, 500, 1000),
      accessLine('20/Oct/2026:09:59:20', 'REST.HEAD.OBJECT', 'titles/b.epub', 200, '-', 400),
      accessLine('20/Oct/2026:09:59:30', 'REST.GET.OBJECT', 'titles/b.epub', 304, '-', 400),
      'garbage',
    ]);
    log('2026-11-02-23-10-00-B2', [
      accessLine('02/Nov/2026:23:00:00', 'REST.GET.OBJECT', 'titles/c%20d.epub', 200, 200, 200),
      accessLine('03/Nov/2026:00:00:01', 'REST.GET.OBJECT', 'titles/b.epub', 200, 400, 400),
    ]);
    log('2026-11-04-00-00-00-LATE', [
      accessLine('03/Nov/2026:00:10:00', 'REST.GET.OBJECT', 'titles/b.epub', 200, 400, 400),
    ]);
  });

  it('joins the listing with the reads in the access logs: whole-object equivalents, ages from LastModified', async () => {
    s3.requests.length = 0;
    const recency = new S3ContentRecency(client, {
      contentBucket: 'content',
      logBucket: 'logs',
      logPrefix: 's3-access/content/',
    });
    const scan = await recency.scan(END, 30);
    const byKey = Object.fromEntries(scan.objects.map((o) => [o.key, o]));
    expect(Object.keys(byKey).sort()).toEqual(['/titles/a.epub', '/titles/b.epub', '/titles/c d.epub']);
    expect(byKey['/titles/a.epub']).toMatchObject({ bytes: 1000, reads: 1.5 });
    expect(byKey['/titles/a.epub']?.ageDays).toBeCloseTo(100, 6);
    // A HEAD and a 304 move no bytes; a read after the window is not counted.
    expect(byKey['/titles/b.epub']).toMatchObject({ bytes: 400, reads: 0 });
    expect(byKey['/titles/c d.epub']).toMatchObject({ reads: 1 });
    expect({ read: scan.read, skipped: scan.skipped }).toEqual({ read: 6, skipped: 1 });
    // Log objects delivered before the lookback or long after its end are not fetched.
    expect(s3.requests).not.toContain('GET logs/s3-access/content/2026-09-20-10-00-00-OLD');
    expect(s3.requests).not.toContain('GET logs/s3-access/content/2026-11-04-00-00-00-LATE');
  });
});
