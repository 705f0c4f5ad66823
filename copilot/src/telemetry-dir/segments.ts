import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The telemetry directory's X-Ray segments (DESIGN.md 4.4): `xray/<YYYY-MM-DD>.jsonl`, one segment document per
 * line (full segments and independently sent subsegments alike), by UTC day of the segment's start.
 */
export interface SegmentDocument {
  id: string;
  trace_id: string;
  name?: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  type?: 'subsegment';
  parent_id?: string;
  [field: string]: unknown;
}

export interface SegmentQuery {
  traceId?: string;
  /** Unix milliseconds, compared with the segment's start_time. */
  startMs?: number;
  endMs?: number;
}

/** The UTC day (`YYYY-MM-DD`) of a segment time in unix seconds: the name of its file. */
export function segmentDay(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/**
 * Reads stored documents; for a segment sent more than once (in progress, then complete) the last one wins.
 * Lines that are not segment documents are skipped and reported to `onSkip`.
 */
export async function querySegments(
  dir: string,
  query: SegmentQuery,
  onSkip?: (reason: string) => void,
): Promise<SegmentDocument[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) =>
    /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(f),
  );
  const first = query.startMs === undefined ? '' : segmentDay(query.startMs / 1000);
  const last = query.endMs === undefined ? '9999' : segmentDay(query.endMs / 1000);
  const latest = new Map<string, SegmentDocument>();
  for (const file of files.sort()) {
    const day = file.slice(0, 10);
    if (day < first || day > last) continue;
    for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
      if (line === '') continue;
      const document = parseStored(line);
      if (typeof document === 'string') onSkip?.(document);
      else if (matches(document, query)) latest.set(document.id, document);
    }
  }
  return [...latest.values()].sort((a, b) => a.start_time - b.start_time);
}

/** The document a line holds, or why it holds none. */
function parseStored(line: string): SegmentDocument | string {
  let document: Partial<SegmentDocument> | null;
  try {
    document = JSON.parse(line) as Partial<SegmentDocument> | null;
  } catch {
    return 'xray: line is not JSON';
  }
  if (typeof document !== 'object' || document === null) return 'xray: document is not an object';
  if (typeof document.trace_id !== 'string') return 'xray: document without trace_id';
  if (
    typeof document.id !== 'string' ||
    typeof document.start_time !== 'number' ||
    !Number.isFinite(document.start_time)
  )
    return 'xray: document without id or start_time';
  return document as SegmentDocument;
}

function matches(document: SegmentDocument, query: SegmentQuery): boolean {
  if (query.traceId !== undefined && document.trace_id !== query.traceId) return false;
  const startMs = document.start_time * 1000;
  if (query.startMs !== undefined && startMs < query.startMs) return false;
  if (query.endMs !== undefined && startMs > query.endMs) return false;
  return true;
}
