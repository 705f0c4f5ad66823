import type { Diagnosis } from '@boundless/copilot/diagnose';

/**
 * How a diagnosis did against the known answer of a case, and the summary figures of many cases:
 * - AC@k: the share of fault cases whose faulty component is among the first k hypotheses;
 * - Avg@5: the mean of AC@1..AC@5 (the usual RCA summary, rewarding a right answer ranked high);
 * - kind@1: the share of fault cases whose first hypothesis names the right component and fault kind;
 * - abstention: the share of no-fault cases answered with no hypothesis at all;
 * - evidence: the share of shown hypotheses that cite at least one observation and whose every citation is
 *   found in the telemetry that was read (copilot/src/diagnose/evidence-check.ts);
 * - time: reading plus diagnosing one case, in ms of the clock and in ms of the process's CPU (user plus
 *   system, garbage collection included): the clock depends on what else the machine runs, the CPU much less.
 */
export interface CaseAnswer {
  component: string;
  fault?: string;
}

export interface CaseResult {
  id: string;
  group: string;
  set: string;
  expect: CaseAnswer | null;
  /** 1-based rank of the expected component; 0 when not listed (or a no-fault case). */
  rank: number;
  /** The fault kind the hypothesis for the expected component names. */
  kind?: string;
  top?: { component: string; fault: string; confidence: number };
  hypotheses: number;
  withEvidence: number;
  ms: number;
  cpuMs: number;
}

/** What reading and diagnosing one case took: on the clock and on the CPU. */
export interface CaseTime {
  ms: number;
  cpuMs: number;
}

export function scoreCase(
  id: string,
  group: string,
  set: string,
  expect: CaseAnswer | null,
  diagnosis: Diagnosis,
  time: CaseTime,
  uncited: readonly { rank: number }[] = [],
): CaseResult {
  const unsupported = new Set(uncited.map((u) => u.rank));
  const index = expect ? diagnosis.hypotheses.findIndex((h) => h.component === expect.component) : -1;
  const lead = diagnosis.hypotheses[0];
  return {
    id,
    group,
    set,
    expect,
    rank: index + 1,
    ...(index >= 0 ? { kind: diagnosis.hypotheses[index]!.fault } : {}),
    ...(lead ? { top: { component: lead.component, fault: lead.fault, confidence: lead.confidence } } : {}),
    hypotheses: diagnosis.hypotheses.length,
    withEvidence: diagnosis.hypotheses.filter((h) => h.evidence.length > 0 && !unsupported.has(h.rank))
      .length,
    ms: time.ms,
    cpuMs: time.cpuMs,
  };
}

export interface Summary {
  cases: number;
  faultCases: number;
  noFaultCases: number;
  ac1: number | null;
  ac3: number | null;
  avg5: number | null;
  kind1: number | null;
  abstention: number | null;
  evidence: number | null;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  medianCpuMs: number;
  maxCpuMs: number;
}

const share = (n: number, d: number) => (d === 0 ? null : n / d);

export function summarise(results: readonly CaseResult[], kinds = true): Summary {
  const faults = results.filter((r) => r.expect !== null);
  const clean = results.filter((r) => r.expect === null);
  const within = (k: number) => faults.filter((r) => r.rank >= 1 && r.rank <= k).length;
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  const q = (p: number) =>
    times[Math.min(times.length - 1, Math.max(0, Math.ceil(p * times.length) - 1))] ?? 0;
  const cpu = results.map((r) => r.cpuMs).sort((a, b) => a - b);
  const shown = results.reduce((a, r) => a + r.hypotheses, 0);
  return {
    cases: results.length,
    faultCases: faults.length,
    noFaultCases: clean.length,
    ac1: share(within(1), faults.length),
    ac3: share(within(3), faults.length),
    avg5:
      faults.length === 0 ? null : [1, 2, 3, 4, 5].reduce((a, k) => a + within(k), 0) / (5 * faults.length),
    kind1: kinds
      ? share(faults.filter((r) => r.rank === 1 && r.kind === r.expect?.fault).length, faults.length)
      : null,
    abstention: share(clean.filter((r) => r.hypotheses === 0).length, clean.length),
    evidence: share(
      results.reduce((a, r) => a + r.withEvidence, 0),
      shown,
    ),
    medianMs: q(0.5),
    p95Ms: q(0.95),
    maxMs: times.at(-1) ?? 0,
    medianCpuMs: cpu[Math.max(0, Math.ceil(0.5 * cpu.length) - 1)] ?? 0,
    maxCpuMs: cpu.at(-1) ?? 0,
  };
}

const cell = (value: number | null) => (value === null ? '–' : value.toFixed(3));

/** A plain-text table: one row per group (scenario, fault kind, set), the summary figures as columns. */
export function formatTable(title: string, rows: { label: string; summary: Summary }[]): string {
  const header = [
    '',
    'cases',
    'AC@1',
    'AC@3',
    'Avg@5',
    'kind@1',
    'abstain',
    'evidence',
    'median ms',
    'max ms',
    'median cpu ms',
    'max cpu ms',
  ];
  const body = rows.map(({ label, summary: s }) => [
    label,
    `${s.faultCases}+${s.noFaultCases}`,
    cell(s.ac1),
    cell(s.ac3),
    cell(s.avg5),
    cell(s.kind1),
    cell(s.abstention),
    cell(s.evidence),
    String(Math.round(s.medianMs)),
    String(Math.round(s.maxMs)),
    String(Math.round(s.medianCpuMs)),
    String(Math.round(s.maxCpuMs)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [title, line(header), ...body.map(line)].join('\n');
}

/** Groups results by a key and summarises each group, in first-seen order. */
export function byGroup(results: readonly CaseResult[], key: (r: CaseResult) => string, kinds = true) {
  const groups = new Map<string, CaseResult[]>();
  for (const r of results) {
    const k = key(r);
    const list = groups.get(k) ?? [];
    list.push(r);
    groups.set(k, list);
  }
  return [...groups].map(([label, list]) => ({ label, summary: summarise(list, kinds) }));
}
