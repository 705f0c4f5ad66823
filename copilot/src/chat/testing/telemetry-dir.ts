import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sanitiseLogGroupName, utcDay } from '../../telemetry-dir/index.ts';
import type { FakeTelemetry } from './fake-tools.ts';

/**
 * Writes fake telemetry in the telemetry-directory layout (DESIGN §4.4), so citations can be opened from the
 * same files the local sources read: log events per group and day, metrics as EMF documents in `metricsGroup`,
 * and one root segment per trace under `xray/`.
 */
export function writeTelemetryDir(
  root: string,
  telemetry: FakeTelemetry,
  metricsGroup = '/aws/lambda/catalog-api',
): void {
  const logs = join(root, 'logs');
  const write = (
    logGroup: string,
    event: { id: string; timestamp: number; logStream: string; message: string },
  ) => {
    const dir = join(logs, sanitiseLogGroupName(logGroup));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'group.json'), JSON.stringify({ logGroupName: logGroup }));
    appendFileSync(join(dir, `${utcDay(event.timestamp)}.log`), `${JSON.stringify(event)}\n`);
  };
  for (const event of telemetry.logs)
    write(event.logGroup, {
      id: event.eventId,
      timestamp: event.timestamp,
      logStream: '2026/11/02/[$LATEST]a1',
      message: event.message,
    });
  for (const series of telemetry.metrics) {
    series.points.forEach(([timestamp, value], i) => {
      const emf = {
        _aws: {
          Timestamp: timestamp,
          CloudWatchMetrics: [
            {
              Namespace: series.namespace,
              Dimensions: [Object.keys(series.dimensions)],
              Metrics: [{ Name: series.metric, Unit: 'Count' }],
            },
          ],
        },
        ...series.dimensions,
        [series.metric]: value,
      };
      write(metricsGroup, {
        id: `emf-${series.metric}-${i}`,
        timestamp,
        logStream: 'emf',
        message: JSON.stringify(emf),
      });
    });
  }
  const xray = join(root, 'xray');
  mkdirSync(xray, { recursive: true });
  for (const trace of telemetry.traces) {
    const start = Number.parseInt(trace.traceId.split('-')[1] ?? '0', 16);
    const segment = {
      trace_id: trace.traceId,
      id: trace.traceId.slice(-16),
      name: trace.root,
      start_time: start,
      end_time: start + trace.durationMs / 1000,
      ...(trace.faultAt
        ? { fault: true, cause: { exceptions: [{ message: `${trace.faultAt} timed out` }] } }
        : {}),
    };
    appendFileSync(join(xray, `${utcDay(start * 1000)}.jsonl`), `${JSON.stringify(segment)}\n`);
  }
}
