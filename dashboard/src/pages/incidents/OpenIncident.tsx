import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api/client.ts';
import { keys, useFindings } from '../../api/queries.ts';
import { ErrorState } from '../../components/ui/States.tsx';
import { describeSubject } from '../../lib/evidence.ts';
import { upsertIncident } from '../../lib/incidents.ts';
import { formatTime, humanize } from '../../lib/format.ts';
import type { IncidentSummary } from '../../lib/types.ts';
import { withParams } from '../../lib/url-state.ts';

/**
 * On-call opens an incident from a finding (an SLO burn alert or an abuse detection, with its context) or by
 * hand with a title. `?finding=<id>` preselects the finding, so other pages can link here.
 */
export function OpenIncident() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const findings = useFindings();
  const [findingId, setFindingId] = useState(params.get('finding') ?? '');
  const [title, setTitle] = useState('');
  const [note, setNote] = useState('');
  const id = useId();
  const open = useMutation({
    mutationFn: () =>
      api<{ incident: IncidentSummary; created: boolean }>('/api/incidents', {
        method: 'POST',
        body: {
          ...(findingId ? { findingId } : {}),
          ...(title.trim() ? { title: title.trim() } : {}),
          ...(note.trim() ? { note: note.trim() } : {}),
        },
      }),
    onSuccess: ({ incident }) => {
      client.setQueryData<IncidentSummary[]>(keys.incidents, (list) =>
        list ? upsertIncident(list, incident) : list,
      );
      setTitle('');
      setNote('');
      navigate(`/incidents?${withParams(params, { incident: incident.id, finding: null, cite: null })}`);
    },
  });
  const recent = (findings.data ?? []).slice(0, 50);
  return (
    <form
      className="panel"
      aria-labelledby={`${id}-title`}
      onSubmit={(event) => {
        event.preventDefault();
        open.mutate();
      }}
    >
      <h2 id={`${id}-title`}>Open an incident</h2>
      <p>
        <label htmlFor={`${id}-finding`}>From a finding</label>{' '}
        <select id={`${id}-finding`} value={findingId} onChange={(e) => setFindingId(e.target.value)}>
          <option value="">none (by hand)</option>
          {recent.map((f) => (
            <option key={f.id} value={f.id}>
              {humanize(f.kind)} · {describeSubject(f.subject)} · {formatTime(f.detectedAt)}
            </option>
          ))}
        </select>
      </p>
      <p>
        <label htmlFor={`${id}-name`}>Title{findingId ? ' (optional)' : ''}</label>{' '}
        <input
          id={`${id}-name`}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          minLength={findingId ? undefined : 3}
          maxLength={300}
          required={!findingId}
        />
      </p>
      <p>
        <label htmlFor={`${id}-note`}>Note (optional)</label>{' '}
        <input id={`${id}-note`} value={note} onChange={(e) => setNote(e.target.value)} maxLength={1000} />
      </p>
      <button type="submit" disabled={open.isPending}>
        Open incident
      </button>
      {open.error ? <ErrorState error={open.error} what="a new incident" /> : null}
    </form>
  );
}
