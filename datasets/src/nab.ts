import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from '@boundless/common/csv';

/**
 * Loader for the Numenta Anomaly Benchmark (github.com/numenta/NAB, MIT), in NAB's own directory layout:
 * `data/<category>/<file>.csv`, `labels/combined_windows.json`, `results/<detector>/<detector>_<file>.csv`
 * (raw outputs) and `results/<detector>/<detector>_<profile>_scores.csv` (published per-file scores),
 * `thresholds.json` and `profiles.json`. Every category found under `data/` is read; files are named by their
 * path relative to `data/` (`<category>/<file>.csv`), as NAB's label file names them.
 */

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

function readJson(path: string): unknown {
  const text = readText(path);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new NabDataError(`cannot parse ${path}`, { cause: error });
  }
}

/**
 * Reads the timestamp column and one numeric column, found by its header name, of a NAB CSV (NAB's result
 * files differ in which columns they carry and in what order).
 */
function readColumns(path: string, column: string): { timestamps: number[]; numbers: number[] } {
  const { header, rows } = readTable(path);
  const at = header.indexOf(column);
  if (header[0] !== 'timestamp' || at < 0)
    throw new NabDataError(`${path}:1: expected a timestamp column first and a ${column} column`);
  const timestamps: number[] = [];
  const numbers: number[] = [];
  for (const { line, fields } of rows) {
    const text = fields[at]?.trim() ?? '';
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) {
      throw new NabDataError(
        `${path}:${line}: expected a number in column ${column} but found "${fields.join(',')}"`,
      );
    }
    timestamps.push(parseNabTimestamp(fields[0]!));
    numbers.push(value);
  }
  return { timestamps, numbers };
}

/** A NAB CSV: its header's column names and its data rows (a row csv-parse cannot read is an error). */
function readTable(path: string): { header: string[]; rows: { line: number; fields: string[] }[] } {
  const { records, malformed } = readCsv(readText(path));
  const [bad] = malformed;
  if (bad) throw new NabDataError(`${path}:${bad.line}: ${bad.reason}`);
  return { header: (records[0]?.fields ?? []).map((name) => name.trim()), rows: records.slice(1) };
}

function listDirectory(dir: string, what: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new NabDataError(`no NAB ${what} under ${dir}`, { cause: error });
  }
}

/** Categories: the directories under `data/`, sorted. */
export function listNabCategories(dataDir: string): string[] {
  return listDirectory(join(dataDir, 'data'), 'data')
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** The category of a file named `<category>/<file>.csv`. */
export function nabCategoryOf(file: string): string {
  return file.slice(0, file.indexOf('/'));
}

/** Series of one category, or of every category, as `<category>/<file>.csv`, sorted. */
export function listNabFiles(dataDir: string, category?: string): string[] {
  const categories = category === undefined ? listNabCategories(dataDir) : [category];
  return categories.flatMap((name) =>
    listDirectory(join(dataDir, 'data', name), `${name} data`)
      .filter((entry) => entry.isFile() && entry.name.endsWith('.csv'))
      .map((entry) => `${name}/${entry.name}`)
      .sort(),
  );
}

export function loadNabSeries(dataDir: string, file: string): NabSeries {
  const { timestamps, numbers } = readColumns(join(dataDir, 'data', file), 'value');
  return { file, timestamps, values: numbers };
}

/** Labelled windows keyed by `<category>/<file>.csv`; files without anomalies map to an empty list. */
export function loadNabWindows(dataDir: string): Map<string, NabWindow[]> {
  const path = join(dataDir, 'labels', 'combined_windows.json');
  const raw = readJson(path);
  if (raw === null || typeof raw !== 'object') throw new NabDataError(`${path}: expected an object`);
  const windows = new Map<string, NabWindow[]>();
  for (const [file, pairs] of Object.entries(raw as Record<string, unknown>)) {
    if (!Array.isArray(pairs)) throw new NabDataError(`${path}: windows of ${file} are not a list`);
    windows.set(
      file,
      pairs.map((pair) => {
        if (
          !Array.isArray(pair) ||
          pair.length !== 2 ||
          typeof pair[0] !== 'string' ||
          typeof pair[1] !== 'string'
        )
          throw new NabDataError(`${path}: a window of ${file} is not a [start, end] pair`);
        return { start: parseNabTimestamp(pair[0]), end: parseNabTimestamp(pair[1]) };
      }),
    );
  }
  return windows;
}

/** Detectors with a results folder, sorted; `null` and `random` are NAB's own baselines. */
export function listNabDetectors(dataDir: string): string[] {
  return listDirectory(join(dataDir, 'results'), 'results')
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

const baseName = (file: string) => file.slice(file.lastIndexOf('/') + 1);

/** A published detector's raw `anomaly_score` column on one file. */
export function loadNabDetectorOutput(dataDir: string, detector: string, file: string): NabDetectorOutput {
  const path = join(dataDir, 'results', detector, `${detector}_${baseName(file)}`);
  const { timestamps, numbers } = readColumns(path, 'anomaly_score');
  return { detector, file, timestamps, scores: numbers };
}

/** Each detector's NAB-optimised alarm threshold for one cost profile. */
export function loadNabThresholds(dataDir: string, profile: NabProfile = 'standard'): Map<string, number> {
  const path = join(dataDir, 'thresholds.json');
  const raw = readJson(path) as Record<string, Record<string, { threshold?: unknown }>>;
  const thresholds = new Map<string, number>();
  for (const [detector, profiles] of Object.entries(raw)) {
    const threshold = profiles?.[profile]?.threshold;
    if (typeof threshold === 'number') thresholds.set(detector, threshold);
  }
  return thresholds;
}

/** A cost profile's weights (`profiles.json`). */
export interface NabCostMatrix {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
  tnWeight: number;
}

export function loadNabProfile(dataDir: string, profile: NabProfile = 'standard'): NabCostMatrix {
  const path = join(dataDir, 'profiles.json');
  const raw = readJson(path) as Record<string, { CostMatrix?: Record<string, unknown> }>;
  const matrix = raw?.[profile]?.CostMatrix;
  const weight = (name: string) => {
    const value = matrix?.[name];
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new NabDataError(`${path}: profile ${profile} has no numeric ${name}`);
    return value;
  };
  return {
    tpWeight: weight('tpWeight'),
    fpWeight: weight('fpWeight'),
    fnWeight: weight('fnWeight'),
    tnWeight: weight('tnWeight'),
  };
}

/** One row of a published `<detector>_<profile>_scores.csv`: NAB's raw score and row counts for a file. */
export interface NabPublishedScore {
  file: string;
  threshold: number;
  score: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
}

/** The published per-file scores of a detector for a profile (the `Totals` row is left out). */
export function loadNabPublishedScores(
  dataDir: string,
  detector: string,
  profile: NabProfile = 'standard',
): NabPublishedScore[] {
  const path = join(dataDir, 'results', detector, `${detector}_${profile}_scores.csv`);
  const { header, rows } = readTable(path);
  const at = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new NabDataError(`${path}:1: no ${name} column`);
    return index;
  };
  const columns = {
    file: at('File'),
    threshold: at('Threshold'),
    score: at('Score'),
    tp: at('TP'),
    tn: at('TN'),
    fp: at('FP'),
    fn: at('FN'),
  };
  const scores: NabPublishedScore[] = [];
  for (const { line, fields } of rows) {
    const file = fields[columns.file]?.trim() ?? '';
    if (!file.includes('/')) continue; // the Totals row
    const number = (name: keyof typeof columns) => {
      const value = Number(fields[columns[name]]);
      if (!Number.isFinite(value)) throw new NabDataError(`${path}:${line}: ${name} is not a number`);
      return value;
    };
    scores.push({
      file,
      threshold: number('threshold'),
      score: number('score'),
      tp: number('tp'),
      tn: number('tn'),
      fp: number('fp'),
      fn: number('fn'),
    });
  }
  return scores;
}
