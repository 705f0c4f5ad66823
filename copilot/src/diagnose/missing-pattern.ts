import type { LogRecord } from '../telemetry/types.ts';
import { scanRateIncrease } from './change-scan.ts';
import { logEvidence } from './log-evidence.ts';
import { type ServingIndex, servingEvidence, servingOf } from './serving.ts';
import { templateOf } from './templates.ts';
import type { Timeline } from './timeline.ts';
import type { Signal } from './types.ts';

/** The minimum scan statistic worth a signal (as for the other log signals). */
const MIN_LLR = 4;

/**
 * A pattern a component printed regularly that stopped (a code path no longer reached, or left early), against
 * the component's own log volume; with whether the component went on serving the requests that printed it.
 */
export function missingPattern(
  t: { component: string; counts: number[]; records: LogRecord[] },
  volume: number[],
  timeline: Timeline,
  serving: ServingIndex | undefined,
): Signal | undefined {
  if (t.records.length < 5) return undefined;
  const split = scanRateIncrease(
    t.counts,
    volume.map((v) => v + 0.5),
    3,
    3,
    -1,
  );
  if (!split || split.llr < MIN_LLR || split.after > 0.25 * split.before) return undefined;
  const since = timeline.timeOf(split.index);
  const last = t.records.filter((r) => r.timestampMs < since).slice(-2);
  if (last.length === 0) return undefined;
  // Did the component go on serving the requests that printed it? Then its own behaviour changed; if not, it
  // was simply no longer called.
  const served = serving
    ? servingOf(serving, t.component, t.records, since, { startMs: timeline.startMs, endMs: timeline.endMs })
    : undefined;
  const servedNote = served
    ? served.countAfter === 0
      ? ', and its handler was no longer called'
      : `, while it went on serving ${served.countAfter} such requests`
    : '';
  const stillServed = served ? servingEvidence(t.component, served) : undefined;
  return {
    component: t.component,
    kind: 'missing_pattern',
    strength: split.llr,
    onsetMs: since,
    facts: {
      before: split.before,
      after: split.after,
      count: t.records.length,
      level: t.records[0]!.level ?? 'info',
      ...(served
        ? {
            servedRatio: served.rateAfter / Math.max(served.rateBefore, 1e-9),
            servedAfter: served.countAfter,
          }
        : {}),
    },
    detail: `stopped printing "${templateOf(last[0]!.text).slice(0, 80)}" (${t.records.length - t.records.filter((r) => r.timestampMs >= since).length} lines before, last at ${new Date(last.at(-1)!.timestampMs).toISOString().slice(11, 19)}Z${servedNote})`,
    evidence: [...last.map(logEvidence), ...(stillServed ? [stillServed] : [])],
  };
}
