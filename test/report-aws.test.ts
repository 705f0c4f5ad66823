import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';
import { DEPLOYED_TUNABLES_KEY } from '@boundless/copilot/changes';
import { loadCopilotConfig } from '@boundless/copilot/config';
import { awsReportInputs } from '@boundless/copilot/service/aws';
import { CloudWatchLogsStandIn, S3StandIn } from '@boundless/copilot/testing';
import { cloudFrontLogHeader, formatCloudFrontLogLine } from '@boundless/delivery';
import { loadTunables } from '@boundless/infra/tunables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLocalReport } from '../cli/local/report.ts';

// `boundless report --telemetry aws` as the report task runs it: an empty data dir, every section read through
// the real SDK clients from the stand-ins of the logs bucket, the content bucket and CloudWatch Logs.
const DAY = '2026-11-01';
const T0 = Date.parse(`${DAY}T08:00:00Z`);
const END = Date.parse(`${DAY}T00:00:00Z`) + 86_400_000;
const work = mkdtempSync(join(tmpdir(), 'report-aws-'));
const local = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  maxAttempts: 1,
};
const s3 = new S3StandIn(['logs', 'content', 'reports']);
const logs = new CloudWatchLogsStandIn();
const env = {
  COPILOT_API_ACCESS_LOG_GROUP: '/aws/apigateway/boundless-access',
  COPILOT_API_LOG_GROUPS: '/aws/lambda/boundless-grant-access',
  COPILOT_LOG_BUCKET: 'logs',
  COPILOT_LOG_PREFIX: 'cloudfront/',
  COPILOT_DISTRIBUTION_ID: 'E2DIST',
  COPILOT_CONTENT_BUCKET: 'content',
  COPILOT_CONTENT_ACCESS_LOG_PREFIX: 's3-access/content/',
  COPILOT_REPORT_BUCKET: 'reports',
};
let clients: { s3: S3Client; logs: CloudWatchLogsClient };

/** An hour of CloudFront standard log: the epub mostly hits, the cover always revalidates. */
function hourObject(hour: number): Buffer {
  let text = cloudFrontLogHeader();
  for (let i = 0; i < 40; i += 1) {
    const at = new Date(T0 + hour * 3_600_000 + i * 60_000).toISOString();
    const epub = i % 2 === 0;
    const result = epub ? (i % 10 === 0 ? 'Miss' : 'Hit') : 'RefreshHit';
    text += formatCloudFrontLogLine({
      date: at.slice(0, 10),
      time: at.slice(11, 19),
      'x-edge-location': 'IAD89-P1',
      'c-ip': '198.51.100.9',
      'cs-method': 'GET',
      'cs-uri-stem': epub ? '/titles/t-1/book.epub' : '/public/cover.jpg',
      'sc-status': 200,
      'sc-bytes': epub ? 2_000_000 : 50_000,
      'time-taken': 0.02,
      'x-edge-result-type': result,
      'x-edge-detailed-result-type': result,
      'sc-content-type': epub ? 'application/epub+zip' : 'image/jpeg',
    });
  }
  return gzipSync(text);
}

beforeAll(async () => {
  clients = {
    s3: new S3Client({ ...local, endpoint: await s3.start(), forcePathStyle: true }),
    logs: new CloudWatchLogsClient({ ...local, endpoint: await logs.start() }),
  };
  for (let hour = 0; hour < 3; hour += 1) {
    const stamp = new Date(T0 + hour * 3_600_000).toISOString().slice(0, 13).replace('T', '-');
    s3.put('logs', `cloudfront/E2DIST.${stamp}.u${hour}.gz`, hourObject(hour));
  }
  s3.put('logs', 'cloudfront/E2DIST.2026-11-01-11.broken.gz', Buffer.from('not gzip'));
  // Titles: one read through the month, one never (old and large: Standard-IA pays for it).
  s3.put('content', 'titles/t-1/book.epub', Buffer.alloc(2_000_000), new Date(END - 200 * 86_400_000));
  s3.put('content', 'titles/t-2/old.epub', Buffer.alloc(5_000_000), new Date(END - 300 * 86_400_000));
  const lines = Array.from(
    { length: 12 },
    (_, i) =>
      `owner content [${String(10 + i).padStart(2, '0')}/Oct/2026:10:00:00 +0000] 192.0.2.3 svc:cloudfront.amazonaws.com REQ${i} REST.GET.OBJECT titles/t-1/book.epub "GET /titles/t-1/book.epub HTTP/1.1" 200 - 2000000 2000000 70 10 "-" "Amazon CloudFront" -`,
  );
  s3.put(
    'logs',
    's3-access/content/2026-10-25-00-00-00-ABCDEF',
    `${lines.join('\n')}\nnot an access log line\n`,
  );
  logs.putEvents(env.COPILOT_API_ACCESS_LOG_GROUP, 'stage', [
    {
      timestamp: T0,
      message: JSON.stringify({ routeKey: 'POST /v1/access', status: 200, responseLatency: 30 }),
    },
  ]);
  logs.putEvents(env.COPILOT_API_LOG_GROUPS, 'fn', [
    {
      timestamp: T0,
      message: JSON.stringify({
        type: 'platform.report',
        record: { status: 'success', metrics: { durationMs: 40, billedDurationMs: 40, memorySizeMB: 1024 } },
      }),
    },
  ]);
});
afterAll(async () => {
  await s3.stop();
  await logs.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The report over the AWS inputs, as `boundless report --telemetry aws` writes it (the bill left out). */
function reportFrom(aws: ReturnType<typeof awsReportInputs>) {
  return writeLocalReport({
    dataDir: work,
    day: DAY,
    logs: aws.logs,
    ...(aws.tunables ? { tunables: aws.tunables } : {}),
    ...(aws.edgeLogs ? { edgeLogs: aws.edgeLogs } : {}),
    ...(aws.storage ? { storage: aws.storage } : {}),
  });
}

describe('the daily report in AWS (--telemetry aws)', () => {
  it('fills the cache and storage sections from the logs bucket and the content bucket', async () => {
    const aws = awsReportInputs(loadCopilotConfig({}, env), clients);
    expect(aws.edgeLogs).toBeDefined();
    expect(aws.storage).toBeDefined();
    const { report } = await reportFrom(aws);
    const epub = report.cache.behaviors.find((b) => b.pattern === '/titles/*.epub');
    const cover = report.cache.behaviors.find((b) => b.pattern === '/public/*');
    // Per hour 20 epub requests (4 misses), 20 cover revalidations; three hours.
    expect(epub).toMatchObject({
      requests: 60,
      hits: 48,
      misses: 12,
      originFetches: 12,
      originBytes: 24_000_000,
    });
    expect(epub?.hitRatio).toBeCloseTo(0.8, 10);
    expect(cover).toMatchObject({ requests: 60, refreshHits: 60, hitRatio: 0 });
    expect(report.cache.contentTypes.map((t) => t.contentType)).toEqual([
      'application/epub+zip',
      'image/jpeg',
    ]);
    expect(report.inputs.edgeLogs).toEqual({ read: 120, skipped: 0 });
    expect(report.inputs.edgeLogObjects).toEqual({ read: 4, skipped: 1 });
    expect(report.storage).toMatchObject({ objects: 2, bytes: 7_000_000 });
    // The title read 12 times a month stays in Standard; the one nobody read is cheapest in Glacier IR.
    expect(report.storage?.bestClass).toEqual([
      expect.objectContaining({ storageClass: 'STANDARD', objects: 1, bytes: 2_000_000 }),
      expect.objectContaining({ storageClass: 'GLACIER_IR', objects: 1, bytes: 5_000_000 }),
    ]);
    expect(report.inputs.contentAccessLog).toEqual({ read: 12, skipped: 1 });
    expect(report.inputs.apiAccessLog).toEqual({ read: 1, skipped: 0 });
    expect(report.inputs.lambdaReports).toEqual({ read: 1, skipped: 0 });
    // No deployed tunables stored yet: the repository's.
    expect(cover?.currentTtlSeconds).toBe(loadTunables().cache.behaviors['/public/*']?.defaultTtlSeconds);
  });

  it('starts from the tunables the change sets applied, stored in the reports bucket', async () => {
    const deployed = loadTunables();
    (deployed.cache.behaviors['/public/*'] as { defaultTtlSeconds: number }).defaultTtlSeconds = 7;
    s3.put('reports', DEPLOYED_TUNABLES_KEY, JSON.stringify(deployed));
    const aws = awsReportInputs(loadCopilotConfig({}, env), clients);
    const { report } = await reportFrom(aws);
    expect(report.cache.behaviors.find((b) => b.pattern === '/public/*')?.currentTtlSeconds).toBe(7);
  });

  it('leaves the cache and storage inputs out when the buckets are not named', () => {
    const { COPILOT_LOG_BUCKET: _logs, ...rest } = env;
    const aws = awsReportInputs(loadCopilotConfig({}, rest), clients);
    expect(aws.edgeLogs).toBeUndefined();
    expect(aws.storage).toBeUndefined();
  });
});
