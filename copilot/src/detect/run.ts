/**
 * Detection over log files: the I/O shell around the pure detectors, shared by `boundless detect`, the
 * evaluation and the benchmark.
 */
import { stat } from 'node:fs/promises';
import { embeddedGeo, type GeoLookup } from '../geo/ip-geo.ts';
import {
  listCloudFrontLogFiles,
  newParseStats,
  type ParseStats,
  readCloudFrontLogs,
} from '../logs/cloudfront-standard.ts';
import { type LogLineSink, scanCloudFrontLog } from '../logs/cloudfront-bytes.ts';
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
  if (files.length === 1) {
    // One file needs no merge: the byte scanner hands lines to the detectors without making records.
    const sink: LogLineSink = {
      line: (view) => detectors.observeLine(view, detections),
      record: (record) => detectors.observe(record, detections),
      preview: (view, index) => detectors.previewLine(view, index),
      prefetch: (count) => detectors.prefetch(count),
    };
    await scanCloudFrontLog(
      files[0]!,
      stats,
      sink,
      options.onProgress ? progress : undefined,
      options.inflation,
    );
  } else {
    for await (const batch of readCloudFrontLogs(files, stats)) {
      for (const record of batch) detectors.observe(record, detections);
      progress();
    }
  }
  const elapsedMs = performance.now() - started;
  options.onProgress?.({ stats, totalBytes, elapsedMs });
  return { detections, stats, files: files.length, byKind: { ...detectors.detectionCounts }, elapsedMs };
}
