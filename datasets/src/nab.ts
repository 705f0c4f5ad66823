import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from '@boundless/common/csv';

/**
 * Loader for the Numenta Anomaly Benchmark's realAWSCloudwatch category (github.com/numenta/NAB, MIT).
 * The directory layout is NAB's own: `data/realAWSCloudwatch/*.csv`, `labels/combined_windows.json`,
 * `results/<detector>/<detector>_<file>.csv` and `thresholds.json`. Download the originals from the NAB
 * repository and point `dataDir` at the folder holding those four entries.
 */

export const NAB_CATEGORY = 'realAWSCloudwatch';

export class NabDataError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NabDataError';
  }
}

/** One NAB series: event times (epoch ms, UTC) and values, row for row. */
export interface NabSeries {
  file: string;
  timestamps: number[];
  values: number[];
}

/** An inclusive labelled anomaly window in epoch ms. */
export interface NabWindow {
  start: number;
  end: number;
}

/** A published detector's raw output on one file. */
export interface NabDetectorOutput {
  detector: string;
  file: string;
  timestamps: number[];
  scores: number[];
}

export type NabProfile = 'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate';

/** NAB writes `YYYY-MM-DD HH:MM:SS[.ffffff]` without a zone; the benchmark treats it as UTC. */
export function parseNabTimestamp(text: string): number {
  const iso = text.trim().replace(' ', 'T');
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(ms)) throw new NabDataError(`unreadable NAB timestamp "${text}"`);
  return ms;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new NabDataError(`cannot read ${path}`, { cause: error });
  }
}

/** Reads a NAB CSV whose first two columns are timestamp and a number; the header row is dropped. */
function readColumns(path: string): { timestamps: number[]; numbers: number[] } {
  const { records, malformed } = readCsv(readText(path));
  const [bad] = malformed;
  if (bad) throw new NabDataError(`${path}:${bad.line}: ${bad.reason}`);
  const timestamps: number[] = [];
  const numbers: number[] = [];
  for (const { line, fields } of records.slice(1)) {
    const value = Number(fields[1]);
    if (fields.length < 2 || fields[1]!.trim() === '' || !Number.isFinite(value)) {
      throw new NabDataError(`${path}:${line}: expected timestamp,number but found "${fields.join(',')}"`);
    }
    timestamps.push(parseNabTimestamp(fields[0]!));
    numbers.push(value);
  }
  return { timestamps, numbers };
}

/** File names (without directory) of the category's series, sorted. */
export function listNabFiles(dataDir: string): string[] {
  const dir = join(dataDir, 'data', NAB_CATEGORY);
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.csv'))
      .sort();
  } catch (error) {
    throw new NabDataError(`no NAB ${NAB_CATEGORY} data under ${dir}`, { cause: error });
  }
}

export function loadNabSeries(dataDir: string, file: string): NabSeries {
  const { timestamps, numbers } = readColumns(join(dataDir, 'data', NAB_CATEGORY, file));
  return { file, timestamps, values: numbers };
}

/** Labelled windows of the category, keyed by file name; files without anomalies map to an empty list. */
export function loadNabWindows(dataDir: string): Map<string, NabWindow[]> {
  const path = join(dataDir, 'labels', 'combined_windows.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readText(path));
  } catch (error) {
    throw new NabDataError(`cannot parse ${path}`, { cause: error });
  }
  const windows = new Map<string, NabWindow[]>();
  for (const [key, pairs] of Object.entries(raw as Record<string, unknown>)) {
    const [category, file] = key.split('/');
    if (category !== NAB_CATEGORY || file === undefined) continue;
    if (!Array.isArray(pairs)) throw new NabDataError(`${path}: windows of ${key} are not a list`);
    windows.set(
      file,
      pairs.map((pair) => {
        const [start, end] = pair as [string, string];
        return { start: parseNabTimestamp(start), end: parseNabTimestamp(end) };
      }),
    );
  }
  return windows;
}

/** Detectors with a results folder, sorted; `null` and `random` are NAB's own baselines. */
export function listNabDetectors(dataDir: string): string[] {
  const dir = join(dataDir, 'results');
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new NabDataError(`no NAB results under ${dir}`, { cause: error });
  }
}

export function loadNabDetectorOutput(dataDir: string, detector: string, file: string): NabDetectorOutput {
  const path = join(dataDir, 'results', detector, `${detector}_${file}`);
  const { timestamps, numbers } = readColumns(path);
  return { detector, file, timestamps, scores: numbers };
}

/** Each detector's NAB-optimised alarm threshold for one cost profile. */
export function loadNabThresholds(dataDir: string, profile: NabProfile = 'standard'): Map<string, number> {
  const path = join(dataDir, 'thresholds.json');
  let raw: Record<string, Record<string, { threshold?: unknown }>>;
  try {
    raw = JSON.parse(readText(path));
  } catch (error) {
    throw new NabDataError(`cannot parse ${path}`, { cause: error });
  }
  const thresholds = new Map<string, number>();
  for (const [detector, profiles] of Object.entries(raw)) {
    const threshold = profiles[profile]?.threshold;
    if (typeof threshold === 'number') thresholds.set(detector, threshold);
  }
  return thresholds;
}

/**
 * NAB ignores detections in each file's first 15 % (at most 750 rows) while detectors learn; evaluations
 * apply the same probation to every detector.
 */
export function nabProbationRows(length: number): number {
  return Math.min(Math.floor(0.15 * length), 750);
}
