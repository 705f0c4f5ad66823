import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { x as extract } from 'tar';

/**
 * Public RCA case sets in the project's telemetry layout (`<case>/case.json`, `<case>/telemetry/`, answers in
 * `answers.jsonl` beside the cases), read from a directory or unpacked once from a `.tar.gz` into a cache
 * directory (never into the repository). Only the evaluation reads the answers.
 */
export interface RcaCase {
  id: string;
  dir: string;
  telemetryDir: string;
  atMs: number;
  windowMs: number;
}

export interface RcaAnswer {
  case: string;
  service: string;
  fault?: string;
  [field: string]: unknown;
}

export class RcaDataError extends Error {
  override name = 'RcaDataError';
}

const WINDOW = /^(\d+)(s|m|h)$/;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The directory holding the cases: `path` itself, or where its archive was (or is now) unpacked. */
export async function rcaRoot(
  path: string,
  cacheDir: string,
  only?: (entry: string) => boolean,
): Promise<string> {
  if (!(await exists(path))) throw new RcaDataError(`no RCA data at ${path}`);
  if ((await stat(path)).isDirectory()) return findRoot(path);
  if (!/\.tar\.gz$|\.tgz$/.test(path))
    throw new RcaDataError(`${path} is neither a directory nor a .tar.gz archive`);
  const target = join(cacheDir, basename(path).replace(/\.(tar\.gz|tgz)$/, ''));
  const marker = join(target, only ? '.partial' : '.complete');
  if (!(await exists(join(target, '.complete'))) && !(only && (await exists(marker)))) {
    await rm(target, { recursive: true, force: true });
    await mkdir(target, { recursive: true });
    try {
      await pipeline(
        createReadStream(path),
        extract({ cwd: target, strict: true, ...(only ? { filter: (entry: string) => only(entry) } : {}) }),
      );
    } catch (cause) {
      throw new RcaDataError(`cannot unpack ${path}`, { cause });
    }
    await writeFile(marker, new Date().toISOString());
  }
  return findRoot(target);
}

/** The folder that holds `answers.jsonl` (the archive may wrap the cases in one more folder). */
async function findRoot(dir: string): Promise<string> {
  if (await exists(join(dir, 'answers.jsonl'))) return dir;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && (await exists(join(dir, entry.name, 'answers.jsonl'))))
      return join(dir, entry.name);
  }
  throw new RcaDataError(`no answers.jsonl under ${dir}`);
}

export async function listRcaCases(root: string): Promise<RcaCase[]> {
  const cases: RcaCase[] = [];
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (!entry.isDirectory()) continue;
    const dir = join(root, entry.name);
    const text = await readFile(join(dir, 'case.json'), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let meta: { at?: unknown; window?: unknown };
    try {
      meta = JSON.parse(text) as typeof meta;
    } catch (cause) {
      throw new RcaDataError(`${dir}/case.json is not JSON`, { cause });
    }
    const atMs = typeof meta.at === 'string' ? Date.parse(meta.at) : Number.NaN;
    const window = WINDOW.exec(String(meta.window ?? '30m'));
    if (!Number.isFinite(atMs) || !window)
      throw new RcaDataError(`${dir}/case.json needs "at" (ISO-8601) and "window" (e.g. 30m)`);
    const windowMs = Number(window[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[window[2] as 's'];
    cases.push({ id: entry.name, dir, telemetryDir: join(dir, 'telemetry'), atMs, windowMs });
  }
  return cases;
}

/** The answers, for scoring only. */
export async function readRcaAnswers(root: string): Promise<Map<string, RcaAnswer>> {
  const answers = new Map<string, RcaAnswer>();
  const text = await readFile(join(root, 'answers.jsonl'), 'utf8');
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const answer = JSON.parse(line) as RcaAnswer;
    if (typeof answer.case !== 'string' || typeof answer.service !== 'string')
      throw new RcaDataError(`answers.jsonl: a line without "case" and "service": ${line.slice(0, 120)}`);
    answers.set(answer.case, answer);
  }
  return answers;
}
