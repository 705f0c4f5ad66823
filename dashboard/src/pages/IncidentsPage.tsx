import { Link, useSearchParams } from 'react-router';
import { useIncident, useIncidents } from '../api/queries.ts';
import { useCan } from '../auth/SessionGate.tsx';
import { Pill } from '../components/ui/Pill.tsx';
import { Empty, QueryState } from '../components/ui/States.tsx';
import { describeSubject } from '../lib/evidence.ts';
import { formatCount, formatMoney, formatPercent, formatTime, humanize } from '../lib/format.ts';
import { budgetUse } from '../lib/incidents.ts';
import type { BudgetView, IncidentDetail } from '../lib/types.ts';
import { Conversation } from './incidents/Conversation.tsx';
import { EvidencePanel } from './incidents/EvidencePanel.tsx';
import { IncidentList } from './incidents/IncidentList.tsx';
import { OpenIncident } from './incidents/OpenIncident.tsx';

function Budget({ budget, mode }: { budget: BudgetView; mode: string }) {
  const used = budget.used.inputTokens + budget.used.outputTokens;
  return (
    <div data-testid="budget">
      <label>
        Model budget: {formatCount(used)} of {formatCount(budget.limits.maxTokens)} tokens
        {budget.remainingUsd === null
          ? ''
          : `, ${formatMoney(budget.used.costUsd)} of ${formatMoney(budget.limits.maxCostUsd)}`}{' '}
        <meter min={0} max={1} value={budgetUse(budget)} high={0.8}>
          {formatPercent(budgetUse(budget), 0)}
        </meter>
      </label>
      {mode === 'offline' ? (
        <span className="muted"> · offline: no model is called, nothing is spent</span>
      ) : null}
      {budget.exhausted ? <Pill value="critical" label="Budget spent" /> : null}
    </div>
  );
}

function IncidentView({ detail, cite }: { detail: IncidentDetail; cite: string | null }) {
  const { incident } = detail;
  const finding = incident.context.finding;
  const citation = cite ? detail.citations.find((c) => c.id === cite) : undefined;
  return (
    <article aria-labelledby="incident-title" data-testid="incident-view">
      <h2 id="incident-title">
        <Pill
          value={incident.status === 'open' ? incident.severity : 'ok'}
          label={incident.status === 'open' ? undefined : 'Resolved'}
        />{' '}
        {incident.title}
      </h2>
      <dl className="facts">
        <dt>Window</dt>
        <dd>
          {formatTime(incident.window.from)} – {formatTime(incident.window.to)}
        </dd>
        {finding ? (
          <>
            <dt>Opened from</dt>
            <dd>
              {humanize(finding.kind)} finding on {describeSubject(finding.subject)} (score{' '}
              {finding.score.toFixed(2)}, detected {formatTime(finding.detectedAt)}): {finding.summary}
            </dd>
          </>
        ) : null}
        {incident.context.note ? (
          <>
            <dt>Note</dt>
            <dd>{incident.context.note}</dd>
          </>
        ) : null}
        <dt>Copilot</dt>
        <dd data-testid="chat-mode">
          {incident.chat.mode === 'offline'
            ? 'Offline: answers come from the diagnostician and the tools, not from a model'
            : `${incident.chat.mode}: ${incident.chat.model}`}
        </dd>
      </dl>
      <Budget budget={incident.budget} mode={incident.chat.mode} />
      {cite && !citation ? <Empty title={`No evidence ${cite} in this incident`} /> : null}
      {citation ? <EvidencePanel incidentId={incident.id} citation={citation} /> : null}
      <Conversation detail={detail} />
    </article>
  );
}

export function IncidentsPage() {
  const [params] = useSearchParams();
  const selected = params.get('incident');
  const incidents = useIncidents();
  const detail = useIncident(selected);
  const onCall = useCan('on_call');
  return (
    <>
      <div className="page-head">
        <h1>Incidents</h1>
      </div>
      <div className="columns incidents">
        <section aria-labelledby="incident-list-title">
          <h2 id="incident-list-title">Incidents</h2>
          <QueryState query={incidents} what="incidents">
            {(list) => <IncidentList incidents={list} />}
          </QueryState>
          {onCall ? <OpenIncident /> : null}
        </section>
        <section aria-label="Selected incident">
          {selected ? (
            <QueryState query={detail} what="the incident">
              {(d) => <IncidentView detail={d} cite={params.get('cite')} />}
            </QueryState>
          ) : (
            <Empty title="No incident selected">
              Pick one from the list{onCall ? ', or open one' : ''}. <Link to="/abuse">Findings</Link> and SLO
              alerts carry the context an incident starts from.
            </Empty>
          )}
        </section>
      </div>
    </>
  );
}
