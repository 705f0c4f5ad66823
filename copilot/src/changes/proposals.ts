import type { ChangeSetService } from './service.ts';
import type { ChangeSet, Evidence } from './types.ts';

/**
 * The incident chat's way in (its `ProposalSink`): an on-call engineer promotes a suggestion, and it becomes a
 * change set of document `action`, proposed by that engineer, so someone else approves it. The shapes are the
 * chat's, restated here structurally so the two halves meet without importing each other.
 */
/** A cited piece of evidence as the chat resolves it (its own type carries more, which is handed back as is). */
interface CitedEvidence {
  id: string;
  kind: string;
  ref: Record<string, unknown>;
  excerpt?: string;
}

export interface SuggestionProposalInput<E extends CitedEvidence = CitedEvidence> {
  incidentId: string;
  suggestion: {
    id: string;
    action: string;
    target: Record<string, string>;
    rationale: string;
    by: string;
  };
  evidence: E[];
  proposedBy: string;
  at: string;
  note?: string;
}

export interface SuggestionProposal<E extends CitedEvidence = CitedEvidence> {
  id: string;
  status: string;
  incidentId: string;
  suggestionId: string;
  action: string;
  target: Record<string, string>;
  rationale: string;
  evidence: E[];
  suggestedBy: string;
  proposedBy: string;
  createdAt: string;
  note?: string;
  /** The change set that carries it through approval. */
  changeSetId: string;
}

const originRef = (incidentId: string, suggestionId: string) => `${incidentId}/${suggestionId}`;

export class ChangeSetProposalSink<E extends CitedEvidence = CitedEvidence> {
  constructor(private readonly changeSets: ChangeSetService) {}

  async submit(
    input: SuggestionProposalInput<E>,
  ): Promise<{ proposal: SuggestionProposal<E>; created: boolean }> {
    const ref = originRef(input.incidentId, input.suggestion.id);
    const existing = (await this.changeSets.list()).find(
      (cs) => cs.origin.kind === 'incident' && cs.origin.ref === ref,
    );
    if (existing) return { proposal: toProposal(existing, input), created: false };
    const evidence: Evidence[] = input.evidence.map((e) => ({
      label: `[${e.id}] ${e.kind}`,
      value: e.excerpt ?? JSON.stringify(e.ref),
      ref: e.ref,
    }));
    const cs = await this.changeSets.proposeAction({
      action: { action: input.suggestion.action, target: input.suggestion.target },
      title: `${input.suggestion.action} (incident ${input.incidentId})`,
      rationale: input.note
        ? `${input.suggestion.rationale}\n\nNote: ${input.note}`
        : input.suggestion.rationale,
      origin: { kind: 'incident', ref, suggestedBy: input.suggestion.by },
      proposedBy: input.proposedBy,
      recommendation: {
        evidence,
        estimate: {
          assumptions: ['an incident action: its effect is judged by the incident, not estimated'],
        },
        risk: 'as the suggestion states; an approver reads the cited evidence',
        reversible: true,
        reversibility: 'rolled back on demand where the action can be undone',
      },
    });
    return { proposal: toProposal(cs, input), created: true };
  }

  async list(filter: { incidentId?: string } = {}): Promise<SuggestionProposal<E>[]> {
    const all = await this.changeSets.list();
    return all
      .filter(
        (cs) =>
          cs.origin.kind === 'incident' &&
          (!filter.incidentId || cs.origin.ref?.startsWith(`${filter.incidentId}/`)),
      )
      .map((cs) => toProposal<E>(cs));
  }
}

function toProposal<E extends CitedEvidence>(
  cs: ChangeSet,
  input?: SuggestionProposalInput<E>,
): SuggestionProposal<E> {
  const [incidentId = '', suggestionId = ''] = (cs.origin.ref ?? '').split('/');
  return {
    id: `prop_${suggestionId.replace(/^sug_/, '')}`,
    status: cs.status === 'proposed' ? 'pending' : cs.status,
    incidentId,
    suggestionId,
    action: cs.action?.action ?? '',
    target: cs.action?.target ?? {},
    rationale: cs.rationale,
    evidence: input?.evidence ?? [],
    suggestedBy: cs.origin.suggestedBy ?? '',
    proposedBy: cs.proposedBy,
    createdAt: cs.proposedAt,
    ...(input?.note ? { note: input.note } : {}),
    changeSetId: cs.id,
  };
}
