import { z } from 'zod';

/**
 * The time range every reading tool takes: either `last` ("30m", "2h", "1d") ending now, or an explicit
 * `from`/`to` in ISO-8601 (either may be omitted: `to` defaults to now, `from` to one hour before `to`).
 */
export const timeRangeInput = {
  from: z.string().optional().describe('ISO-8601 start of the range (default: one hour before `to`)'),
  to: z.string().optional().describe('ISO-8601 end of the range (default: now)'),
  last: z
    .string()
    .regex(/^\d+(s|m|h|d)$/, 'use a duration such as "15m", "2h" or "1d"')
    .optional()
    .describe('a duration ending now, instead of from/to: "15m", "2h", "1d"'),
};

export interface TimeRangeInput {
  from?: string;
  to?: string;
  last?: string;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDurationMs(text: string): number | undefined {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export type ResolvedRange = { startMs: number; endMs: number } | { invalid: string };

export function resolveTimeRange(
  input: TimeRangeInput,
  nowMs: number,
  defaultSpanMs = 3_600_000,
): ResolvedRange {
  const parse = (text: string | undefined, name: string): number | string | undefined => {
    if (text === undefined) return undefined;
    const ms = Date.parse(text);
    return Number.isFinite(ms) ? ms : `${name} "${text}" is not an ISO-8601 time`;
  };
  if (input.last !== undefined) {
    if (input.from !== undefined || input.to !== undefined)
      return { invalid: 'give either `last` or `from`/`to`, not both' };
    const span = parseDurationMs(input.last);
    if (span === undefined) return { invalid: `last "${input.last}" is not a duration such as "30m"` };
    return { startMs: nowMs - span, endMs: nowMs };
  }
  const to = parse(input.to, 'to');
  const from = parse(input.from, 'from');
  if (typeof to === 'string') return { invalid: to };
  if (typeof from === 'string') return { invalid: from };
  const endMs = to ?? nowMs;
  const startMs = from ?? endMs - defaultSpanMs;
  if (startMs > endMs) return { invalid: '`from` is after `to`' };
  return { startMs, endMs };
}

export const iso = (ms: number) => new Date(ms).toISOString();
