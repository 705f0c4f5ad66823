import type { LogRecord } from '../telemetry/types.ts';

/**
 * Which other component a component's error lines name most ("No instances available for X", "call to X
 * failed: 503", "X timed out"), and on what share of them. A caller's errors that name a callee point at it:
 * the ranking treats the reporter as passing the callee's failure on. Names shorter than four characters are
 * ignored (they match words by chance); a line naming several takes the longest (the most specific).
 */
export interface NamedComponent {
  name: string;
  share: number;
  lines: number;
}

const MAX_LINES = 400;

export function namedComponent(
  records: readonly LogRecord[],
  names: readonly string[],
  self: string,
): NamedComponent | undefined {
  const candidates = names.filter((n) => n.length >= 4 && n !== self && !self.includes(n));
  if (candidates.length === 0 || records.length === 0) return undefined;
  const step = Math.max(1, Math.ceil(records.length / MAX_LINES));
  const counts = new Map<string, number>();
  let lines = 0;
  for (let i = 0; i < records.length; i += step) {
    const text = records[i]!.text;
    lines++;
    let best: string | undefined;
    for (const n of candidates) if (text.includes(n) && (!best || n.length > best.length)) best = n;
    if (best) counts.set(best, (counts.get(best) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return top ? { name: top[0], share: top[1] / lines, lines } : undefined;
}
