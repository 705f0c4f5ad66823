import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLogEventSource } from '@boundless/copilot/sources';
import { awsReportInputs } from '@boundless/copilot/service/aws';
import { CopilotConfigError, loadCopilotConfig } from '@boundless/copilot/config';
import { afterAll, describe, expect, it } from 'vitest';
import { writeLocalReport } from '../cli/local/report.ts';

// The report as the task in AWS runs it: its data dir is empty, the log groups come through a LogEventSource
// (CloudWatch Logs there; the local source over the same events here).
const work = mkdtempSync(join(tmpdir(), 'report-logs-'));
const DAY = '2026-11-01';
const T0 = Date.parse(`${DAY}T12:00:00Z`);
const ACCESS = '/aws/apigateway/boundless-access';
const FUNCTION = '/aws/lambda/boundless-grant-access';

function group(root: string, name: string, messages: { at: number; message: unknown }[]) {
  const dir = join(root, name.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '_'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'group.json'), JSON.stringify({ logGroupName: name }));
  const lines = messages.map((m, i) =>
    JSON.stringify({ id: `${i}`, timestamp: m.at, logStream: 's', message: JSON.stringify(m.message) }),
  );
  writeFileSync(join(dir, `${DAY}.log`), `${lines.join('\n')}\n`);
}

const logs = join(work, 'cloudwatch');
const access = Array.from({ length: 600 }, (_, i) => ({
  at: T0 + i * 100,
  message: {
    routeKey: 'POST /v1/access',
    status: i % 10 === 0 ? 429 : 200,
    responseLatency: 20,
    requestTimeEpoch: T0 + i * 100,
  },
}));
const reports = Array.from({ length: 200 }, (_, i) => ({
  at: T0 + i * 1000,
  message: {
    type: 'platform.report',
    record: { status: 'success', metrics: { durationMs: 40, billedDurationMs: 40, memorySizeMB: 1024 } },
  },
}));
group(logs, ACCESS, access);
group(logs, FUNCTION, reports);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the daily report in AWS', () => {
  it('reads throttling and right-sizing from the log groups the source serves, not from the data dir', async () => {
    const dataDir = join(work, 'empty');
    mkdirSync(dataDir);
    const { report } = await writeLocalReport({
      dataDir,
      day: DAY,
      logs: { source: new LocalLogEventSource(logs), lambdaLogGroups: [FUNCTION], apiAccessLogGroup: ACCESS },
    });
    expect(report.inputs.apiAccessLog).toEqual({ read: 600, skipped: 0 });
    expect(report.inputs.lambdaReports).toEqual({ read: 200, skipped: 0 });
    expect(JSON.stringify(report.routes)).toContain('POST /v1/access');
    expect(JSON.stringify(report.functions)).toContain('boundless-grant-access');
    // Without the source the same empty data dir has nothing to read.
    const { report: local } = await writeLocalReport({ dataDir, day: DAY });
    expect(local.inputs.apiAccessLog?.read).toBe(0);
    expect(local.inputs.lambdaReports?.read).toBe(0);
  });

  it('names the missing access log group instead of reading nothing', () => {
    expect(() => awsReportInputs(loadCopilotConfig({}, { COPILOT_API_LOG_GROUPS: FUNCTION }))).toThrow(
      CopilotConfigError,
    );
    const inputs = awsReportInputs(
      loadCopilotConfig(
        {},
        {
          COPILOT_API_LOG_GROUPS: `${FUNCTION},/aws/lambda/other`,
          COPILOT_API_ACCESS_LOG_GROUP: ACCESS,
          COPILOT_REGION: 'eu-west-1',
        },
      ),
    );
    expect(inputs.logs.lambdaLogGroups).toEqual([FUNCTION, '/aws/lambda/other']);
    expect(inputs.logs.source.kind).toBe('aws');
  });

  it('refuses a log group or a report bucket that AWS would not accept, naming the setting, before reading', () => {
    const load = (env: Record<string, string>) => () =>
      loadCopilotConfig({}, { COPILOT_API_ACCESS_LOG_GROUP: ACCESS, ...env });
    expect(load({ COPILOT_API_LOG_GROUPS: `${FUNCTION},/aws/lambda/has space` })).toThrow(
      /aws\.apiLogGroups\.1: a CloudWatch Logs log group name/,
    );
    expect(load({ COPILOT_API_ACCESS_LOG_GROUP: 'access log?' })).toThrow(/aws\.apiAccessLogGroup/);
    expect(load({ COPILOT_REPORT_BUCKET: 'Reports_Bucket' })).toThrow(/aws\.reportBucket: an S3 bucket name/);
    expect(load({ COPILOT_REPORT_BUCKET: 'Reports_Bucket' })).toThrow(CopilotConfigError);
  });
});
