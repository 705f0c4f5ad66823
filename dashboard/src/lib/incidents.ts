import type {
  AnswerDone,
  BudgetView,
  Citation,
  ChatMessage,
  IncidentDetail,
  IncidentSummary,
  Proposal,
  ToolStep,
  UserMessage,
} from './types.ts';

/**
 * The incident chat's view logic: live events folded into the incident list and the open incident (each an
 * idempotent upsert: a replayed event changes nothing), the answer being written as it streams, and an
 * answer's text cut into prose and citation markers so each `[E3]` opens the evidence it names.
 */

/** Newest first; an older version of an incident never replaces a newer one. */
export function upsertIncident(
  list: readonly IncidentSummary[],
  incident: IncidentSummary,
): IncidentSummary[] {
  const existing = list.find((i) => i.id === incident.id);
  if (existing && existing.updatedAt > incident.updatedAt) return list as IncidentSummary[];
  return [incident, ...list.filter((i) => i.id !== incident.id)].sort(
    (a, b) => b.openedAt.localeCompare(a.openedAt) || a.id.localeCompare(b.id),
  );
}

/** The incident's budget after a model call; usage only grows, so the larger one is the later. */
export function withBudget<T extends { budget: BudgetView }>(target: T, budget: BudgetView): T {
  const used = (b: BudgetView) => b.used.inputTokens + b.used.outputTokens;
  return used(budget) >= used(target.budget) ? { ...target, budget } : target;
}

function upsertMessage(messages: readonly ChatMessage[], message: ChatMessage): ChatMessage[] {
  return [...messages.filter((m) => m.id !== message.id), message].sort(
    (a, b) => a.seq - b.seq || a.id.localeCompare(b.id),
  );
}

function upsertById<T extends { id: string }>(list: readonly T[], items: readonly T[]): T[] {
  const ids = new Set(items.map((i) => i.id));
  return [...list.filter((i) => !ids.has(i.id)), ...items];
}

export function withQuestion(detail: IncidentDetail, message: UserMessage): IncidentDetail {
  if (message.incidentId !== detail.incident.id) return detail;
  return { ...detail, messages: upsertMessage(detail.messages, message) };
}

export function withAnswer(detail: IncidentDetail, done: AnswerDone): IncidentDetail {
  if (done.incidentId !== detail.incident.id) return detail;
  return {
    ...detail,
    incident: withBudget(detail.incident, done.budget),
    messages: upsertMessage(detail.messages, done.message),
    citations: upsertById(detail.citations, done.citations),
    suggestions: upsertById(
      detail.suggestions,
      // A suggestion already proposed stays proposed when the answer is delivered again.
      done.suggestions.map((s) => detail.suggestions.find((x) => x.id === s.id && x.proposalId) ?? s),
    ),
  };
}

export function withProposal(detail: IncidentDetail, proposal: Proposal): IncidentDetail {
  if (proposal.incidentId !== detail.incident.id) return detail;
  return {
    ...detail,
    suggestions: detail.suggestions.map((s) =>
      s.id === proposal.suggestionId ? { ...s, status: 'proposed' as const, proposalId: proposal.id } : s,
    ),
  };
}

/** An answer being written: its text so far and the tools it ran. Keyed by the question it answers. */
export interface Draft {
  incidentId: string;
  replyTo: string;
  text: string;
  steps: ToolStep[];
  failed?: string;
}

export type Drafts = Record<string, Draft>;

const draftOf = (drafts: Drafts, incidentId: string, replyTo: string): Draft =>
  drafts[replyTo] ?? { incidentId, replyTo, text: '', steps: [] };

export function draftDelta(
  drafts: Drafts,
  delta: { incidentId: string; replyTo: string; text: string },
): Drafts {
  const draft = draftOf(drafts, delta.incidentId, delta.replyTo);
  return { ...drafts, [delta.replyTo]: { ...draft, text: draft.text + delta.text } };
}

export function draftStep(
  drafts: Drafts,
  step: { incidentId: string; replyTo: string; step: ToolStep },
): Drafts {
  const draft = draftOf(drafts, step.incidentId, step.replyTo);
  return { ...drafts, [step.replyTo]: { ...draft, steps: [...draft.steps, step.step] } };
}

export function draftFailed(
  drafts: Drafts,
  failure: { incidentId: string; replyTo: string; message: string },
): Drafts {
  const draft = draftOf(drafts, failure.incidentId, failure.replyTo);
  return { ...drafts, [failure.replyTo]: { ...draft, failed: failure.message } };
}

/** The stored answer replaces the draft. */
export function draftDone(drafts: Drafts, replyTo: string): Drafts {
  if (!(replyTo in drafts)) return drafts;
  const { [replyTo]: _done, ...rest } = drafts;
  return rest;
}

/** The questions of an incident still waiting for their stored answer. */
export function pendingDrafts(drafts: Drafts, detail: IncidentDetail): Draft[] {
  const answered = new Set(detail.messages.flatMap((m) => (m.role === 'assistant' ? [m.replyTo] : [])));
  return Object.values(drafts).filter((d) => d.incidentId === detail.incident.id && !answered.has(d.replyTo));
}

export type Segment = { text: string } | { cite: string };

const CITES = /\[(E\d+(?:\s*[,;]\s*E\d+)*)\]/g;

/** Prose and citation markers in order: `see [E1, E3].` -> `see `, E1, E3, `.` */
export function segments(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(CITES)) {
    if (match.index > last) out.push({ text: text.slice(last, match.index) });
    for (const id of (match[1] ?? '').split(/\s*[,;]\s*/)) out.push({ cite: id });
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

/** A one-line name for a citation: what it points at, in the words of its kind. */
export function citationLabel(citation: Citation): string {
  const ref = citation.ref as Record<string, unknown>;
  const str = (key: string) =>
    typeof ref[key] === 'string' || typeof ref[key] === 'number' ? String(ref[key]) : '';
  switch (citation.kind) {
    case 'log':
      return `log event ${str('eventId')} in ${str('logGroup') || str('group')}`;
    case 'trace':
      return `trace ${str('traceId')}${str('spanId') ? ` span ${str('spanId')}` : ''}`;
    case 'metric':
      return `metric ${[str('namespace'), str('metric')].filter(Boolean).join('/')}${str('component') ? ` of ${str('component')}` : ''}`;
    case 'finding':
      return `finding ${str('findingId') || str('id')}`;
    default:
      return `${citation.kind} ${str('id') || str('source')}`;
  }
}

/** Tokens used against the limit, as a fraction (0..1) for a meter. */
export function budgetUse(budget: BudgetView): number {
  const used = budget.used.inputTokens + budget.used.outputTokens;
  return budget.limits.maxTokens > 0 ? Math.min(1, used / budget.limits.maxTokens) : 0;
}
