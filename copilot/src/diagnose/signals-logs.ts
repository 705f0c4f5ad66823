import { clientConcentration } from './clients.ts';
import { entryOf } from '../telemetry/collections.ts';
import type { ComponentIndex } from '../telemetry/components.ts';
import type { LogRecord } from '../telemetry/types.ts';
import { scanRateIncrease, scanShareIncrease, type Split } from './change-scan.ts';
import { namedComponent, reportedFailure } from './named.ts';
import { pickEvidence } from './log-evidence.ts';
import { refusalLinesToSetAside, type TargetedRefusals, targetedRefusals } from './refusals.ts';
import { missingPattern } from './missing-pattern.ts';
import { type ServingIndex, servingWeight } from './serving.ts';
import { templateOf } from './templates.ts';
import { Timeline } from './timeline.ts';
import type { Signal, SignalKind } from './types.ts';
import { vocabularyFacts } from './vocabulary.ts';

/**
 * What the logs say changed, per component: the share of error (and warning) lines, error patterns that are
 * new or suddenly frequent, HTTP statuses in request lines (5xx, 429, 401/403), and Lambda's platform reports
 * (cold starts, timeouts, memory). Each is a scan of the window against its own earlier part.
 */
export interface LogFacts {
  signals: Signal[];
  /** Trace ids of error lines after each component's onset, for following errors through traces. */
  errorTraces: Map<string, Set<string>>;
  timeline?: Timeline;
  /** Refusals that went to a few clients while the others were served as before: set aside, reported. */
  targeted: TargetedRefusals[];
}

const ERROR_LINE_KINDS = new Set<SignalKind>(['log_errors', 'new_error_pattern', 'chronic_errors']);

/** The minimum scan statistic worth a signal: well beyond what ~40 splits of pure noise produce. */
const MIN_LLR = 4;

interface Series {
  total: number[];
  errors: number[];
  warnings: number[];
  requests: number[];
  s5xx: number[];
  s429: number[];
  sAuth: number[];
  invocations: number[];
  coldStarts: number[];
  timeouts: number[];
  memoryHigh: number[];
  records: LogRecord[];
}

function pct(x: number) {
  return `${(100 * x).toFixed(x < 0.01 ? 2 : 1)} %`;
}

export function logSignals(
  logs: readonly LogRecord[],
  index: ComponentIndex,
  atMs: number,
  serving?: ServingIndex,
): LogFacts {
  const errorTraces = new Map<string, Set<string>>();
  const timeline = Timeline.over(
    logs.filter((r) => r.kind !== 'emf').map((r) => r.timestampMs),
    atMs,
  );
  if (!timeline) return { signals: [], errorTraces, targeted: [] };
  const ofLog = (r: LogRecord) => index.ofLog(r);
  const targeted = targetedRefusals(logs, ofLog, timeline);
  const aside = refusalLinesToSetAside(logs, ofLog, targeted, timeline.bucketMs);
  const refusing = new Set(targeted.map((t) => t.component));
  const byComponent = new Map<string, Series>();
  const templates = new Map<string, { component: string; counts: number[]; records: LogRecord[] }>();
  const allVolume = timeline.zeros();
  for (const record of logs) {
    if (record.kind === 'emf' || aside.has(record)) continue;
    const component = index.ofLog(record);
    const s = entryOf(byComponent, component, () => ({
      total: timeline.zeros(),
      errors: timeline.zeros(),
      warnings: timeline.zeros(),
      requests: timeline.zeros(),
      s5xx: timeline.zeros(),
      s429: timeline.zeros(),
      sAuth: timeline.zeros(),
      invocations: timeline.zeros(),
      coldStarts: timeline.zeros(),
      timeouts: timeline.zeros(),
      memoryHigh: timeline.zeros(),
      records: [],
    }));
    const i = timeline.index(record.timestampMs);
    s.records.push(record);
    s.total[i]! += 1;
    allVolume[i]! += 1;
    if (record.level === 'error') s.errors[i]! += 1;
    if (record.level === 'warn') s.warnings[i]! += 1;
    if (record.kind === 'structured' || record.kind === 'text') {
      const key = `${component}\u0000${record.level}\u0000${templateOf(record.labels && record.labels !== record.text ? `${record.text} ${record.labels}` : record.text)}`;
      const t = entryOf(templates, key, () => ({
        component,
        counts: timeline.zeros(),
        records: [] as LogRecord[],
      }));
      t.counts[i]! += 1;
      t.records.push(record);
    }
    const status = record.status;
    if (status !== undefined) {
      s.requests[i]! += 1;
      if (status >= 500) s.s5xx[i]! += 1;
      if (status === 429) s.s429[i]! += 1;
      if (status === 401 || status === 403) s.sAuth[i]! += 1;
    }
    if (record.platformType === 'platform.report') {
      const facts = record.platform ?? {};
      s.invocations[i]! += 1;
      if (typeof facts.initDurationMs === 'number') s.coldStarts[i]! += 1;
      if (facts.status === 'timeout') s.timeouts[i]! += 1;
      const used = Number(facts.maxMemoryUsedMB);
      const size = Number(facts.memorySizeMB);
      if (used > 0 && size > 0 && used / size >= 0.9) s.memoryHigh[i]! += 1;
    }
  }

  const signals: Signal[] = [];
  const after = (s: Series, split: Split, pick: (r: LogRecord) => boolean) =>
    s.records.filter((r) => r.timestampMs >= timeline.timeOf(split.index) && pick(r));
  const push = (
    component: string,
    kind: SignalKind,
    split: Split | undefined,
    matching: LogRecord[],
    detail: (split: Split) => string,
    facts: Record<string, string | number> = {},
  ) => {
    if (!split || split.llr < MIN_LLR || matching.length === 0) return;
    signals.push({
      component,
      kind,
      strength: split.llr,
      onsetMs: timeline.timeOf(split.index),
      facts: {
        before: split.before,
        after: split.after,
        count: matching.length,
        ...facts,
        ...vocabularyFacts(matching),
      },
      detail: detail(split),
      evidence: pickEvidence(matching),
    });
  };

  for (const [component, s] of byComponent) {
    const errors = shareOrRate(s.errors, s.total, allVolume);
    push(
      component,
      'log_errors',
      errors,
      errors ? after(s, errors, (r) => r.level === 'error') : [],
      (x) => `error lines ${pct(x.before)} → ${pct(x.after)} of its log lines`,
    );
    const warnings = shareOrRate(s.warnings, s.total, allVolume);
    push(
      component,
      'log_warnings',
      warnings,
      warnings ? after(s, warnings, (r) => r.level === 'warn') : [],
      (x) => `warning lines ${pct(x.before)} → ${pct(x.after)} of its log lines`,
    );
    for (const [kind, bad, test] of [
      ['status_5xx', s.s5xx, (st: number) => st >= 500],
      ['status_429', s.s429, (st: number) => st === 429],
      ['status_auth', s.sAuth, (st: number) => st === 401 || st === 403],
    ] as const) {
      // Refusals aimed at a few clients are the component doing its job (reported apart, not a symptom).
      if (kind !== 'status_5xx' && refusing.has(component)) continue;
      const split = scanShareIncrease(bad, s.requests);
      push(
        component,
        kind,
        split,
        split ? after(s, split, (r) => test(r.status ?? 0)) : [],
        (x) =>
          `${kind === 'status_5xx' ? '5xx' : kind === 'status_429' ? '429' : '401/403'} responses ${pct(x.before)} → ${pct(x.after)} of requests`,
      );
    }
    const cold = scanShareIncrease(s.coldStarts, s.invocations);
    push(
      component,
      'cold_starts',
      cold,
      cold ? after(s, cold, (r) => typeof r.platform?.initDurationMs === 'number') : [],
      (x) => `cold starts ${pct(x.before)} → ${pct(x.after)} of invocations`,
    );
    const timeouts = scanShareIncrease(s.timeouts, s.invocations);
    push(
      component,
      'timeouts',
      timeouts,
      timeouts ? after(s, timeouts, (r) => r.platform?.status === 'timeout') : [],
      (x) => `timeouts ${pct(x.before)} → ${pct(x.after)} of invocations`,
    );
    const memory = scanShareIncrease(s.memoryHigh, s.invocations);
    push(
      component,
      'memory_pressure',
      memory,
      memory
        ? after(
            s,
            memory,
            (r) => Number(r.platform?.maxMemoryUsedMB) / Number(r.platform?.memorySizeMB) >= 0.9,
          )
        : [],
      (x) => `invocations using ≥ 90 % of their memory ${pct(x.before)} → ${pct(x.after)}`,
    );
    const requests = s.requests.some((v) => v > 0) ? s.requests : s.invocations;
    const volume = scanRateIncrease(
      requests,
      timeline.zeros().map(() => 1),
      3,
      2,
    );
    if (volume && volume.after >= 2 * volume.before) {
      const recent = s.records.filter((r) => r.timestampMs >= timeline.timeOf(volume.index));
      const crowd = clientConcentration(
        recent,
        s.records.filter((r) => r.timestampMs < timeline.timeOf(volume.index)),
      );
      push(
        component,
        'volume',
        volume,
        recent,
        (x) =>
          `requests per ${timeline.bucketMs / 1000} s ${x.before.toFixed(1)} → ${x.after.toFixed(1)}${crowd && crowd.topShare >= 0.5 ? `, ${pct(crowd.topShare)} of them from ${crowd.clients.length} clients (${pct(crowd.topShareBefore)} before)` : ''}`,
        {
          ratio: volume.after / Math.max(volume.before, 1e-9),
          ...(crowd ? { topClientsShare: crowd.topShare, topClientsShareBefore: crowd.topShareBefore } : {}),
        },
      );
    }
    for (const record of s.records) {
      if (
        record.level !== 'error' ||
        !record.traceId ||
        !errors ||
        record.timestampMs < timeline.timeOf(errors.index)
      )
        continue;
      entryOf(errorTraces, component, () => new Set<string>()).add(record.traceId);
    }
  }

  // Error patterns that are new or suddenly frequent, relative to their component's own log volume; and
  // patterns a component printed regularly that stopped (a code path no longer reached).
  const bestPattern = new Map<string, Signal>();
  const bestMissing = new Map<string, Signal>();
  for (const t of templates.values()) {
    const s = byComponent.get(t.component)!;
    const missing = missingPattern(t, s.total, timeline, serving);
    const weight = (x: Signal | undefined) => (x ? x.strength * servingWeight(x.facts) : 0);
    if (missing && weight(missing) > weight(bestMissing.get(t.component)))
      bestMissing.set(t.component, missing);
    const level = t.records[0]!.level;
    if (level !== 'error' && level !== 'warn') continue;
    const split = scanRateIncrease(
      t.counts,
      s.total.map((v) => v + 0.5),
    );
    if (!split || split.llr < MIN_LLR) continue;
    const since = timeline.timeOf(split.index);
    const recent = t.records.filter((r) => r.timestampMs >= since);
    const before = t.records.length - recent.length;
    const signal: Signal = {
      component: t.component,
      kind: 'new_error_pattern',
      strength: split.llr,
      onsetMs: since,
      facts: { count: recent.length, before, level, ...vocabularyFacts(recent) },
      detail: `${before === 0 ? 'new' : 'surging'} ${level} pattern "${templateOf(recent[0]!.text).slice(0, 80)}" (${recent.length} lines${before ? `, ${before} before` : ''})`,
      evidence: pickEvidence(recent),
    };
    const current = bestPattern.get(t.component);
    if (!current || signal.strength > current.strength) bestPattern.set(t.component, signal);
  }
  signals.push(...bestPattern.values(), ...bestMissing.values());
  const againstEstate = errorsAgainstEstate(byComponent, signals, timeline);
  for (const weak of againstEstate.replaced) signals.splice(signals.indexOf(weak), 1);
  signals.push(...againstEstate.signals);
  // The component each one's error lines name (a callee they failed to reach), for the ranking to follow.
  for (const [component, s] of byComponent) {
    const mine = signals.filter((x) => x.component === component && ERROR_LINE_KINDS.has(x.kind));
    if (mine.length === 0) continue;
    const since = Math.min(...mine.map((x) => x.onsetMs));
    const named = namedComponent(
      s.records.filter((r) => r.level === 'error' && r.timestampMs >= since),
      index.names,
      component,
    );
    if (!named) continue;
    for (const x of mine) Object.assign(x.facts, { names: named.name, namesShare: named.share });
    const reported = reportedFailure(component, named, mine, s.records, since, (c) => byComponent.has(c));
    if (reported) signals.push(reported);
  }
  return { signals, errorTraces, timeline, targeted };
}

/**
 * Error lines with no earlier part of their own to be scanned against, judged by their share of the
 * component's lines against everything else's:
 * - a component that errors on a large share of its lines through the whole window (the fault began before
 *   the data): a chronic signal, from the window's start;
 * - a component whose lines begin only in the second half of the covered span (a service first called, or
 *   first logging, in the incident): its error share since its first line is the change, a `log_errors` signal
 *   from that line, in place of the scan of its error lines against all the estate's volume (`replaced`) when
 *   that scan is the weaker: in a large estate a new component's few lines barely move the estate's volume.
 */
function errorsAgainstEstate(
  byComponent: Map<string, Series>,
  found: Signal[],
  timeline: Timeline,
): { signals: Signal[]; replaced: Signal[] } {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  let allErrors = 0;
  let allLines = 0;
  for (const s of byComponent.values()) {
    allErrors += sum(s.errors);
    allLines += sum(s.total);
  }
  const signals: Signal[] = [];
  const replaced: Signal[] = [];
  for (const [component, s] of byComponent) {
    const errors = sum(s.errors);
    const lines = sum(s.total);
    if (errors < 10 || errors / lines < 0.1) continue;
    const first = s.records.reduce((t, r) => Math.min(t, r.timestampMs), Number.POSITIVE_INFINITY);
    const late = first >= (timeline.startMs + timeline.endMs) / 2;
    const scanned = found.find((f) => f.component === component && f.kind === 'log_errors');
    if (scanned && !late) continue;
    const p = errors / lines;
    const q = Math.max((allErrors - errors) / Math.max(allLines - lines, 1), 1e-6);
    if (p < 5 * q) continue;
    const llr = errors * Math.log(p / q) + (lines - errors) * Math.log((1 - p) / (1 - q) || 1e-9);
    const strength = Math.min(30, llr);
    if (scanned && scanned.strength >= strength) continue;
    const records = s.records.filter((r) => r.level === 'error');
    if (scanned) replaced.push(scanned);
    signals.push({
      component,
      kind: late ? 'log_errors' : 'chronic_errors',
      strength,
      onsetMs: late ? timeline.timeOf(timeline.index(first)) : timeline.startMs,
      facts: { share: p, others: q, count: errors, ...vocabularyFacts(records) },
      detail: `${pct(p)} of its log lines are errors ${late ? `since its first line at ${new Date(first).toISOString().slice(11, 19)}Z` : 'throughout'} (${pct(q)} elsewhere)`,
      evidence: pickEvidence(records),
    });
  }
  return { signals, replaced };
}

/** Share of a component's own lines when it has a baseline; otherwise its rate against all log volume. */
function shareOrRate(bad: number[], total: number[], all: number[]): Split | undefined {
  const share = scanShareIncrease(bad, total);
  const rate = scanRateIncrease(
    bad,
    all.map((v) => v + 0.5),
  );
  if (share && rate) return share.llr >= rate.llr * 0.5 ? share : rate;
  return share ?? rate;
}
