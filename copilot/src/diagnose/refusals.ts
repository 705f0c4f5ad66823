import { entryOf } from '../telemetry/collections.ts';
import type { LogRecord } from '../telemetry/types.ts';
import { scanShareIncrease } from './change-scan.ts';
import type { Timeline } from './timeline.ts';
import type { Signal } from './types.ts';
import { clientOf } from './clients.ts';
import { REFUSAL, SIGNATURE_FAILURE } from './vocabulary.ts';

/**
 * Refusals judged by who receives them. A component that starts refusing requests (401, 403, 429) is at fault
 * when its ordinary clients are refused more than before (a key that no longer verifies, a rule that blocks
 * everyone); when nearly all the new refusals go to a few clients and everyone else is refused no more often
 * than before, it is the system doing its job: a blocked address, a revoked or re-authenticated token, a rate
 * limit on a scraper. Those refusals, and the lines other components print about them at the same time (the
 * function that refused the token), are set aside and reported as what they are.
 */
export interface TargetedRefusals {
  component: string;
  /** The few clients that received the refusals. */
  clients: string[];
  onsetMs: number;
  /** Refusals after the onset, and the share of them the few clients received. */
  refused: number;
  coverage: number;
  /** The other clients' refusal share before and after the onset. */
  ordinaryBefore: number;
  ordinaryAfter: number;
  ordinaryClients: number;
  /** Log events of the refusals, for the report to cite. */
  events: LogRecord[];
  /** Every request line of the component, for judging its other figures by client too. */
  records: LogRecord[];
}

const MIN_LLR = 4;
/** At most this many clients count as "a few" (as for a surge made by a few clients). */
const FEW = 3;

const isRefusal = (status: number | undefined) => status === 401 || status === 403 || status === 429;

export function targetedRefusals(
  logs: readonly LogRecord[],
  componentOf: (r: LogRecord) => string,
  timeline: Timeline,
): TargetedRefusals[] {
  const byComponent = new Map<string, { refused: number[]; requests: number[]; records: LogRecord[] }>();
  for (const r of logs) {
    if (r.kind === 'emf' || r.status === undefined) continue;
    const s = entryOf(byComponent, componentOf(r), () => ({
      refused: timeline.zeros(),
      requests: timeline.zeros(),
      records: [] as LogRecord[],
    }));
    const i = timeline.index(r.timestampMs);
    s.requests[i]! += 1;
    if (isRefusal(r.status)) s.refused[i]! += 1;
    s.records.push(r);
  }
  const out: TargetedRefusals[] = [];
  for (const [component, s] of byComponent) {
    const split = scanShareIncrease(s.refused, s.requests);
    if (!split || split.llr < MIN_LLR) continue;
    const onsetMs = timeline.timeOf(split.index);
    const judged = judge(
      s.records.filter((r) => r.timestampMs >= onsetMs),
      s.records.filter((r) => r.timestampMs < onsetMs),
    );
    if (judged) out.push({ component, onsetMs, ...judged, records: s.records });
  }
  return out;
}

function judge(after: LogRecord[], before: LogRecord[]) {
  const refusedBy = new Map<string, number>();
  let refused = 0;
  for (const r of after) {
    const client = clientOf(r);
    if (!client || !isRefusal(r.status)) continue;
    refused += 1;
    refusedBy.set(client, (refusedBy.get(client) ?? 0) + 1);
  }
  if (refused < 5) return undefined;
  const top = [...refusedBy].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const clients: string[] = [];
  let covered = 0;
  for (const [client, n] of top) {
    if (covered >= 0.8 * refused) break;
    clients.push(client);
    covered += n;
  }
  if (clients.length > FEW || covered < 0.8 * refused) return undefined;
  const share = (records: LogRecord[]) => {
    let n = 0;
    let bad = 0;
    const seen = new Set<string>();
    for (const r of records) {
      const client = clientOf(r);
      if (!client || clients.includes(client)) continue;
      seen.add(client);
      n += 1;
      if (isRefusal(r.status)) bad += 1;
    }
    return { n, share: n === 0 ? 0 : bad / n, clients: seen.size };
  };
  const ordinary = share(after);
  const earlier = share(before);
  // Enough other clients to judge by (more of them than the refused few), refused no more often than before.
  if (ordinary.n < 10 || ordinary.clients <= clients.length) return undefined;
  if (ordinary.share > 1.5 * earlier.share + 0.02) return undefined;
  return {
    clients,
    refused,
    coverage: covered / refused,
    ordinaryBefore: earlier.share,
    ordinaryAfter: ordinary.share,
    ordinaryClients: ordinary.clients,
    events: after.filter((r) => isRefusal(r.status) && clients.includes(clientOf(r) ?? '')),
  };
}

/**
 * Lines about refusals (refused, denied, forbidden, blocked) that other components print while a component's
 * refusals go to a few clients, no more of them than those refusals, saying nothing of a signature: the same
 * refusals told by the part that decided them. Lines that say a signature or key failed are kept.
 */
export function refusalLinesToSetAside(
  logs: readonly LogRecord[],
  componentOf: (r: LogRecord) => string,
  targeted: readonly TargetedRefusals[],
  bucketMs: number,
): Set<LogRecord> {
  const aside = new Set<LogRecord>();
  if (targeted.length === 0) return aside;
  const from = Math.min(...targeted.map((t) => t.onsetMs)) - 2 * bucketMs;
  const reporters = new Set(targeted.map((t) => t.component));
  const refusedTotal = targeted.reduce((n, t) => n + t.refused, 0);
  const lines = logs.filter(
    (r) =>
      r.kind !== 'emf' &&
      r.status === undefined &&
      r.timestampMs >= from &&
      (r.level === 'warn' || r.level === 'error') &&
      REFUSAL.test(r.text) &&
      !SIGNATURE_FAILURE.test(r.text) &&
      !reporters.has(componentOf(r)),
  );
  if (lines.length > 1.5 * refusedTotal + 3) return aside;
  for (const r of lines) aside.add(r);
  return aside;
}

/**
 * Error-rate metrics of a component whose refusals went to a few clients, moving with them: the refusals are
 * what they count (4xx, total error rate). Kept when the component's own request lines show server errors too.
 */
export function setAsideRefusalMetrics(
  metrics: readonly Signal[],
  logSignals: readonly Signal[],
  targeted: readonly TargetedRefusals[],
): Signal[] {
  return metrics.filter((m) => {
    const t = targeted.find((x) => x.component === m.component);
    if (m.kind === 'metric_shift' && m.facts.concept === 'cache_hit' && t)
      return !ordinaryHitsHeld(t, m.onsetMs);
    if (m.kind !== 'metric_shift' || m.facts.concept !== 'errors') return true;
    if (!t || m.onsetMs < t.onsetMs - 2 * 60_000) return true;
    return logSignals.some((s) => s.component === m.component && s.kind === 'status_5xx');
  });
}

/** What the report says of refusals set aside, citing the first of them. */
export function refusalNotes(targeted: readonly TargetedRefusals[]): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  return targeted.map((t) => {
    const first = t.events[0];
    const cite = first ? `; first: ${first.group} ${first.id}` : '';
    return (
      `not a fault: ${t.component} refused ${t.refused} requests since ${new Date(t.onsetMs).toISOString().slice(11, 19)}Z, ` +
      `${pct(t.coverage)} of them to ${t.clients.length} client${t.clients.length > 1 ? 's' : ''} (${t.clients.join(', ')}), ` +
      `while its ${t.ordinaryClients} other clients were refused ${pct(t.ordinaryBefore)} → ${pct(t.ordinaryAfter)} of the time: ` +
      `those clients are being turned away (a block, a rate limit, a revoked or re-authenticated token)${cite}`
    );
  });
}

/** A request line's cache result (CloudFront's `x-edge-result-type`, a proxy's `cache_result`, ...). */
const CACHE_RESULT = /"[\w-]*result[\w-]*"\s*:\s*"(\w+)"/i;

/**
 * A hit rate that fell while a few clients were being turned away: the clients the component served as before
 * still find their copies cached (a scraper walking the catalogue misses, and is refused), so the cache is not
 * what changed. Judged on the request lines' own hit or miss results, when they give them.
 */
function ordinaryHitsHeld(t: TargetedRefusals, onsetMs: number): boolean {
  const tally = { before: [0, 0], after: [0, 0] };
  for (const r of t.records) {
    const client = clientOf(r);
    const result = CACHE_RESULT.exec(r.message)?.[1]?.toLowerCase();
    if (!client || t.clients.includes(client) || !result || isRefusal(r.status)) continue;
    const hit = result.endsWith('hit');
    if (!hit && result !== 'miss') continue;
    const side = r.timestampMs >= onsetMs ? tally.after : tally.before;
    side[0]! += hit ? 1 : 0;
    side[1]! += 1;
  }
  const [hitsBefore = 0, before = 0] = tally.before;
  const [hitsAfter = 0, after = 0] = tally.after;
  if (before < 10 || after < 10) return false;
  return hitsAfter / after >= hitsBefore / before - 0.1;
}
