import { createHash } from 'node:crypto';
import { normaliseArgs } from './loop-guard.ts';
import type { ToolResult } from './tools.ts';

/**
 * Tool results cached per incident, so a question asked again (by the model or by a colleague) costs neither
 * a query nor tokens. Keys use the loop guard's normalised arguments: `limit: "20"` and `limit: 20` are one key.
 */
export interface ToolResultCache {
  get(key: string): Promise<ToolResult | undefined>;
  put(key: string, result: ToolResult): Promise<void>;
}

export function toolCacheKey(tool: string, args: unknown): string {
  const canonical = JSON.stringify([tool, [...normaliseArgs(args)].sort(([a], [b]) => a.localeCompare(b))]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/**
 * Whether a cached result still answers: a query over a closed range (ending a minute or more before it was
 * stored) never changes; one reaching up to "now" is reused for `openRangeTtlMs` only.
 */
export function isFresh(
  result: ToolResult,
  storedAtMs: number,
  nowMs: number,
  openRangeTtlMs = 60_000,
): boolean {
  const to = result.query.to ? Date.parse(result.query.to) : Number.NaN;
  if (Number.isFinite(to) && to <= storedAtMs - 60_000) return true;
  return nowMs - storedAtMs <= openRangeTtlMs;
}

/** An in-memory cache (tests, one-shot runs). */
export class MemoryToolCache implements ToolResultCache {
  private readonly entries = new Map<string, ToolResult>();

  async get(key: string): Promise<ToolResult | undefined> {
    return this.entries.get(key);
  }

  async put(key: string, result: ToolResult): Promise<void> {
    this.entries.set(key, result);
  }
}
