/**
 * Detection over log files: the I/O shell around the pure detectors, shared by `boundless detect`, the
 * evaluation and the benchmark.
 */
import { stat } from 'node:fs/promises';
import { embeddedGeo, type GeoLookup } from '../geo/ip-geo.ts';
import {
  hourFromFileName,
  listCloudFrontLogFiles,
  newParseStats,
  type ParseStats,
  readCloudFrontLogs,
} from '../logs/cloudfront-standard.ts';
import { type LogInput, type LogLineSink, scanCloudFrontLogs } from '../logs/cloudfront-bytes.ts';
import type { Inflation } from '../logs/file-chunks.ts';
import type { DetectorOptions } from './config.ts';
import { AbuseDetectors } from './engine.ts';
import type { Detection, DetectionKind } from './types.ts';

export interface DetectProgress {
  stats: ParseStats;
  totalBytes: number;
  elapsedMs: number;
}

export interface DetectRunOptions {
  detectors?: DetectorOptions;
  geo?: GeoLookup;
  /** Called about every `progressEveryMs` of wall time (progress display only: never affects results). */
  onProgress?: (progress: DetectProgress) => void;
  progressEveryMs?: number;
  /** How one gzip input file is inflated (file-chunks.ts); by default chosen by the cores available. */
  inflation?: Inflation;
}

export interface DetectRunResult {
  detections: Detection[];
  stats: ParseStats;
  files: number;
  byKind: Record<DetectionKind, number>;
  elapsedMs: number;
}

export async function detectFiles(
  inputs: readonly string[],
  options: DetectRunOptions = {},
): Promise<DetectRunResult> {
  const files = await listCloudFrontLogFiles(inputs);
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const detectors = new AbuseDetectors(options.geo ?? embeddedGeo(), options.detectors);
  const stats = newParseStats();
  const detections: Detection[] = [];
  const started = performance.now();
  const every = options.progressEveryMs ?? 500;
  let lastProgress = started;
  const progress = (): void => {
    if (!options.onProgress) return;
    const now = performance.now();
    if (now - lastProgress >= every) {
      lastProgress = now;
      options.onProgress({ stats, totalBytes, elapsedMs: now - started });
    }
  };
  const sink: LogLineSink = {
    line: (view) => detectors.observeLine(view, detections),
    record: (record) => detectors.observe(record, detections),
    preview: (view, index) => detectors.previewLine(view, index),
    prefetch: (count) => detectors.prefetch(count),
  };
  // Runs the byte scanner reads (files in turn, an hour's files merged) go to it together, on one scanning thread;
  // a merge it does not take (names without hours, too many files an hour) goes through records.
  let scanned: LogInput[] = [];
  const scanPending = async (): Promise<void> => {
    if (scanned.length === 0) return;
    const pending = scanned;
    scanned = [];
    await scanCloudFrontLogs(
      pending,
      stats,
      sink,
      options.onProgress ? progress : undefined,
      options.inflation,
    );
  };
  for (const run of readingOrder(files)) {
    if (run.read === 'in-turn') scanned.push(...run.files);
    else if (run.read === 'bytes') scanned.push(run.files);
    else {
      await scanPending();
      for await (const batch of readCloudFrontLogs(run.files, stats)) {
        for (const record of batch) detectors.observe(record, detections);
        progress();
      }
    }
  }
  await scanPending();
  const elapsedMs = performance.now() - started;
  options.onProgress?.({ stats, totalBytes, elapsedMs });
  return { detections, stats, files: files.length, byKind: { ...detectors.detectionCounts }, elapsedMs };
}

/**
 * The most files of one hour merged as bytes: each is open, with its inflater's output (about 1 MB), while the hour
 * is read; an hour of more files is merged through records, which open files only as their time comes.
 */
export const MAX_BYTE_MERGE = 64;

/** Files read one after another (`in-turn`), or merged by time by the byte scanner (`bytes`) or as records. */
export interface ReadingRun {
  files: string[];
  read: 'in-turn' | 'bytes' | 'records';
}

/**
 * The order files are read in. CloudFront names a file by the hour its requests occurred in: hours with one file
 * each (a day of hourly files) follow one another in time and are read one after another, while the files of an
 * hour that has several (one per edge server, late deliveries) are merged by time, by the byte scanner up to
 * MAX_BYTE_MERGE of them. When a name carries no hour, all the files are merged through records.
 */
export function readingOrder(files: readonly string[]): ReadingRun[] {
  const hours = files.map(hourFromFileName);
  if (files.length <= 1 || hours.some((hour) => hour === undefined))
    return files.length > 0 ? [{ files: [...files], read: files.length > 1 ? 'records' : 'in-turn' }] : [];
  const byHour = new Map<number, string[]>();
  files.forEach((file, i) => {
    const group = byHour.get(hours[i]!);
    if (group) group.push(file);
    else byHour.set(hours[i]!, [file]);
  });
  const runs: ReadingRun[] = [];
  for (const hour of [...byHour.keys()].sort((a, b) => a - b)) {
    const group = byHour.get(hour)!;
    const last = runs.at(-1);
    if (group.length > 1)
      runs.push({ files: group, read: group.length <= MAX_BYTE_MERGE ? 'bytes' : 'records' });
    else if (last?.read === 'in-turn') last.files.push(group[0]!);
    else runs.push({ files: [group[0]!], read: 'in-turn' });
  }
  return runs;
}
