import type { LogRecord } from '../telemetry/types.ts';
import { pickEvidence } from './log-evidence.ts';
import type { Signal } from './types.ts';
import { vocabularyFacts, wordsOf } from './vocabulary.ts';

/**
 * Which other component a component's error lines name most ("No instances available for X", "call to X
 * failed: 503", "X timed out"), and on what share of them, reading the line's message and what its error or
 * exception says. A caller's errors that name a callee point at it: the ranking treats the reporter as passing
 * the callee's failure on. Names shorter than four characters are ignored (they match words by chance); a name
 * inside a longer one found on the same line is the longer one's (the most specific); of several, a line names
 * the last (wrapped errors read outside in: `call to A failed: call to B failed: timed out` failed at B).
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
    const text = wordsOf(records[i]!);
    lines++;
    const found = candidates.filter((n) => text.includes(n));
    let best: string | undefined;
    let bestAt = -1;
    for (const n of found) {
      if (found.some((m) => m !== n && m.includes(n))) continue;
      const at = text.lastIndexOf(n);
      if (at > bestAt) {
        best = n;
        bestAt = at;
      }
    }
    if (best) counts.set(best, (counts.get(best) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return top ? { name: top[0], share: top[1] / lines, lines } : undefined;
}

/**
 * A dependency with no log lines of its own (a database, a partner API) is seen failing only in its callers'
 * reports: when most of a caller's new error lines name it, that is a failing call to it, as a trace's flagged
 * subsegment would show (the traces may have no status, or there may be no traces at all). The ranking then
 * treats the caller as passing the failure on, as it does for a flagged call.
 */
export function reportedFailure(
  caller: string,
  named: NamedComponent,
  mine: Signal[],
  records: LogRecord[],
  since: number,
  hasOwnLines: (component: string) => boolean,
): Signal | undefined {
  if (named.share < 0.6 || hasOwnLines(named.name)) return undefined;
  const lines = records.filter(
    (r) => r.level === 'error' && r.timestampMs >= since && wordsOf(r).includes(named.name),
  );
  if (lines.length < 3) return undefined;
  const strongest = mine.reduce((a, b) => (b.strength > a.strength ? b : a));
  return {
    component: named.name,
    kind: 'call_errors',
    strength: strongest.strength * named.share,
    onsetMs: strongest.onsetMs,
    facts: { reportedBy: caller, count: lines.length, share: named.share, ...vocabularyFacts(lines) },
    detail: `${lines.length} of ${caller}'s error lines name it (${Math.round(100 * named.share)} % of its errors since its onset)`,
    evidence: pickEvidence(lines),
  };
}
