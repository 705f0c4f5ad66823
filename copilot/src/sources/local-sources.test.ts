import { appendFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cloudFrontLogHeader, formatCloudFrontLogLine } from '@boundless/delivery';
import { describe, expect, it } from 'vitest';
import { FileCheckpointStore, MemoryCheckpointStore } from './checkpoints.ts';
import { LocalCloudFrontLogSource } from './cloudfront-local.ts';
import { LocalLogEventSource, tailLogGroup } from './cloudwatch-logs-local.ts';
import { LocalCostModel } from './cost-model.ts';
import { FocusCostSource, importFocus } from './focus.ts';
import { UnsupportedQueryError } from './insights-local.ts';
import { LocalTraceSource } from './traces.ts';

const FOCUS_SAMPLE = resolve(import.meta.dirname, '../../../../shared/data/fixtures/focus-1.0-sample.csv');

function line(second: number, path: string): string {
  const t = new Date(Date.UTC(2026, 10, 2, 5, 0, second)).toISOString();
  return formatCloudFrontLogLine({
    date: t.slice(0, 10),
    time: t.slice(11, 19),
    'c-ip': '192.0.2.1',
    'cs-uri-stem': path,
    'sc-status': 200,
  });
}

describe('Function: importFocus', () => {
  it('imports the real FOCUS 1.0 sample, with CloudFront, Lambda, DynamoDB and S3 rows', async () => {
    const { rows, skipped } = importFocus(await readFile(FOCUS_SAMPLE, 'utf8'));
    expect(rows.length + skipped.length).toBe(1000);
    expect(skipped).toEqual([]);
    const services = new Set(rows.map((row) => row.service));
    for (const service of [
      'Amazon CloudFront',
      'AWS Lambda',
      'Amazon DynamoDB',
      'Amazon Simple Storage Service',
    ]) {
      expect(services).toContain(service);
    }
    expect(rows.every((row) => Number.isFinite(row.amount) && row.currency === 'USD')).toBe(true);
  });

  it('rejects a file without FOCUS columns and reports unreadable rows by line', () => {
    expect(() => importFocus('a,b\n1,2\n')).toThrow(/missing FOCUS columns: ChargePeriodStart/);
    const text =
      'ChargePeriodStart,ChargePeriodEnd,ServiceName,BilledCost,BillingCurrency\n' +
      '2024-09-01 00:00:00,2024-09-01 01:00:00,AWS Lambda,0.5,USD\n' +
      '2024-09-01 00:00:00,2024-09-01 01:00:00,AWS Lambda,not-a-number,USD\n' +
      'short,row\n';
    const result = importFocus(text);
    expect(result.rows).toHaveLength(1);
    expect(result.skipped.map((s) => s.line)).toEqual([3, 4]);
  });
});

describe('Class: FocusCostSource', () => {
  it('gives the rows whose charge period starts on the days asked for, the end day left out', async () => {
    const text =
      'ChargePeriodStart,ChargePeriodEnd,ServiceName,BilledCost,BillingCurrency\n' +
      '2024-09-01 23:00:00,2024-09-02 00:00:00,AWS Lambda,0.5,USD\n' +
      '2024-09-02 00:00:00,2024-09-02 01:00:00,AWS Lambda,0.7,USD\n' +
      '2024-09-03 00:00:00,2024-09-03 01:00:00,AWS Lambda,0.9,USD\n';
    const source = new FocusCostSource(importFocus(text).rows);
    const rows = await source.costs('2024-09-02', '2024-09-03');
    expect(rows.map((row) => row.amount)).toEqual([0.7]);
  });
});

describe('Class: LocalCloudFrontLogSource', () => {
  it('resumes mid-file after a restart and waits for a line still being written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cf-local-'));
    const file = join(dir, 'E1.2026-11-02-05.abc.gz');
    await writeFile(file, gzipSync(cloudFrontLogHeader() + line(1, '/a') + line(2, '/b')));
    const checkpoints = new FileCheckpointStore(join(dir, 'checkpoints.json'));
    const first: string[] = [];
    await new LocalCloudFrontLogSource(dir, checkpoints).poll(async (records) => {
      first.push(...records.map((r) => r.uriStem));
    });
    expect(first).toEqual(['/a', '/b']);

    // The edge appends another gzip member, the last line of which is not finished yet.
    await appendFile(file, gzipSync(line(3, '/c') + line(4, '/d').slice(0, 20)));
    const restarted = new LocalCloudFrontLogSource(
      dir,
      new FileCheckpointStore(join(dir, 'checkpoints.json')),
    );
    const second: string[] = [];
    await restarted.poll(async (records) => {
      second.push(...records.map((r) => r.uriStem));
    });
    expect(second).toEqual(['/c']);
  });
});

describe('Class: LocalCloudFrontLogSource (late files)', () => {
  it('reads a file of an open hour that sorts before one already read, and no file twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cf-late-'));
    const checkpoints = new MemoryCheckpointStore();
    const source = new LocalCloudFrontLogSource(dir, checkpoints);
    const seen: string[] = [];
    const collect = async (records: { uriStem: string }[]) =>
      void seen.push(...records.map((r) => r.uriStem));
    await writeFile(join(dir, 'E1.2026-11-02-05.m.gz'), gzipSync(cloudFrontLogHeader() + line(1, '/first')));
    await source.poll(collect);
    await writeFile(join(dir, 'E1.2026-11-02-05.b.gz'), gzipSync(cloudFrontLogHeader() + line(2, '/late')));
    await source.poll(collect);
    await new LocalCloudFrontLogSource(dir, checkpoints).poll(collect);
    expect(seen).toEqual(['/first', '/late']);
  });
});

describe('Class: LocalLogEventSource', () => {
  async function logsWith(events: { t: number; message: unknown }[]) {
    // The telemetry directory's layout (DESIGN.md 4.4), written as any producer would write it.
    const root = await mkdtemp(join(tmpdir(), 'cw-local-'));
    const group = join(root, 'aws_lambda_access');
    await mkdir(group);
    await writeFile(join(group, 'group.json'), JSON.stringify({ logGroupName: '/aws/lambda/access' }));
    const lines = events.map((event, i) =>
      JSON.stringify({
        id: `${event.t}-${i}`,
        timestamp: event.t,
        logStream: '2026/11/02/[1]abc',
        message: JSON.stringify(event.message),
      }),
    );
    await writeFile(join(group, '1970-01-01.log'), `${lines.join('\n')}\n`);
    return new LocalLogEventSource(root);
  }

  it('filters by JSON pattern and answers a Logs Insights stats query', async () => {
    const source = await logsWith([
      { t: 1000, message: { message: 'request', route: 'POST /v1/access', statusCode: 200, durationMs: 12 } },
      { t: 2000, message: { message: 'request', route: 'POST /v1/access', statusCode: 503, durationMs: 40 } },
      { t: 3000, message: { message: 'request', route: 'GET /v1/devices', statusCode: 200, durationMs: 5 } },
    ]);
    const errors = [];
    for await (const e of source.filter({
      logGroup: '/aws/lambda/access',
      startMs: 0,
      endMs: 5000,
      filterPattern: '{ $.statusCode = 503 }',
    })) {
      errors.push(e);
    }
    expect(errors).toHaveLength(1);
    const rows = await source.insights(
      ['/aws/lambda/access'],
      'filter statusCode >= 200 | stats avg(durationMs) as avgMs by route | sort route asc',
      0,
      5000,
    );
    expect(rows).toEqual([
      { route: 'GET /v1/devices', avgMs: '5' },
      { route: 'POST /v1/access', avgMs: '26' },
    ]);
    await expect(source.insights(['/aws/lambda/access'], 'pattern @message', 0, 5000)).rejects.toThrow(
      UnsupportedQueryError,
    );
  });

  it('tails a log group across restarts without repeating events that share the last timestamp', async () => {
    const source = await logsWith([
      { t: 1000, message: { n: 1 } },
      { t: 2000, message: { n: 2 } },
    ]);
    const checkpoints = new MemoryCheckpointStore();
    const seen: string[] = [];
    const collect = async (events: { message: string }[]) => void seen.push(...events.map((e) => e.message));
    expect(await tailLogGroup(source, checkpoints, '/aws/lambda/access', 10_000, collect)).toBe(2);
    expect(await tailLogGroup(source, checkpoints, '/aws/lambda/access', 10_000, collect)).toBe(0);
    expect(seen).toEqual(['{"n":1}', '{"n":2}']);
  });
});

describe('Class: LocalCostModel', () => {
  it('prices metered usage at list prices in the shape of GetCostAndUsage', async () => {
    const model = new LocalCostModel();
    model.meter({
      date: '2026-11-02',
      cloudFrontBytesOut: 10e9,
      cloudFrontRequests: 20_000,
      lambdaRequests: 1e6,
    });
    const rows = await model.costs('2026-11-01', '2026-11-03');
    expect(rows.find((r) => r.service === 'Amazon CloudFront')?.amount).toBeCloseTo(0.85 + 0.02, 10);
    expect(rows.find((r) => r.service === 'AWS Lambda')?.amount).toBeCloseTo(0.2, 10);
    const response = await model.getCostAndUsage('2026-11-01', '2026-11-03');
    expect(response.ResultsByTime[0]?.Groups).toHaveLength(2);
  });
});

describe('Class: LocalTraceSource', () => {
  it('assembles stored segments into traces and applies fault and latency filters', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xray-local-'));
    const start = Date.UTC(2026, 10, 2, 9, 0, 0) / 1000;
    const documents = [
      { id: 'a1', trace_id: '1-a', name: 'access', start_time: start, end_time: start + 0.05 },
      {
        id: 'a2',
        trace_id: '1-a',
        name: 'DynamoDB',
        start_time: start + 0.01,
        end_time: start + 0.04,
        type: 'subsegment',
      },
      {
        id: 'b1',
        trace_id: '1-b',
        name: 'access',
        start_time: start + 1,
        end_time: start + 3.5,
        fault: true,
      },
    ];
    await writeFile(join(dir, '2026-11-02.jsonl'), `${documents.map((d) => JSON.stringify(d)).join('\n')}\n`);
    const source = new LocalTraceSource(dir);
    const range = [start * 1000 - 1, start * 1000 + 60_000] as const;
    expect((await source.traces(...range)).map((t) => [t.traceId, t.segments.length, t.durationMs])).toEqual([
      ['1-a', 2, 50],
      ['1-b', 1, 2500],
    ]);
    expect((await source.traces(...range, 'fault = true')).map((t) => t.traceId)).toEqual(['1-b']);
    expect((await source.traces(...range, 'responsetime > 1')).map((t) => t.traceId)).toEqual(['1-b']);
    await expect(source.traces(...range, 'annotation.user = "x"')).rejects.toThrow(/unsupported/);
  });
});
