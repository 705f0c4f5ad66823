import { classify, isSymptom } from './classify.ts';
import { servingWeight } from './serving.ts';
import { namesFault } from './vocabulary.ts';
import type { Evidence, FaultKind, Signal, SignalKind } from './types.ts';

/**
 * Turns signals into ranked components. A component's score adds up how strongly each kind of evidence
 * changed at it (the strongest signal per kind, on a log scale, so one huge count does not drown the rest),
 * then weighs where the trouble started:
 * - traces: a component where troubled traces went wrong first gains; one whose error lines sit in traces that
 *   went wrong deeper down is only suffering;
 * - the call graph: a component whose callee is at least as troubled and started no later is discounted (its
 *   symptoms are the callee's);
 * - time: among the leaders, the earliest onset gains a little.
 */
export interface RankOptions {
  weights: Record<SignalKind, number>;
  /** Score below which nothing is called a fault. */
  abstainBelow: number;
  /** How much a component keeps of its score when a callee explains it. */
  downstreamDiscount: number;
  /** Bonus factor for being where most troubled traces started. */
  originBonus: number;
}

export const DEFAULT_RANK_OPTIONS: RankOptions = {
  weights: {
    log_errors: 1,
    new_error_pattern: 1,
    missing_pattern: 0.6,
    chronic_errors: 0.6,
    log_warnings: 0.4,
    status_5xx: 1,
    status_429: 1,
    status_auth: 0.9,
    span_faults: 1.2,
    span_throttles: 1.2,
    self_latency: 1,
    call_errors: 1.2,
    call_throttles: 1.2,
    call_latency: 1,
    metric_shift: 1,
    cold_starts: 1,
    memory_pressure: 1,
    timeouts: 0.8,
    volume: 0.2,
    change: 0.3,
    finding: 1,
  },
  abstainBelow: 2.2,
  downstreamDiscount: 0.55,
  originBonus: 0.8,
};

export interface RankedComponent {
  component: string;
  score: number;
  onsetMs: number;
  fault: FaultKind;
  signals: Signal[];
  because: Signal[];
  notes: string[];
}

export interface BlameFacts {
  origins: Map<string, string[]>;
  troubledTraces: number;
  callees: Map<string, Set<string>>;
  errorTraces: Map<string, Set<string>>;
  bucketMs: number;
  atMs: number;
  windowMs: number;
}

/** Metrics that say little about the component itself: its host, its waiting on others, unknown meaning. */
const WEAK_CONCEPTS = new Set(['other', 'requests', 'host', 'client_latency', 'concurrency']);
const RESOURCE_CONCEPTS = new Set([
  'cpu',
  'memory',
  'throttle',
  'cold_start',
  'cache_hit',
  'bytes_out',
  'cost',
]);

/**
 * An alert asks about what is wrong now: a change that started long before the window's end (and has gone on
 * since without an alert) explains less than one that started just before it. Weight halves every third of
 * the window.
 */
function recency(onsetMs: number, atMs: number, windowMs: number): number {
  return 0.5 ** (Math.max(0, atMs - onsetMs) / (windowMs / 3));
}

/**
 * A new or surging warning pattern whose words name no fault (no throttling, timeout, memory or signature words:
 * `left ticket info is empty`, `no content`) is a warning, not an error: it weighs as warnings do. Callers warn
 * about what their callees return, so counting such lines as errors put the callers of a faulty service first.
 * A warning that says why (`token rejected`, `retrying throttled call`) keeps an error pattern's weight.
 */
function isBareWarning(s: Signal): boolean {
  return s.kind === 'new_error_pattern' && s.facts.level === 'warn' && !namesFault(s.facts);
}

/**
 * The strongest signal of each kind, on a log scale. Metrics count once per component (the strongest concept
 * in full, the next at a third): a host's many gauges tend to move together. A component whose only symptoms
 * are metrics keeps them in full only for resource concepts (CPU, memory, throttles, ...), half otherwise.
 */
function baseScore(signals: Signal[], options: RankOptions, atMs: number, windowMs: number): number {
  const best = new Map<string, number>();
  const metrics = new Map<string, number>();
  const confirmed = new Set<string>();
  let otherSymptoms = false;
  for (const s of signals) {
    const value = Math.log1p(s.strength) * recency(s.onsetMs, atMs, windowMs);
    if (s.kind === 'metric_shift') {
      const concept = String(s.facts.concept);
      // A resource metric that the anomaly detector confirms is a fault on its own (a cache-hit rate collapsing,
      // throttles appearing); other meaningful metrics corroborate; load and host metrics barely count.
      if (Number(s.facts.detectorScore) >= 0.5) confirmed.add(concept);
      const resource = RESOURCE_CONCEPTS.has(concept) && Number(s.facts.detectorScore) >= 0.5;
      const weight = options.weights.metric_shift * (WEAK_CONCEPTS.has(concept) ? 0.3 : resource ? 1.5 : 1);
      metrics.set(concept, Math.max(metrics.get(concept) ?? 0, weight * value));
      continue;
    }
    if (isSymptom(s)) otherSymptoms = true;
    const weight =
      (isBareWarning(s) ? options.weights.log_warnings : options.weights[s.kind]) *
      (s.kind === 'missing_pattern' ? servingWeight(s.facts) : 1);
    best.set(s.kind, Math.max(best.get(s.kind) ?? 0, weight * value));
  }
  const ordered = [...metrics].sort((a, b) => b[1] - a[1]);
  let metricPart = (ordered[0]?.[1] ?? 0) + 0.3 * (ordered[1]?.[1] ?? 0);
  // An error rate the detector confirms is a failure whoever reports it (a CDN's 5xx rate is all its operators
  // see of its origin); other metrics alone only suggest one.
  const lead = ordered[0]?.[0];
  const failing = lead === 'errors' && confirmed.has(lead);
  if (!otherSymptoms && lead && !RESOURCE_CONCEPTS.has(lead) && !failing) metricPart *= 0.5;
  return [...best.values()].reduce((a, b) => a + b, 0) + metricPart;
}

export function rankComponents(
  signals: Signal[],
  blame: BlameFacts,
  options = DEFAULT_RANK_OPTIONS,
): RankedComponent[] {
  const byComponent = new Map<string, Signal[]>();
  for (const s of signals) {
    const list = byComponent.get(s.component) ?? [];
    list.push(s);
    byComponent.set(s.component, list);
  }
  const ranked: RankedComponent[] = [];
  const estateChanges = signals.filter((s) => s.kind === 'change');
  for (const [component, list] of byComponent) {
    // Context alone (a deploy, more traffic, a finding) is not a fault; symptoms are.
    const symptoms = list.filter(
      (s) => isSymptom(s) || (s.kind === 'metric_shift' && !WEAK_CONCEPTS.has(String(s.facts.concept))),
    );
    if (symptoms.length === 0) continue;
    const onsetMs = Math.min(...symptoms.map((s) => s.onsetMs));
    const { fault, because } = classify(list, onsetMs, blame.bucketMs, estateChanges);
    // A component whose own lines say why (a signature that does not verify, memory exhausted) is where the
    // decision was made; one that only reports the resulting status passes it on.
    const explains = list.some(
      (s) => Number(s.facts.signatureWords ?? 0) >= 0.3 || Number(s.facts.memoryWords ?? 0) >= 0.3,
    );
    ranked.push({
      component,
      score: baseScore(list, options, blame.atMs, blame.windowMs) * (explains ? 1.3 : 1),
      onsetMs,
      fault,
      signals: list,
      because,
      notes: [],
    });
  }

  // Traces: where did troubled traces go wrong first?
  if (blame.troubledTraces > 0) {
    for (const r of ranked) {
      const share = (blame.origins.get(r.component)?.length ?? 0) / blame.troubledTraces;
      if (share > 0) {
        r.score *= 1 + options.originBonus * share;
        r.notes.push(`${Math.round(100 * share)} % of troubled traces went wrong first at it`);
      }
    }
  }
  // Error lines in traces that went wrong elsewhere first are someone else's trouble.
  const originOf = new Map<string, string>();
  for (const [component, ids] of blame.origins) for (const id of ids) originOf.set(id, component);
  for (const r of ranked) {
    const traces = [...(blame.errorTraces.get(r.component) ?? [])];
    const known = traces.filter((id) => originOf.has(id));
    if (known.length < 3) continue;
    const elsewhere = known.filter((id) => originOf.get(id) !== r.component);
    const counts = new Map<string, number>();
    for (const id of elsewhere) counts.set(originOf.get(id)!, (counts.get(originOf.get(id)!) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1])[0];
    if (top && elsewhere.length / known.length >= 0.6) {
      r.score *= options.downstreamDiscount;
      r.notes.push(`its errors sit in traces that went wrong first at ${top[0]}`);
    }
  }
  // Errors a caller prints that name one of its callees (it could not reach it, the callee failed) point at
  // that callee: when the callee, or one of the components it calls, is troubled too (as the call-graph rule
  // below asks), the caller passes the failure on.
  const scoreOf = new Map(ranked.map((r) => [r.component, r.score]));
  const namedCallees = ranked.flatMap((r) => {
    const named = r.signals.find(
      (s) => typeof s.facts.names === 'string' && Number(s.facts.namesShare) >= 0.6,
    );
    const callee = named ? String(named.facts.names) : undefined;
    // The name may be a callee's callee (a wrapped error names the deepest failure); with no traces of the
    // caller's calls at all, the line's word is all there is.
    const calls = blame.callees.get(r.component);
    if (!callee || (calls && !reaches(r.component, callee, blame.callees))) return [];
    const below = worstBelow(callee, blame.callees, scoreOf, r.component);
    return below && below.score >= 0.6 * r.score ? [{ r, callee, below: below.component }] : [];
  });
  for (const { r, callee, below } of namedCallees) {
    r.score *= options.downstreamDiscount;
    r.notes.push(
      `its error lines name its callee ${callee}${below !== callee ? `, which calls the troubled ${below}` : ''}`,
    );
  }
  // Refusals one component reports and another's own lines explain (a signature that does not verify) were
  // decided by the explainer: the reporter passes them on.
  const says = (r: RankedComponent) => r.signals.some((s) => Number(s.facts.signatureWords ?? 0) >= 0.3);
  const explainers = ranked.filter(says);
  for (const r of ranked) {
    if (says(r) || !r.signals.some((s) => s.kind === 'status_auth')) continue;
    const by = explainers.find((e) => Math.abs(e.onsetMs - r.onsetMs) <= 2 * blame.bucketMs);
    if (!by) continue;
    r.score *= options.downstreamDiscount;
    r.notes.push(`its refusals are explained by ${by.component}'s own lines`);
  }
  // Call graph: a caller whose callee is as troubled and no later is suffering downstream.
  const byName = new Map(ranked.map((r) => [r.component, r]));
  const explained = new Set<string>();
  for (const r of [...ranked].sort((a, b) => b.score - a.score)) {
    for (const callee of blame.callees.get(r.component) ?? []) {
      const c = byName.get(callee);
      if (!c || c === r || explained.has(callee)) continue;
      if (c.score >= 0.6 * r.score && c.onsetMs <= r.onsetMs + blame.bucketMs) {
        r.score *= options.downstreamDiscount;
        r.notes.push(
          `its callee ${callee} went wrong ${c.onsetMs < r.onsetMs ? 'earlier' : 'at the same time'}`,
        );
        explained.add(r.component);
        break;
      }
    }
  }
  ranked.sort((a, b) => b.score - a.score || a.onsetMs - b.onsetMs || a.component.localeCompare(b.component));
  // Time: the earliest onset among close leaders gains a little.
  const leaders = ranked.filter((r) => r.score >= 0.7 * (ranked[0]?.score ?? 0));
  if (leaders.length > 1) {
    const earliest = leaders.reduce((a, b) => (b.onsetMs < a.onsetMs ? b : a));
    if (leaders.some((l) => l.onsetMs > earliest.onsetMs + blame.bucketMs)) {
      earliest.score *= 1.15;
      earliest.notes.push('its trouble started before the others');
      ranked.sort(
        (a, b) => b.score - a.score || a.onsetMs - b.onsetMs || a.component.localeCompare(b.component),
      );
    }
  }
  return ranked;
}

/**
 * The components `start` leads to within four hops of calls, each once, in breadth-first order (so the nearer
 * comes first), those in `seen` left out.
 */
function downstream(start: Iterable<string>, callees: Map<string, Set<string>>, seen: Set<string>): string[] {
  const reached: string[] = [];
  let frontier = [...start];
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const c of frontier) {
      if (seen.has(c)) continue;
      seen.add(c);
      reached.push(c);
      next.push(...(callees.get(c) ?? []));
    }
    frontier = next;
  }
  return reached;
}

/** Whether `to` is among the components `from` calls, directly or a few hops down. */
function reaches(from: string, to: string, callees: Map<string, Set<string>>): boolean {
  return downstream(callees.get(from) ?? [], callees, new Set([from])).includes(to);
}

/** The most troubled component among a callee and what it calls (a few hops down), the caller left out. */
function worstBelow(
  callee: string,
  callees: Map<string, Set<string>>,
  scoreOf: Map<string, number>,
  caller: string,
): { component: string; score: number } | undefined {
  let worst: { component: string; score: number } | undefined;
  for (const c of downstream([callee], callees, new Set([caller]))) {
    const score = scoreOf.get(c) ?? 0;
    if (score > (worst?.score ?? 0)) worst = { component: c, score };
  }
  return worst;
}

/** The evidence a hypothesis shows: the naming signals first, then the rest, a few items each. */
export function evidenceOf(r: RankedComponent, limit = 12): Evidence[] {
  const ordered = [...new Set([...r.because, ...[...r.signals].sort((a, b) => b.strength - a.strength)])];
  const out: Evidence[] = [];
  const seen = new Set<string>();
  for (let round = 0; round < 4 && out.length < limit; round++) {
    for (const s of ordered) {
      const item = s.evidence[round];
      if (!item) continue;
      const key = JSON.stringify(item.ref);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item);
      if (out.length >= limit) break;
    }
  }
  return out;
}
