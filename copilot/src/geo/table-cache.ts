/**
 * Parsed IPv4 range tables kept on disk as their typed arrays, so that a start reads ~9 MB of numbers instead
 * of parsing the 21 MB ASN CSV and the country file again: about 0.1 s of every `boundless detect` (a quarter of
 * its start-up on a small file). The cache sits in the `node_modules/.cache/boundless/geo` above the packages
 * the tables come from, and is keyed by the source file's path, size and modification time, so an updated
 * package is parsed afresh. A missing, stale or damaged cache file is parsed around and rewritten; a cache that
 * cannot be written (a read-only install) only costs the parse.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** Sorted, non-overlapping IPv4 ranges with a value each. */
export interface Ranges4 {
  starts: Uint32Array;
  ends: Uint32Array;
  values: Uint32Array;
}

/** Ranges whose values may index `labels` (country codes); ASN tables have none. */
export interface LabelledRanges {
  ranges: Ranges4;
  labels: string[];
}

/** "BGEO" read as a little-endian u32: a file written on a machine of the other byte order fails the check. */
const MAGIC = 0x4f454742;
/** Bump when the layout or a parser's meaning changes: older files are then ignored. */
const FORMAT = 1;
const HEADER_WORDS = 4;

/**
 * The cache folder for tables shipped in the package at `packageDir`: `.cache/boundless/geo` in the nearest
 * `node_modules` above it, or undefined when there is none.
 */
export function geoCacheDirFor(packageDir: string): string | undefined {
  for (let dir = packageDir; ; dir = dirname(dir)) {
    if (basename(dir) === 'node_modules') return join(dir, '.cache', 'boundless', 'geo');
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The table made from `sources` (a file, or the files a derived table is made from), from the cache in
 * `cacheDir` when it was made from these versions of them. The cache file is named after `name`, by default
 * the first source's name.
 */
export function cachedTable(
  sources: string | readonly string[],
  cacheDir: string | undefined,
  parse: () => LabelledRanges,
  name?: string,
): LabelledRanges {
  if (cacheDir === undefined) return parse();
  const files = typeof sources === 'string' ? [sources] : sources;
  const versions = files.map((file) => {
    const { size, mtimeMs } = statSync(file);
    return `${file}\0${size}\0${mtimeMs}`;
  });
  const key = createHash('sha256')
    .update(`${FORMAT}\0${versions.join('\0')}`)
    .digest('hex');
  const stem = name ?? basename(files[0]!);
  const path = join(cacheDir, `${stem}.${key.slice(0, 16)}.ranges`);
  const cached = readTable(path);
  if (cached !== undefined) return cached;
  const table = parse();
  if (writeTable(path, table)) removeOtherVersions(path, stem);
  return table;
}

/** Cache files of earlier versions of the same source (an updated package) are not read again. */
function removeOtherVersions(keep: string, sourceName: string): void {
  const dir = dirname(keep);
  for (const name of readdirSync(dir)) {
    if (name.startsWith(`${sourceName}.`) && name.endsWith('.ranges') && join(dir, name) !== keep) {
      removeQuietly(join(dir, name));
    }
  }
}

/** The table in the file at `path`, or undefined when it is missing or not a whole table of this format. */
export function readTable(path: string): LabelledRanges | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  if (bytes.length < HEADER_WORDS * 4 || bytes.byteOffset % 4 !== 0) return undefined;
  const header = new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_WORDS);
  const [magic, format, count, labelBytes] = header as unknown as [number, number, number, number];
  const labelsEnd = HEADER_WORDS * 4 + padded(labelBytes);
  if (magic !== MAGIC || format !== FORMAT || bytes.length !== labelsEnd + 12 * count) return undefined;
  let labels: unknown;
  try {
    labels = JSON.parse(bytes.toString('utf8', HEADER_WORDS * 4, HEADER_WORDS * 4 + labelBytes));
  } catch {
    return undefined;
  }
  if (!Array.isArray(labels) || !labels.every((label) => typeof label === 'string')) return undefined;
  const column = (k: number) =>
    new Uint32Array(bytes.buffer, bytes.byteOffset + labelsEnd + 4 * count * k, count);
  return { ranges: { starts: column(0), ends: column(1), values: column(2) }, labels };
}

/**
 * Writes the table whole or not at all (a temporary file renamed into place); false when it could not, which
 * callers ignore.
 */
export function writeTable(path: string, { ranges, labels }: LabelledRanges): boolean {
  const json = Buffer.from(JSON.stringify(labels), 'utf8');
  const count = ranges.starts.length;
  const header = new Uint32Array([MAGIC, FORMAT, count, json.length]);
  const padding = Buffer.alloc(padded(json.length) - json.length);
  const parts = [header, json, padding, ranges.starts, ranges.ends, ranges.values];
  const temporary = `${path}.${process.pid}.${threadId}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      temporary,
      Buffer.concat(parts.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength))),
    );
    renameSync(temporary, path);
    return true;
  } catch {
    // A cache that cannot be written costs only the parse.
    removeQuietly(temporary);
    return false;
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Left behind: never read (not a whole table, or not this version's name).
  }
}

function padded(bytes: number): number {
  return (bytes + 3) & ~3;
}
