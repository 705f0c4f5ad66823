import { Link, useSearchParams } from 'react-router';
import { Pill } from '../../components/ui/Pill.tsx';
import { Empty } from '../../components/ui/States.tsx';
import { formatCount, formatRelative, formatTime, humanize } from '../../lib/format.ts';
import type { IncidentSummary } from '../../lib/types.ts';
import { withParams } from '../../lib/url-state.ts';
import { useNow } from '../../lib/use-now.ts';

function origin(incident: IncidentSummary): string {
  const { origin: o } = incident;
  if (o.kind === 'operator') return `opened by ${incident.openedBy.replace(/^user:/, '')}`;
  const by = o.automatic ? 'opened by the copilot' : `opened by ${incident.openedBy.replace(/^user:/, '')}`;
  return `${by} from a ${humanize(o.findingKind ?? 'finding')} finding`;
}

/** Open incidents first, newest first within each; the selected one is marked. */
export function IncidentList({ incidents }: { incidents: IncidentSummary[] }) {
  const [params] = useSearchParams();
  const selected = params.get('incident');
  const now = useNow(30_000);
  if (incidents.length === 0)
    return (
      <Empty title="No incidents">
        An SLO alert that pages opens one by itself; on-call can open one from a finding or by hand.
      </Empty>
    );
  const ordered = [...incidents].sort(
    (a, b) =>
      (a.status === b.status ? 0 : a.status === 'open' ? -1 : 1) || b.openedAt.localeCompare(a.openedAt),
  );
  return (
    <ol className="finding-list" aria-label="Incidents, open first">
      {ordered.map((incident) => (
        <li
          key={incident.id}
          className={`finding${incident.id === selected ? ' selected' : ''}`}
          data-testid={`incident-${incident.id}`}
        >
          <Link
            to={`/incidents?${withParams(params, { incident: incident.id, cite: null })}`}
            aria-current={incident.id === selected ? 'true' : undefined}
          >
            <strong>{incident.title}</strong>
          </Link>
          <p>
            <Pill
              value={incident.status === 'open' ? incident.severity : 'ok'}
              label={incident.status === 'open' ? undefined : 'Resolved'}
            />{' '}
            {origin(incident)} ·{' '}
            {formatRelative(incident.openedAt, Math.max(now, Date.parse(incident.openedAt)))} (
            {formatTime(incident.openedAt)}) · {formatCount(incident.messages)} messages
          </p>
        </li>
      ))}
    </ol>
  );
}
