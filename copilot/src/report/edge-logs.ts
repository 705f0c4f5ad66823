import { hourFromFileName, listCloudFrontLogFiles, readCloudFrontLog } from '../logs/cloudfront-standard.ts';
import { type EdgeLogRecord, newParseStats, type ParseStats } from '../logs/cloudfront-line.ts';

const HOUR_MS = 3_600_000;

/**
 * The CloudFront standard log records of a window of event time, from a folder of hourly files (the local edge's,
 * or a synced copy of the distribution's bucket). Files whose hour is far outside the window are not opened; a
 * file's records can run a little past its hour, so one hour either side is read.
 */
export async function readEdgeLogWindow(
  dir: string,
  fromMs: number,
  toMs: number,
  onRecord: (record: EdgeLogRecord) => void,
  stats: ParseStats = newParseStats(),
): Promise<{ files: number; stats: ParseStats }> {
  let files: string[];
  try {
    files = await listCloudFrontLogFiles([dir]);
  } catch (error) {
    if ((error as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return { files: 0, stats };
    throw error;
  }
  let opened = 0;
  for (const file of files) {
    const hour = hourFromFileName(file);
    if (hour !== undefined && (hour + 2 * HOUR_MS <= fromMs || hour - HOUR_MS >= toMs)) continue;
    opened += 1;
    for await (const record of readCloudFrontLog(file, stats)) {
      if (record.timestampMs >= fromMs && record.timestampMs < toMs) onRecord(record);
    }
  }
  return { files: opened, stats };
}
