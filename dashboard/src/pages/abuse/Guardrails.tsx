import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import { keys, useGuardrails } from '../../api/queries.ts';
import { useCan } from '../../auth/SessionGate.tsx';
import { ErrorState, QueryState } from '../../components/ui/States.tsx';
import type { Guardrails } from '../../lib/types.ts';

/** Dry-run and the hourly cap: owners change them (persisted and audited); everyone else sees them. */
export function GuardrailsPanel() {
  const query = useGuardrails();
  const owner = useCan('owner');
  const client = useQueryClient();
  const [cap, setCap] = useState<number | null>(null);
  useEffect(() => setCap(query.data?.maxActionsPerHour ?? null), [query.data?.maxActionsPerHour]);
  const save = useMutation({
    mutationFn: (change: Partial<Pick<Guardrails, 'dryRun' | 'maxActionsPerHour'>>) =>
      api<{ guardrails: Guardrails }>('/api/guardrails', { method: 'PUT', body: change }),
    onSuccess: (result) => client.setQueryData(keys.guardrails, result.guardrails),
  });
  return (
    <section aria-labelledby="guardrails-title" className="panel">
      <h2 id="guardrails-title">Guardrails</h2>
      <QueryState query={query} what="the guardrails">
        {(g) => (
          <>
            <dl className="facts">
              <dt>Mode</dt>
              <dd data-testid="guardrail-mode">
                {g.dryRun ? 'Dry run: decide and audit, apply nothing' : 'Acting: mitigations are applied'}
              </dd>
              <dt>Hourly cap</dt>
              <dd>{g.maxActionsPerHour} actions per rolling hour (then held for a person)</dd>
              <dt>Allow-listed</dt>
              <dd>
                {[
                  ...g.allowAccounts.map((a) => `account ${a}`),
                  ...g.allowCidrs,
                  ...g.allowUserAgents.map((u) => `agent “${u}”`),
                ].join(', ') || 'nothing'}
              </dd>
            </dl>
            {owner ? (
              <form
                className="inline-form"
                aria-label="Change the guardrails"
                onSubmit={(event) => {
                  event.preventDefault();
                  if (cap !== null) save.mutate({ maxActionsPerHour: cap });
                }}
              >
                <button
                  type="button"
                  onClick={() => save.mutate({ dryRun: !g.dryRun })}
                  data-testid="toggle-dry-run"
                >
                  {g.dryRun ? 'Leave dry run (act again)' : 'Switch to dry run'}
                </button>
                <label htmlFor="hourly-cap">Hourly cap</label>
                <input
                  id="hourly-cap"
                  type="number"
                  min={0}
                  max={10000}
                  value={cap ?? ''}
                  onChange={(e) => setCap(Number(e.target.value))}
                />
                <button type="submit">Save cap</button>
              </form>
            ) : (
              <p className="muted">Owners change the guardrails.</p>
            )}
            {save.error ? <ErrorState error={save.error} what="the guardrails change" /> : null}
          </>
        )}
      </QueryState>
    </section>
  );
}
