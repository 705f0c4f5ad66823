import { iso } from './time-range.ts';
import type { ToolQuery, ToolResult } from './types.ts';

/** The query part of a result for a ranged read. */
export function rangedQuery(
  tool: string,
  params: Record<string, unknown>,
  range: { startMs: number; endMs: number },
  text?: string,
): ToolQuery {
  return {
    tool,
    params,
    ...(text !== undefined ? { text } : {}),
    from: iso(range.startMs),
    to: iso(range.endMs),
  };
}

/** `success` with the data, or `no_data` when there is nothing to show (an empty answer is not an error). */
export function answer<T>(query: ToolQuery, data: T, empty: boolean, notes: string[] = []): ToolResult<T> {
  return { status: empty ? 'no_data' : 'success', data, query, ...(notes.length ? { notes } : {}) };
}

/** Notes for lines a reader skipped, so an answer says what it could not read. */
export function skipNotes(skips: { reasons: Record<string, number>; total: number }): string[] {
  if (skips.total === 0) return [];
  return [
    `${skips.total} lines or documents could not be read: ${Object.entries(skips.reasons)
      .map(([reason, n]) => `${reason} (${n})`)
      .join(', ')}`,
  ];
}

/** Keeps a list to `limit` items and says how many were left out. */
export function capped<T>(items: T[], limit: number, notes: string[], what: string): T[] {
  if (items.length <= limit) return items;
  notes.push(`${items.length - limit} more ${what} not shown (limit ${limit})`);
  return items.slice(0, limit);
}
