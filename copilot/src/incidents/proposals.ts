import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailed } from '@boundless/delivery/store';
import type { Citation } from '../chat/evidence.ts';
import type { SuggestedAction, Suggestion } from '../chat/suggestions.ts';
import { queryBodies } from './incident-store.ts';

/**
 * Where the copilot's writes go: nowhere but here. A suggested mitigation that an on-call engineer promotes
 * becomes a proposal, and a sink takes it: with the change-set flow configured, `ChangeSetProposalSink` (changes/)
 * makes it a change set that another engineer approves before anything is applied; without it, the pending store
 * below keeps it, and nothing is ever applied.
 */
export interface ProposalInput {
  incidentId: string;
  suggestion: Suggestion;
  /** The evidence the suggestion cites, resolved, so the approver sees it without the incident. */
  evidence: Citation[];
  proposedBy: string;
  at: string;
  note?: string;
}

/** `pending` until decided; then the change set's status (approved, rejected, applied, rolled_back, ...). */
type ProposalStatus = string;

export interface Proposal {
  id: string;
  status: ProposalStatus;
  incidentId: string;
  suggestionId: string;
  /** A `SuggestedAction`; a sink may return any action name it stored. */
  action: SuggestedAction | (string & {});
  target: Record<string, string>;
  rationale: string;
  evidence: Citation[];
  /** Who suggested it (the model, the diagnostician, the finding) and who proposed it. */
  suggestedBy: Suggestion['by'] | (string & {});
  proposedBy: string;
  createdAt: string;
  note?: string;
  /** The change set that carries it through approval, when the sink is the change-set flow. */
  changeSetId?: string;
}

export interface ProposalSink {
  /** Records a proposal once per suggestion: submitting the same suggestion again returns the first one. */
  submit(input: ProposalInput): Promise<{ proposal: Proposal; created: boolean }>;
  list(filter?: { incidentId?: string }): Promise<Proposal[]>;
}

/** Proposals stored as pending in the copilot's table, one per suggestion. */
export class PendingProposalStore implements ProposalSink {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async submit(input: ProposalInput): Promise<{ proposal: Proposal; created: boolean }> {
    const proposal: Proposal = {
      id: `prop_${input.suggestion.id.replace(/^sug_/, '')}`,
      status: 'pending',
      incidentId: input.incidentId,
      suggestionId: input.suggestion.id,
      action: input.suggestion.action,
      target: input.suggestion.target,
      rationale: input.suggestion.rationale,
      evidence: input.evidence,
      suggestedBy: input.suggestion.by,
      proposedBy: input.proposedBy,
      createdAt: input.at,
      ...(input.note ? { note: input.note } : {}),
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: 'PROPOSAL',
            sk: proposal.id,
            status: proposal.status,
            incidentId: proposal.incidentId,
            body: JSON.stringify(proposal),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { proposal, created: true };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const existing = (await this.list()).find((p) => p.id === proposal.id);
      if (!existing) throw error;
      return { proposal: existing, created: false };
    }
  }

  async list(filter: { incidentId?: string } = {}): Promise<Proposal[]> {
    const proposals = await queryBodies<Proposal>(this.doc, this.tableName, 'PROPOSAL');
    return filter.incidentId ? proposals.filter((p) => p.incidentId === filter.incidentId) : proposals;
  }
}
