/**
 * What a link carries: the page is the path; the time range (`range=1h` or `from`/`to`), the selected
 * objective, finding or function are query parameters, so a link pasted into an incident channel opens the
 * same view.
 */
export const RANGES = ['15m', '1h', '6h', '24h', '7d'] as const;
export type RangeKey = (typeof RANGES)[number];

const RANGE_MS: Record<RangeKey, number> = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
};

export interface TimeRange {
  /** A named range ending now, or a fixed window. */
  key: RangeKey | 'custom';
  fromMs: number;
  toMs: number;
}

export function parseRange(params: URLSearchParams, nowMs: number, fallback: RangeKey = '1h'): TimeRange {
  const from = Date.parse(params.get('from') ?? '');
  const to = Date.parse(params.get('to') ?? '');
  if (Number.isFinite(from) && Number.isFinite(to) && from < to)
    return { key: 'custom', fromMs: from, toMs: to };
  const named = params.get('range');
  const key = (RANGES as readonly string[]).includes(named ?? '') ? (named as RangeKey) : fallback;
  return { key, fromMs: nowMs - RANGE_MS[key], toMs: nowMs };
}

/**
 * Query parameters for the API, resolved when the request is made: a named range means "the last X" as of that
 * moment (a live refetch moves it along), ending a minute ahead so the minute in progress is in it.
 */
export function rangeQuery(range: TimeRange, nowMs = Date.now()): string {
  const { fromMs, toMs } =
    range.key === 'custom' ? range : { fromMs: nowMs - RANGE_MS[range.key], toMs: nowMs + 60_000 };
  return new URLSearchParams({
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
  }).toString();
}

/** Sets or clears parameters, keeping the others (range stays when a selection changes, and back). */
export function withParams(params: URLSearchParams, changes: Record<string, string | null>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === '') next.delete(key);
    else next.set(key, value);
  }
  if ('range' in changes && changes.range !== null) {
    next.delete('from');
    next.delete('to');
  }
  return next;
}
