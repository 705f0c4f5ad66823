import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { emfPoints } from '../telemetry/emf.ts';
import { parseLogMessage, toLogRecord } from '../telemetry/log-message.ts';
import { resolveSpans, segmentSpans } from '../telemetry/segments.ts';
import {
  countSkip,
  emptySkips,
  type LogRecord,
  type MetricPoint,
  type Span,
  type TelemetrySnapshot,
} from '../telemetry/types.ts';
import { listLogGroups, readLogGroupEvents } from './log-groups.ts';
import { querySegments } from './segments.ts';
import { DAY_MS } from '@boundless/common/time';

/**
 * Everything a telemetry directory (DESIGN §4.4) holds over a time range, parsed: log records, the EMF metric
 * points inside them and the spans of `xray/`. Lines that are not events or documents are counted by reason,
 * never fatal; a missing `logs/` or `xray/` is reported in `has`, so the caller can say what it could not see.
 */
export class TelemetryDirectoryError extends Error {
  override name = 'TelemetryDirectoryError';
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

export interface ReadOptions {
  startMs: number;
  endMs: number;
  /** Only these log groups (real names); all by default. */
  groups?: readonly string[];
  /** Read `xray/` too. @default true */
  traces?: boolean;
}

export async function readTelemetryDirectory(root: string, range: ReadOptions): Promise<TelemetrySnapshot> {
  if (!(await isDirectory(root))) throw new TelemetryDirectoryError(`${root} is not a directory`);
  const { startMs, endMs } = range;
  if (!(endMs >= startMs)) throw new TelemetryDirectoryError('the time range ends before it starts');
  const skips = emptySkips();
  const onSkip = (reason: string) => countSkip(skips, reason);
  const logsDir = join(root, 'logs');
  const xrayDir = join(root, 'xray');
  const has = { logs: await isDirectory(logsDir), traces: await isDirectory(xrayDir) };
  const logs: LogRecord[] = [];
  const metrics: MetricPoint[] = [];
  const groups = has.logs ? await listLogGroups(logsDir, onSkip) : [];
  const wanted = range.groups ? new Set(range.groups) : undefined;
  for (const { logGroupName: group } of groups) {
    if (wanted && !wanted.has(group)) continue;
    for await (const event of readLogGroupEvents(logsDir, group, startMs, endMs, onSkip)) {
      const parsed = parseLogMessage(event.message);
      const record = toLogRecord(
        group,
        { id: event.id, timestampMs: event.timestamp, logStream: event.logStream, message: event.message },
        parsed,
      );
      if (parsed.kind === 'emf' && parsed.json) {
        const result = emfPoints(parsed.json, {
          group,
          stream: record.stream,
          eventId: record.id,
          timestampMs: record.timestampMs,
        });
        if ('invalid' in result) onSkip(result.invalid);
        else for (const point of result.points) metrics.push(point);
      }
      logs.push(record);
    }
  }
  const spans: Span[] = [];
  if (has.traces && range.traces !== false) {
    // A segment may start before the range and end inside it: look back as far as a long request lasts.
    const documents = await querySegments(
      xrayDir,
      { startMs: startMs - Math.min(DAY_MS, 15 * 60_000), endMs },
      onSkip,
    );
    for (const document of documents) {
      const result = segmentSpans(document);
      if ('invalid' in result) {
        onSkip(result.invalid);
        continue;
      }
      const root = result.spans[0]!;
      if (root.endMs < startMs) continue;
      for (const span of result.spans) spans.push(span);
    }
  }
  logs.sort((a, b) => a.timestampMs - b.timestampMs);
  metrics.sort((a, b) => a.timestampMs - b.timestampMs);
  return {
    startMs,
    endMs,
    groups: groups.map((g) => g.logGroupName),
    logs,
    metrics,
    spans: resolveSpans(spans),
    skips,
    has,
  };
}
