import type { ChatAnswer } from './answer.ts';
import type { Citation } from './evidence.ts';
import { type Diagnosis, type Diagnostician, diagnoseTool, type Hypothesis } from './diagnostician.ts';
import { SUGGESTED_ACTIONS, type SuggestedAction } from './suggestions.ts';
import { type TurnDeps, TurnRun } from './turn-run.ts';

export interface OfflineTurnInput extends TurnDeps {
  question: string;
  diagnostician?: Diagnostician;
}

export const OFFLINE_LABEL = 'offline diagnostician';

/**
 * What a fault kind suggests doing, by the words of the diagnostician's fault vocabulary; anything else (a
 * failing dependency, origin errors, abuse load, a cost spike) points to the runbook.
 */
const FAULT_ACTIONS: [RegExp, SuggestedAction][] = [
  [/deploy|release|version/i, 'rollback_deploy'],
  // A signing-key mismatch follows a rotation: undo it (or publish the new key) rather than rotate again.
  [/config|signing|key_mismatch/i, 'revert_config'],
  [/cold.?start/i, 'raise_provisioned_concurrency'],
  [/throttl|saturat|cpu|memory|capacity|concurren/i, 'scale_capacity'],
];

const MAX_OTHERS = 3;

function cites(citations: readonly Citation[]): string {
  return citations.length ? ` [${citations.map((c) => c.id).join(', ')}]` : '';
}

function gapText(gap: unknown): string {
  if (typeof gap === 'string') return gap;
  if (gap && typeof gap === 'object') {
    const { what, why, check, reason } = gap as Record<string, unknown>;
    const head = what ?? check;
    if (head) return `${String(head)}${why || reason ? `: ${String(why ?? reason)}` : ''}`;
  }
  return JSON.stringify(gap);
}

/**
 * The chat without a model: the answer comes from the deterministic diagnostician over the incident window
 * (cached per incident, its evidence numbered like any tool's), says that it is offline, puts the component
 * the question names first, lists what could not be checked, and suggests what the fault kinds call for.
 */
export async function runOfflineTurn(input: OfflineTurnInput): Promise<ChatAnswer> {
  const run = new TurnRun(input);
  const { brief } = input;
  const from = Date.parse(brief.window.from);
  const to = Date.parse(brief.window.to);
  const lines = [
    `Offline mode: no language model is configured, so this answer comes from the copilot's deterministic ` +
      `diagnostician over the incident window (${brief.window.from} to ${brief.window.to}), not from a model.`,
  ];
  let diagnosis: Diagnosis | undefined;
  const byHypothesis = new Map<Hypothesis, Citation[]>();
  if (input.diagnostician) {
    const outcome = await run.execute(diagnoseTool(input.diagnostician), {
      at: brief.window.to,
      windowMinutes: Math.max(1, Math.round((to - from) / 60_000)),
    });
    if (outcome.result?.status === 'error')
      lines.push('', `The diagnostician failed: ${outcome.result.error?.message ?? 'unknown error'}.`);
    diagnosis = outcome.result?.data as Diagnosis | undefined;
    let offset = 0;
    for (const hypothesis of diagnosis?.hypotheses ?? []) {
      byHypothesis.set(hypothesis, outcome.citations.slice(offset, offset + hypothesis.evidence.length));
      offset += hypothesis.evidence.length;
      input.shield.trustStructured(hypothesis.component);
    }
  } else {
    lines.push(
      '',
      'The diagnostician is not available in this copilot, so only the incident context is known.',
    );
  }
  const question = input.question.toLowerCase();
  const ranked = [...(diagnosis?.hypotheses ?? [])]
    .filter((h) => (byHypothesis.get(h) ?? []).length > 0)
    .sort((a, b) => a.rank - b.rank);
  const asked = ranked.find((h) => question.includes(h.component.toLowerCase()));
  const ordered = asked ? [asked, ...ranked.filter((h) => h !== asked)] : ranked;
  const [first, ...others] = ordered;
  if (first) {
    const lead = asked ? `About ${first.component}` : 'Most likely';
    lines.push(
      '',
      `${lead}: ${first.component}, ${first.fault} (confidence ${first.confidence.toFixed(2)}). ${first.summary}${cites(byHypothesis.get(first) ?? [])}`,
    );
    if (others.length) {
      lines.push('', 'Other candidates:');
      for (const h of others.slice(0, MAX_OTHERS))
        lines.push(
          `${h.rank}. ${h.component}, ${h.fault} (${h.confidence.toFixed(2)}). ${h.summary}${cites(byHypothesis.get(h) ?? [])}`,
        );
    }
  } else if (diagnosis) {
    lines.push('', 'No fault found: the evidence in the window does not support one.');
  }
  const runbooks = first ? runbookLines(diagnosis, first) : [];
  if (runbooks.length) lines.push('', `Runbooks for ${first?.fault.replace(/_/g, ' ')}:`, ...runbooks);
  const gaps = diagnosis?.gaps ?? [];
  if (gaps.length) {
    lines.push('', 'Not checked:');
    for (const gap of gaps.slice(0, 6)) lines.push(`- ${gapText(gap)}`);
  }
  suggestFromFinding(run, brief.context);
  if (first) suggestFromHypothesis(run, first, byHypothesis.get(first) ?? []);
  if (run.suggestions.length) {
    lines.push('', 'Suggested (nothing is changed until an on-call engineer proposes it):');
    for (const s of run.suggestions)
      lines.push(
        `- ${s.action.replace(/_/g, ' ')} on ${Object.values(s.target).join(', ')}: ${s.rationale} [${s.evidence.join(', ')}]`,
      );
  }
  const answer = run.answer('offline', OFFLINE_LABEL, lines.join('\n'));
  for (const line of answer.text.split(/(?<=\n)/)) run.emit({ type: 'delta', text: line });
  return answer;
}

/**
 * The runbook sections the diagnostician matched to a hypothesis (its `runbooks` by rank, when it searched
 * them), cited by file and line so on-call can open the section it used.
 */
function runbookLines(diagnosis: Diagnosis | undefined, hypothesis: Hypothesis): string[] {
  const byRank = (diagnosis as { runbooks?: Record<string, unknown> } | undefined)?.runbooks;
  const hits = byRank?.[String(hypothesis.rank)];
  if (!Array.isArray(hits)) return [];
  return hits
    .slice(0, 3)
    .flatMap((hit: { title?: unknown; section?: unknown; file?: unknown; line?: unknown }) =>
      typeof hit?.file === 'string' && typeof hit.section === 'string'
        ? [`- ${String(hit.title ?? hit.file)}, "${hit.section}" (${hit.file}:${Number(hit.line) || 1})`]
        : [],
    );
}

function suggestFromHypothesis(run: TurnRun, hypothesis: Hypothesis, citations: readonly Citation[]): void {
  if (citations.length === 0) return;
  const action = FAULT_ACTIONS.find(([pattern]) => pattern.test(hypothesis.fault))?.[1] ?? 'follow_runbook';
  run.suggest(
    {
      action,
      target: { component: hypothesis.component },
      rationale: `the diagnostician ranks ${hypothesis.fault} in ${hypothesis.component} first (confidence ${hypothesis.confidence.toFixed(2)})`,
      evidence: citations.slice(0, 6).map((c) => c.id),
    },
    'diagnostician',
  );
}

/** An abuse finding names its own mitigation and subject: the incident can suggest exactly that. */
function suggestFromFinding(run: TurnRun, context: Record<string, unknown>): void {
  const finding = context.finding as
    | { id?: string; mitigation?: string; subject?: Record<string, string>; summary?: string }
    | undefined;
  const action = finding?.mitigation as SuggestedAction | undefined;
  if (!finding?.id || !action || !SUGGESTED_ACTIONS.includes(action) || !finding.subject) return;
  const evidence = run.deps.ledger.register({
    status: 'success',
    query: { tool: 'finding', params: { id: finding.id } },
    evidence: [{ kind: 'finding', ref: { findingId: finding.id }, excerpt: finding.summary ?? '' }],
  });
  const target = Object.fromEntries(
    Object.entries(finding.subject).filter(([key]) => ['ip', 'accountId', 'tokenId'].includes(key)),
  );
  if (Object.keys(target).length === 0) return;
  run.suggest(
    {
      action,
      target,
      rationale: `the finding's policy calls for ${action.replace(/_/g, ' ')}`,
      evidence: evidence.map((c) => c.id),
    },
    'finding',
  );
}
