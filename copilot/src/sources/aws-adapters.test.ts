import { gzipSync } from 'node:zlib';
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  GetLogRecordCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { cloudFrontLogHeader, formatCloudFrontLogLine } from '@boundless/delivery';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryCheckpointStore } from './checkpoints.ts';
import { AwsLogEventSource } from './cloudwatch-logs-aws.ts';
import { S3CloudFrontLogSource } from './cloudfront-s3.ts';
import { KinesisRealtimeLogSource } from './cloudfront-realtime.ts';
import { AwsCostSource } from './cost.ts';
import { AwsTraceSource } from './traces.ts';

function logObject(lines: number, startSecond: number): Uint8Array {
  let text = cloudFrontLogHeader();
  for (let i = 0; i < lines; i++) {
    const t = new Date(Date.UTC(2026, 10, 2, 0, 0, startSecond + i)).toISOString();
    text += formatCloudFrontLogLine({
      date: t.slice(0, 10),
      time: t.slice(11, 19),
      'c-ip': '198.51.100.7',
      'cs-method': 'GET',
      'cs-uri-stem': `/titles/t-1/chunk-${i}.epub`,
      'sc-status': 200,
      'sc-bytes': 1000,
      'time-taken': 0.012,
    });
  }
  return gzipSync(text);
}

// The part of the SDK's streaming body the adapter uses.
function body(bytes: Uint8Array) {
  return { transformToByteArray: async () => bytes } as never;
}

describe('Class: S3CloudFrontLogSource', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  it('reads every page of objects and resumes after its checkpoint', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: 'cf/E1.2026-11-02-00.a.gz' }],
        IsTruncated: true,
        NextContinuationToken: 'p2',
      })
      .resolvesOnce({ Contents: [{ Key: 'cf/E1.2026-11-02-01.b.gz' }], IsTruncated: false });
    s3.on(GetObjectCommand, { Key: 'cf/E1.2026-11-02-00.a.gz' }).resolves({ Body: body(logObject(3, 0)) });
    s3.on(GetObjectCommand, { Key: 'cf/E1.2026-11-02-01.b.gz' }).resolves({ Body: body(logObject(2, 3600)) });
    const checkpoints = new MemoryCheckpointStore();
    const source = new S3CloudFrontLogSource(new S3Client({ region: 'us-east-1' }), {
      bucket: 'logs',
      prefix: 'cf/',
      checkpoints,
    });
    const seen: string[] = [];
    const result = await source.poll(async (records, key) => {
      seen.push(`${key}:${records.length}`);
    });
    expect(seen).toEqual(['cf/E1.2026-11-02-00.a.gz:3', 'cf/E1.2026-11-02-01.b.gz:2']);
    expect(result.records).toBe(5);
    const handedOn = () =>
      Object.keys(JSON.parse(checkpoints.positions.get(source.sourceId) as string).files);
    expect(handedOn()).toEqual(['cf/E1.2026-11-02-00.a.gz', 'cf/E1.2026-11-02-01.b.gz']);

    // CloudFront delivers another file of hour 00 whose random part sorts before the one already read.
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: 'cf/E1.2026-11-02-00.0.gz' },
        { Key: 'cf/E1.2026-11-02-00.a.gz' },
        { Key: 'cf/E1.2026-11-02-01.b.gz' },
      ],
      IsTruncated: false,
    });
    s3.on(GetObjectCommand, { Key: 'cf/E1.2026-11-02-00.0.gz' }).resolves({ Body: body(logObject(1, 30)) });
    const late: string[] = [];
    await source.poll(async (_records, key) => void late.push(key));
    expect(late).toEqual(['cf/E1.2026-11-02-00.0.gz']);
    const lastList = s3.commandCalls(ListObjectsV2Command).at(-1);
    // Listing starts at the first delivery hour still open for late files (3 hours before the newest).
    expect(lastList?.args[0].input.StartAfter).toBe('cf/E1.2026-11-01-22');
  });

  it('stops at an object that keeps failing and leaves the checkpoint before it', async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: 'cf/E1.2026-11-02-00.a.gz' },
        { Key: 'cf/E1.2026-11-02-01.b.gz' },
        { Key: 'cf/E1.2026-11-02-02.c.gz' },
      ],
    });
    s3.on(GetObjectCommand, { Key: 'cf/E1.2026-11-02-00.a.gz' }).resolves({ Body: body(logObject(1, 0)) });
    s3.on(GetObjectCommand, { Key: 'cf/E1.2026-11-02-01.b.gz' }).rejects(
      Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }),
    );
    const checkpoints = new MemoryCheckpointStore();
    const source = new S3CloudFrontLogSource(new S3Client({ region: 'us-east-1' }), {
      bucket: 'logs',
      prefix: 'cf/',
      checkpoints,
    });
    const result = await source.poll(async () => {});
    expect(result.failed?.key).toBe('cf/E1.2026-11-02-01.b.gz');
    expect(result.objects).toBe(1);
    const position = JSON.parse((await checkpoints.load(source.sourceId)) as string);
    expect(Object.keys(position.files)).toEqual(['cf/E1.2026-11-02-00.a.gz']);
    expect(s3.commandCalls(GetObjectCommand, { Key: 'cf/E1.2026-11-02-02.c.gz' })).toHaveLength(0);
  });
});

describe('Class: AwsLogEventSource', () => {
  const logs = mockClient(CloudWatchLogsClient);
  beforeEach(() => logs.reset());

  it('follows nextToken through every page', async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ eventId: 'e1', timestamp: 1, message: 'a' }], nextToken: 't2' })
      .resolvesOnce({ events: [{ eventId: 'e2', timestamp: 2, message: 'b' }, { eventId: 'bad' }] });
    const source = new AwsLogEventSource(new CloudWatchLogsClient({ region: 'eu-west-1' }), {});
    const events = [];
    for await (const event of source.filter({ logGroup: '/aws/lambda/access', startMs: 0, endMs: 10 }))
      events.push(event);
    expect(events.map((e) => e.eventId)).toEqual(['e1', 'e2']);
    expect(logs.commandCalls(FilterLogEventsCommand)[1]?.args[0].input.nextToken).toBe('t2');
  });

  it('polls a Logs Insights query until it completes and returns rows as objects', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q1' });
    logs
      .on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Running' })
      .resolvesOnce({
        status: 'Complete',
        results: [
          [
            { field: 'route', value: 'POST /v1/access' },
            { field: 'count', value: '12' },
          ],
        ],
      });
    const source = new AwsLogEventSource(new CloudWatchLogsClient({ region: 'eu-west-1' }), {
      sleep: async () => {},
    });
    const rows = await source.insights(['/aws/lambda/access'], 'stats count(*) as count by route', 0, 60_000);
    expect(rows).toEqual([{ route: 'POST /v1/access', count: '12' }]);
  });

  it('reports a failed Logs Insights query instead of returning nothing', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q2' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Failed' });
    const source = new AwsLogEventSource(new CloudWatchLogsClient({ region: 'eu-west-1' }), {
      sleep: async () => {},
    });
    await expect(source.insights(['g'], 'fields @message', 0, 1)).rejects.toThrow(/Failed/);
  });

  it('makes a cited row openable: a console link from @ptr rows, and the event itself from its pointer', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q3' });
    logs.on(GetQueryResultsCommand).resolves({
      status: 'Complete',
      results: [
        [
          { field: '@timestamp', value: '2026-11-02 09:30:00.123' },
          { field: '@log', value: '123456789012:/aws/lambda/grant' },
          { field: '@logStream', value: '2026/11/02/[$LATEST]abc' },
          { field: '@message', value: 'boom' },
          { field: '@ptr', value: 'CmUKJgoiMTIz' },
        ],
      ],
    });
    logs.on(GetLogRecordCommand, { logRecordPointer: 'CmUKJgoiMTIz' }).resolves({
      logRecord: {
        '@timestamp': String(Date.UTC(2026, 10, 2, 9, 30, 0, 123)),
        '@log': '123456789012:/aws/lambda/grant',
        '@logStream': '2026/11/02/[$LATEST]abc',
        '@message': 'boom',
      },
    });
    const source = new AwsLogEventSource(new CloudWatchLogsClient({ region: 'eu-west-1' }), {
      sleep: async () => {},
    });
    const [row] = await source.insights(['/aws/lambda/grant'], 'fields @message', 0, 1);
    const at = Date.UTC(2026, 10, 2, 9, 30, 0, 123);
    expect(row?.consoleUrl).toBe(
      `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fgrant/log-events/2026$252F11$252F02$252F$255B$2524LATEST$255Dabc$3Fstart$3D${at}$26end$3D${at + 1}`,
    );
    expect(await source.record('CmUKJgoiMTIz')).toEqual({
      logGroup: '/aws/lambda/grant',
      logStream: '2026/11/02/[$LATEST]abc',
      timestampMs: at,
      message: 'boom',
      eventId: 'CmUKJgoiMTIz',
    });
  });
});

describe('Class: AwsTraceSource', () => {
  const xray = mockClient(XRayClient);
  beforeEach(() => xray.reset());

  it('pages trace summaries and fetches traces five ids at a time', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `1-6790a0b0-00000000000000000000000${i}`);
    xray
      .on(GetTraceSummariesCommand)
      .resolvesOnce({ TraceSummaries: ids.slice(0, 4).map((Id) => ({ Id })), NextToken: 'n' })
      .resolvesOnce({ TraceSummaries: ids.slice(4).map((Id) => ({ Id })) });
    xray.on(BatchGetTracesCommand).callsFake((input: { TraceIds: string[] }) => ({
      Traces: input.TraceIds.map((Id) => ({
        Id,
        Segments: [
          {
            Id: 's',
            Document: JSON.stringify({
              id: 's',
              trace_id: Id,
              name: 'access',
              start_time: 10,
              end_time: 10.25,
              fault: Id.endsWith('3'),
            }),
          },
          { Id: 'broken', Document: '{not json' },
        ],
      })),
    }));
    const traces = await new AwsTraceSource(new XRayClient({ region: 'eu-west-1' })).traces(0, 1000);
    expect(traces).toHaveLength(7);
    expect(xray.commandCalls(BatchGetTracesCommand).map((c) => c.args[0].input.TraceIds?.length)).toEqual([
      5, 2,
    ]);
    expect(traces.find((t) => t.traceId.endsWith('3'))?.hasFault).toBe(true);
    expect(traces[0]?.durationMs).toBe(250);
  });
});

describe('Class: AwsCostSource', () => {
  const ce = mockClient(CostExplorerClient);
  beforeEach(() => ce.reset());

  it('reads grouped daily costs across pages', async () => {
    ce.on(GetCostAndUsageCommand)
      .resolvesOnce({
        ResultsByTime: [
          {
            TimePeriod: { Start: '2026-11-01', End: '2026-11-02' },
            Groups: [
              { Keys: ['Amazon CloudFront'], Metrics: { UnblendedCost: { Amount: '12.5', Unit: 'USD' } } },
            ],
          },
        ],
        NextPageToken: 'p',
      })
      .resolvesOnce({
        ResultsByTime: [
          {
            TimePeriod: { Start: '2026-11-01', End: '2026-11-02' },
            Groups: [{ Keys: ['AWS Lambda'], Metrics: { UnblendedCost: { Amount: '3.25', Unit: 'USD' } } }],
          },
        ],
      });
    const rows = await new AwsCostSource(new CostExplorerClient({ region: 'us-east-1' })).costs(
      '2026-11-01',
      '2026-11-02',
    );
    expect(rows.map((r) => [r.service, r.amount])).toEqual([
      ['Amazon CloudFront', 12.5],
      ['AWS Lambda', 3.25],
    ]);
  });
});

describe('Class: KinesisRealtimeLogSource', () => {
  const kinesis = mockClient(KinesisClient);
  beforeEach(() => kinesis.reset());

  it('reads each shard from its checkpoint, re-acquires expired iterators and counts bad records', async () => {
    const record = (seq: string, line: string) => ({ SequenceNumber: seq, Data: Buffer.from(line) });
    const good =
      '1793577600.123\t203.0.113.5\tDE\t3320\tGET\t/titles/t-1/a.epub\tbbt=x\t200\t0.004\tHit\tReader\tx-bb-device:dev-1';
    kinesis.on(ListShardsCommand).resolves({
      Shards: [
        {
          ShardId: 'shard-1',
          HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' },
          SequenceNumberRange: { StartingSequenceNumber: '1' },
        },
      ],
    });
    kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    kinesis
      .on(GetRecordsCommand)
      .rejectsOnce(Object.assign(new Error('expired'), { name: 'ExpiredIteratorException' }))
      .resolvesOnce({
        Records: [record('100', good), record('101', 'only\ttwo')],
        NextShardIterator: 'it-2',
        MillisBehindLatest: 0,
      })
      .resolves({ Records: [], NextShardIterator: 'it-3', MillisBehindLatest: 0 });
    const checkpoints = new MemoryCheckpointStore();
    const source = new KinesisRealtimeLogSource(new KinesisClient({ region: 'eu-west-1' }), {
      streamName: 'cf-realtime',
      checkpoints,
    });
    const events: { country: string; deviceId: string; timestampMs: number }[] = [];
    const result = await source.poll(async (batch) => {
      events.push(...batch);
    });
    expect(result).toEqual({ records: 1, skipped: 1 });
    expect(events[0]).toMatchObject({ country: 'DE', deviceId: 'dev-1', timestampMs: 1793577600123 });
    expect(await checkpoints.load('cloudfront-realtime:cf-realtime:shard-1')).toBe('101');

    await source.poll(async () => {});
    const lastIterator = kinesis.commandCalls(GetShardIteratorCommand).at(-1)?.args[0].input;
    expect(lastIterator).toMatchObject({
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      StartingSequenceNumber: '101',
    });
  });
});
