import type { Finding } from '../findings.ts';
import { discoverComponents } from '../telemetry/components.ts';
import type { TelemetrySnapshot } from '../telemetry/types.ts';
import { type ChangeEvent, changesFromTelemetry } from '../tools/change-history.ts';
import { contextSignals } from './context.ts';
import {
  DEFAULT_RANK_OPTIONS,
  evidenceOf,
  type RankedComponent,
  type RankOptions,
  rankComponents,
} from './rank.ts';
import { refusalNotes, setAsideRefusalMetrics } from './refusals.ts';
import { logSignals } from './signals-logs.ts';
import { metricSignals } from './signals-metrics.ts';
import { traceSignals } from './signals-traces.ts';
import { servingIndex } from './serving.ts';
import { summarise } from './summary.ts';
import type { Diagnosis, Hypothesis, Signal } from './types.ts';

/**
 * The offline diagnostician: deterministic, no model. From the telemetry of a window (and what else is known:
 * changes, the copilot's findings), it finds what changed where and when against the window's own earlier part,
 * follows errors and latency through traces and the call graph to where they started, names a kind of fault,
 * and shows only claims that cite observations. Same input, same output.
 */
export interface DiagnoseRequest {
  atMs: number;
  windowMs: number;
  /** Free text ("why are grants failing?") or an alert's summary: components it names are looked at first. */
  question?: string;
}

export interface DiagnoseInputs {
  snapshot: TelemetrySnapshot;
  /** Changes from a change history source; `undefined` when none is configured (a gap). */
  changes?: ChangeEvent[];
  /** The copilot's findings in the window; `undefined` when no store is at hand (a gap). */
  findings?: Finding[];
  options?: Partial<RankOptions>;
}

export function formatWindow(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

export function diagnoseSnapshot(inputs: DiagnoseInputs, request: DiagnoseRequest): Diagnosis {
  return analyse(inputs, request).diagnosis;
}

/** The diagnosis with the ranking behind it (every component scored, shown or not), for evaluations. */
export function analyse(
  inputs: DiagnoseInputs,
  request: DiagnoseRequest,
): { diagnosis: Diagnosis; ranked: RankedComponent[] } {
  const { snapshot } = inputs;
  const options = { ...DEFAULT_RANK_OPTIONS, ...inputs.options };
  const index = discoverComponents(snapshot);
  const gaps: string[] = [];

  const logs = logSignals(
    snapshot.logs,
    index,
    request.atMs,
    snapshot.spans.length > 0 ? servingIndex(snapshot.spans) : undefined,
  );
  const traces = traceSignals(snapshot.spans, request.atMs);
  const metrics = setAsideRefusalMetrics(
    metricSignals(snapshot.metrics, index, request.atMs, request.windowMs, trafficOf(snapshot, index)),
    logs.signals,
    logs.targeted,
  );
  const telemetryChanges = changesFromTelemetry(snapshot, index.ofLog, new Set(index.names));
  const changes = [...telemetryChanges, ...(inputs.changes ?? [])];
  const signals: Signal[] = [...logs.signals, ...traces.signals, ...metrics];
  signals.push(...contextSignals(changes, inputs.findings ?? [], signals, request));

  const bucketMs = logs.timeline?.bucketMs ?? traces.timeline?.bucketMs ?? 60_000;
  const ranked = rankComponents(
    signals,
    {
      origins: traces.origins,
      troubledTraces: traces.troubledTraces,
      callees: traces.callees,
      errorTraces: logs.errorTraces,
      bucketMs,
      atMs: request.atMs,
      windowMs: request.windowMs,
    },
    options,
  );

  // A question or alert naming a component puts it first among near equals.
  const asked = request.question ? index.names.filter((n) => request.question!.includes(n)) : [];
  for (const r of ranked) if (asked.includes(r.component)) r.score *= 1.1;
  ranked.sort((a, b) => b.score - a.score || a.onsetMs - b.onsetMs || a.component.localeCompare(b.component));

  const hypotheses: Hypothesis[] = [];
  const top = ranked[0];
  if (top && top.score >= options.abstainBelow) {
    // Near the leader's strength, or strong enough to be reported on its own: a much stronger leader does not
    // hide a component that clears the bar by itself (a throttled table behind a loudly failing function).
    const bar = Math.max(0.5 * options.abstainBelow, Math.min(0.2 * top.score, options.abstainBelow));
    const shown = ranked.filter((r) => r.score >= bar).slice(0, 5);
    const total = shown.reduce((a, r) => a + r.score, 0);
    for (const r of shown) {
      const evidence = evidenceOf(r);
      if (evidence.length === 0) continue;
      const confidence = (r.score / (r.score + options.abstainBelow)) * Math.sqrt(r.score / total);
      hypotheses.push({
        rank: hypotheses.length + 1,
        component: r.component,
        fault: r.fault,
        confidence: Math.round(confidence * 100) / 100,
        summary: summarise(r),
        evidence,
      });
    }
  }

  gaps.push(...refusalNotes(logs.targeted));
  gaps.push(...coverageGaps(inputs, request, logs.timeline?.startMs, traces.timeline?.startMs));
  if (top && top.score < options.abstainBelow)
    gaps.push(
      `no fault found: the strongest change (${top.component}: ${top.signals[0]?.detail ?? 'weak signals'}) is within what the window's own baseline shows`,
    );
  if (!top)
    gaps.push("no fault found: nothing in logs, traces or metrics changed against the window's own baseline");
  const lead = hypotheses[0];
  if (lead && !lead.evidence.some((e) => e.kind === 'trace') && snapshot.has.traces)
    gaps.push(
      `no traces show ${lead.component} going wrong first: its callers and callees could not be told apart by traces`,
    );
  const diagnosis: Diagnosis = {
    at: new Date(request.atMs).toISOString(),
    window: formatWindow(request.windowMs),
    mode: 'offline',
    hypotheses,
    gaps,
  };
  return { diagnosis, ranked };
}

/** Log events per component and minute, the traffic measure counts are normalised by. */
function trafficOf(snapshot: TelemetrySnapshot, index: ReturnType<typeof discoverComponents>) {
  const perMinute = new Map<string, Map<number, number>>();
  for (const record of snapshot.logs) {
    if (record.kind === 'emf') continue;
    const component = index.ofLog(record);
    let minutes = perMinute.get(component);
    if (!minutes) {
      minutes = new Map();
      perMinute.set(component, minutes);
    }
    const minute = Math.floor(record.timestampMs / 60_000);
    minutes.set(minute, (minutes.get(minute) ?? 0) + 1);
  }
  return (component: string, startMs: number, periodMs: number): number | undefined => {
    const minutes = perMinute.get(component);
    if (!minutes) return undefined;
    let total = 0;
    for (let m = Math.floor(startMs / 60_000); m < Math.floor((startMs + periodMs) / 60_000); m++)
      total += minutes.get(m) ?? 0;
    return total;
  };
}

function coverageGaps(
  inputs: DiagnoseInputs,
  request: DiagnoseRequest,
  logStart: number | undefined,
  traceStart: number | undefined,
): string[] {
  const { snapshot } = inputs;
  const gaps: string[] = [];
  const windowStart = request.atMs - request.windowMs;
  const minutes = (ms: number) => `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (!snapshot.has.logs || snapshot.logs.length === 0)
    gaps.push('no log events in the window: log signals not checked');
  else if (logStart !== undefined && logStart - windowStart > 0.2 * request.windowMs)
    gaps.push(
      `logs cover only the last ${minutes(request.atMs - logStart)} of the ${formatWindow(request.windowMs)} window: log signals compare against that short baseline`,
    );
  if (!snapshot.has.traces)
    gaps.push('no trace store (xray/): errors and latency not followed through traces');
  else if (snapshot.spans.length === 0)
    gaps.push('no trace segments in the window: errors and latency not followed through traces');
  else if (traceStart !== undefined && traceStart - windowStart > 0.2 * request.windowMs)
    gaps.push(`traces cover only the last ${minutes(request.atMs - traceStart)} of the window`);
  if (snapshot.metrics.length === 0) gaps.push('no EMF metrics in the window: metric anomalies not checked');
  if (inputs.changes === undefined)
    gaps.push(
      'no change history source: only changes visible in the telemetry (CloudTrail events, versions in log streams) were checked',
    );
  if (inputs.findings === undefined)
    gaps.push("no findings store: the copilot's abuse findings were not checked");
  if (snapshot.skips.total > 0)
    gaps.push(
      `${snapshot.skips.total} telemetry lines could not be read (${Object.entries(snapshot.skips.reasons)
        .map(([r, n]) => `${r}: ${n}`)
        .join('; ')})`,
    );
  return gaps;
}
