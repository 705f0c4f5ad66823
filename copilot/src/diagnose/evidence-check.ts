import type { DiagnoseInputs } from './diagnose.ts';
import type { Diagnosis, Evidence } from './types.ts';

/**
 * Whether every shown claim rests on observations that exist: each hypothesis cites at least one, and every
 * citation points at something in what was diagnosed (a log or EMF event by group and id, a span of a trace, a
 * change or a finding by id). Returns what does not hold, empty when the diagnosis is fully cited.
 */
export interface UncitedClaim {
  rank: number;
  component: string;
  problem: string;
}

export function uncitedClaims(diagnosis: Diagnosis, inputs: DiagnoseInputs): UncitedClaim[] {
  const { snapshot } = inputs;
  const events = new Set<string>();
  for (const record of snapshot.logs) events.add(`${record.group}#${record.id}`);
  for (const point of snapshot.metrics) events.add(`${point.group}#${point.eventId}`);
  const spans = new Set(snapshot.spans.map((span) => `${span.traceId}#${span.id}`));
  const traces = new Set(snapshot.spans.map((span) => span.traceId));
  const changes = new Set((inputs.changes ?? []).map((change) => change.id));
  const findings = new Set((inputs.findings ?? []).map((finding) => finding.id));

  const resolves = (evidence: Evidence): boolean => {
    const ref = evidence.ref;
    const event =
      ref.group !== undefined && ref.eventId !== undefined && events.has(`${ref.group}#${ref.eventId}`);
    switch (evidence.kind) {
      case 'log':
      case 'metric':
        return event;
      case 'trace':
        return ref.spanId !== undefined
          ? spans.has(`${ref.traceId}#${ref.spanId}`)
          : traces.has(String(ref.traceId));
      case 'change':
        return event || changes.has(String(ref.id));
      case 'finding':
        return findings.has(String(ref.id));
    }
  };

  const problems: UncitedClaim[] = [];
  for (const h of diagnosis.hypotheses) {
    if (h.evidence.length === 0)
      problems.push({ rank: h.rank, component: h.component, problem: 'cites nothing' });
    for (const e of h.evidence)
      if (!resolves(e))
        problems.push({
          rank: h.rank,
          component: h.component,
          problem: `${e.kind} evidence ${JSON.stringify(e.ref)} is not in the telemetry read`,
        });
  }
  return problems;
}
