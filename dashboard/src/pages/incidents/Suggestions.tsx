import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import { useCan } from '../../auth/SessionGate.tsx';
import { Pill } from '../../components/ui/Pill.tsx';
import { ErrorState } from '../../components/ui/States.tsx';
import { humanize } from '../../lib/format.ts';
import { withProposal } from '../../lib/incidents.ts';
import type { IncidentDetail, Proposal, StoredSuggestion } from '../../lib/types.ts';
import { CitedText } from './CitedText.tsx';

const BY: Record<StoredSuggestion['by'], string> = {
  model: 'the model',
  diagnostician: 'the diagnostician',
  finding: "the finding's policy",
};

function SuggestionItem({ suggestion }: { suggestion: StoredSuggestion }) {
  const client = useQueryClient();
  const onCall = useCan('on_call');
  const propose = useMutation({
    mutationFn: () =>
      api<{ proposal: Proposal; created: boolean }>(
        `/api/incidents/${encodeURIComponent(suggestion.incidentId)}/suggestions/${encodeURIComponent(suggestion.id)}/propose`,
        { method: 'POST', body: {} },
      ),
    onSuccess: ({ proposal }) =>
      client.setQueryData<IncidentDetail>(keys.incident(suggestion.incidentId), (d) =>
        d ? withProposal(d, proposal) : d,
      ),
  });
  const target = Object.entries(suggestion.target)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return (
    <li data-testid={`suggestion-${suggestion.id}`}>
      <strong>{humanize(suggestion.action)}</strong> {target} (suggested by {BY[suggestion.by]}):{' '}
      <CitedText text={suggestion.rationale} />
      {suggestion.evidence.length ? <CitedText text={` [${suggestion.evidence.join(', ')}]`} /> : null}{' '}
      {suggestion.status === 'proposed' ? (
        <span data-testid="proposed">
          <Pill value="pending" label="Proposed" /> {suggestion.proposalId}, waiting for approval
        </span>
      ) : onCall ? (
        <button type="button" disabled={propose.isPending} onClick={() => propose.mutate()}>
          Propose
        </button>
      ) : null}
      {propose.error ? <ErrorState error={propose.error} what="the proposal" /> : null}
    </li>
  );
}

/** Mitigations the copilot suggests: nothing is applied; on-call turns one into a proposal for approval. */
export function Suggestions({ suggestions }: { suggestions: StoredSuggestion[] }) {
  if (suggestions.length === 0) return null;
  return (
    <div className="suggestions">
      <p className="muted">
        Suggested mitigations (never applied by the copilot; a proposal waits for approval):
      </p>
      <ul>
        {suggestions.map((s) => (
          <SuggestionItem key={s.id} suggestion={s} />
        ))}
      </ul>
    </div>
  );
}
