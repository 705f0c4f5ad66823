import { hourFromFileName, listCloudFrontLogFiles, readCloudFrontLog } from '../logs/cloudfront-standard.ts';
import { type EdgeLogRecord, newParseStats, type ParseStats } from '../logs/cloudfront-line.ts';
import { HOUR_MS } from '@boundless/common/time';

/** What reading a window of CloudFront standard logs found: files opened, unreadable ones skipped, line counts. */
export interface EdgeLogWindowResult {
  files: number;
  /** Files that could not be decoded (a corrupt gzip member, say): skipped and counted, never fatal. */
  unreadableFiles: number;
  stats: ParseStats;
}

/**
 * Where CloudFront standard logs are read for a window of event time: a folder of hourly files locally, the
 * logs bucket in AWS (`S3CloudFrontLogWindow`). Records arrive in file order, filtered to `[fromMs, toMs)`.
 */
export interface EdgeLogWindowSource {
  readWindow(
    fromMs: number,
    toMs: number,
    onRecord: (record: EdgeLogRecord) => void,
    stats?: ParseStats,
  ): Promise<EdgeLogWindowResult>;
}

/** A folder of standard log files (the local edge's, or a synced copy of the bucket), or another source. */
export type EdgeLogInput = string | EdgeLogWindowSource;

/** Whether a file whose name carries `hourMs` can hold records of `[fromMs, toMs)`: one hour either side. */
export function hourMayHold(hourMs: number, fromMs: number, toMs: number): boolean {
  return hourMs + 2 * HOUR_MS > fromMs && hourMs - HOUR_MS < toMs;
}

/**
 * The CloudFront standard log records of a window of event time. Files whose hour is far outside the window are
 * not opened; a file's records can run a little past its hour, so one hour either side is read.
 */
export async function readEdgeLogWindow(
  input: EdgeLogInput,
  fromMs: number,
  toMs: number,
  onRecord: (record: EdgeLogRecord) => void,
  stats: ParseStats = newParseStats(),
): Promise<EdgeLogWindowResult> {
  if (typeof input !== 'string') return input.readWindow(fromMs, toMs, onRecord, stats);
  let files: string[];
  try {
    files = await listCloudFrontLogFiles([input]);
  } catch (error) {
    if ((error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT')
      return { files: 0, unreadableFiles: 0, stats };
    throw error;
  }
  let opened = 0;
  for (const file of files) {
    const hour = hourFromFileName(file);
    if (hour !== undefined && !hourMayHold(hour, fromMs, toMs)) continue;
    opened += 1;
    for await (const record of readCloudFrontLog(file, stats)) {
      if (record.timestampMs >= fromMs && record.timestampMs < toMs) onRecord(record);
    }
  }
  return { files: opened, unreadableFiles: 0, stats };
}
