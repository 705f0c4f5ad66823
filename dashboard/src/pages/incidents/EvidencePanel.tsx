import { Link, useSearchParams } from 'react-router';
import { useEvidence } from '../../api/queries.ts';
import { QueryState } from '../../components/ui/States.tsx';
import { metricRows, traceRows } from '../../lib/evidence-view.ts';
import { formatMs, formatTime } from '../../lib/format.ts';
import { citationLabel } from '../../lib/incidents.ts';
import type { Citation, ResolvedEvidence } from '../../lib/types.ts';
import { withParams } from '../../lib/url-state.ts';

function Observation({ resolved }: { resolved: ResolvedEvidence }) {
  const { citation, observation } = resolved;
  if (resolved.status !== 'found')
    return (
      <p className="state state-empty" role="status">
        {resolved.status === 'not_found' ? 'Not found in the source any more' : 'Cannot be opened'}:{' '}
        {resolved.message}
      </p>
    );
  if (citation.kind === 'log') {
    const event = observation as {
      timestampMs?: number;
      logGroup?: string;
      logStream?: string;
      message?: string;
    };
    return (
      <>
        <p>
          {formatTime(event.timestampMs)} · {event.logGroup}
          {event.logStream ? ` / ${event.logStream}` : ''}
        </p>
        <pre className="observation" data-testid="observation">
          {event.message}
        </pre>
      </>
    );
  }
  if (citation.kind === 'trace') {
    const rows = traceRows(
      observation,
      typeof citation.ref.spanId === 'string' ? citation.ref.spanId : undefined,
    );
    return (
      <table data-testid="observation">
        <caption>Spans of the trace, in start order</caption>
        <thead>
          <tr>
            <th scope="col">Span</th>
            <th scope="col">Start</th>
            <th scope="col">Duration</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.id}-${row.startMs}`} className={row.cited ? 'cited' : undefined}>
              <th scope="row" style={{ paddingLeft: `${row.depth * 1.2 + 0.3}rem` }}>
                {row.name}
                {row.cited ? ' (cited)' : ''}
              </th>
              <td>{formatTime(row.startMs)}</td>
              <td>{formatMs(row.durationMs)}</td>
              <td>
                {row.status}
                {row.httpStatus ? ` (${row.httpStatus})` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (citation.kind === 'metric') {
    const rows = metricRows(observation, citation.ref.timestamp);
    return (
      <table data-testid="observation">
        <caption>Points around the cited one</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.timestamp} className={row.cited ? 'cited' : undefined}>
              <th scope="row">
                {formatTime(row.timestamp)}
                {row.cited ? ' (cited)' : ''}
              </th>
              <td>{row.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <pre className="observation" data-testid="observation">
      {JSON.stringify(observation, null, 2)}
    </pre>
  );
}

/** A citation opened: where it came from (tool, exact query and range) and the observation fetched again. */
export function EvidencePanel({ incidentId, citation }: { incidentId: string; citation: Citation }) {
  const [params] = useSearchParams();
  const resolved = useEvidence(incidentId, citation.id);
  return (
    <section className="panel" aria-labelledby="evidence-title" data-testid="evidence-panel">
      <h2 id="evidence-title">
        {citation.id}: {citationLabel(citation)}
      </h2>
      <p>
        From <code>{citation.tool}</code>
        {citation.query.from
          ? ` over ${formatTime(citation.query.from)} – ${formatTime(citation.query.to)}`
          : ''}
        {citation.withheld ? ' · withheld from the model (it read like instructions)' : ''}
      </p>
      <details>
        <summary>Exact query</summary>
        <pre className="observation">{JSON.stringify(citation.query, null, 2)}</pre>
      </details>
      {citation.excerpt ? <blockquote>{citation.excerpt}</blockquote> : null}
      <QueryState query={resolved} what={`evidence ${citation.id}`}>
        {(data) => <Observation resolved={data} />}
      </QueryState>
      <p>
        <Link to={`/incidents?${withParams(params, { cite: null })}`}>Close evidence</Link>
      </p>
    </section>
  );
}
