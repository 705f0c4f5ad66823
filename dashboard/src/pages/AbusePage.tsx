import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { keys, useFeedback, useFindings, useMitigations } from '../api/queries.ts';
import { useCan } from '../auth/SessionGate.tsx';
import { Pill } from '../components/ui/Pill.tsx';
import { Empty, ErrorState, QueryState } from '../components/ui/States.tsx';
import { describeSubject, evidenceLines } from '../lib/evidence.ts';
import { formatCountdown, formatRelative, formatTime, formatTimesIn, humanize } from '../lib/format.ts';
import { activeMitigations, upsertFeedback } from '../lib/merge.ts';
import type { FeedbackRule, StoredFinding, StoredMitigation } from '../lib/types.ts';
import { useNow } from '../lib/use-now.ts';
import { withParams } from '../lib/url-state.ts';
import { GuardrailsPanel } from './abuse/Guardrails.tsx';
import { MitigationActions } from './abuse/MitigationActions.tsx';

const ABUSE_KINDS = new Set(['token_sharing', 'scraping', 'geo_spike']);

function ActiveMitigations({ list }: { list: StoredMitigation[] }) {
  const now = useNow(1000);
  const active = activeMitigations(list, now);
  if (active.length === 0)
    return (
      <Empty title="No active mitigations">
        When the copilot acts on abuse, the action and its countdown appear here.
      </Empty>
    );
  return (
    <div className="table-wrap">
      <table data-testid="active-mitigations">
        <caption>Active mitigations, soonest to expire first</caption>
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">On</th>
            <th scope="col">Policy and why</th>
            <th scope="col">Expires in</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {active.map((m) => (
            <tr key={m.id} data-testid={`mitigation-${m.id}`}>
              <th scope="row">
                {humanize(m.action)} {m.dryRun ? <Pill value="dry_run" /> : null}
              </th>
              <td>{describeSubject(m.target)}</td>
              <td>
                {m.changeSet ? (
                  <span data-testid={`origin-${m.id}`}>
                    Change set <code>{m.changeSet.changeSetId}</code>, approved by{' '}
                    {m.changeSet.approvedBy.replace(/^user:/, '')}
                  </span>
                ) : (
                  <code>{m.policy}</code>
                )}
                <br />
                <span className="muted">{m.reason}</span>
              </td>
              <td>
                <span className="countdown" data-testid={`countdown-${m.id}`} aria-live="off">
                  {formatCountdown(Date.parse(m.expiresAt) - now)}
                </span>
                <br />
                <span className="muted">until {formatTime(m.expiresAt)}</span>
              </td>
              <td>
                <MitigationActions mitigation={m} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function decisionLabel(finding: StoredFinding): { value: string; text: string } | null {
  const d = finding.decision;
  if (!d) return null;
  if (d.outcome === 'apply') return { value: 'apply', text: `Mitigated by ${d.reason}` };
  if (d.reason === 'suppressed') return { value: 'suppressed', text: formatTimesIn(d.detail) };
  return {
    value: 'info',
    text: `No action: ${humanize(d.reason).toLowerCase()} (${formatTimesIn(d.detail)})`,
  };
}

function FindingCard({ finding, selected }: { finding: StoredFinding; selected: boolean }) {
  const [params] = useSearchParams();
  const now = useNow(15_000);
  const decision = decisionLabel(finding);
  const lines = evidenceLines(finding.evidence);
  return (
    <li
      className={`finding${selected ? ' selected' : ''}`}
      id={`finding-${finding.id}`}
      data-testid="finding"
      data-subject={JSON.stringify(finding.subject)}
    >
      <article aria-labelledby={`finding-title-${finding.id}`}>
        <h3 id={`finding-title-${finding.id}`}>
          <Pill value={finding.severity} /> {humanize(finding.kind)}: {describeSubject(finding.subject)}
        </h3>
        <p>
          Score {finding.score.toFixed(2)} · detected {formatRelative(finding.detectedAt, now)} (
          {formatTime(finding.detectedAt)}) · first seen {formatTime(finding.firstSeen)}
        </p>
        <EscalationLine finding={finding} params={params} />
        {decision ? (
          <p data-testid="finding-decision">
            <Pill value={decision.value} label={decision.value === 'suppressed' ? 'Suppressed' : undefined} />{' '}
            {decision.text}
          </p>
        ) : null}
        <details open={selected}>
          <summary>Evidence</summary>
          <dl className="evidence">
            {lines.map((line) => (
              <div key={line.label}>
                <dt>{line.label}</dt>
                <dd>
                  {Array.isArray(line.value) ? (
                    <ul>
                      {line.value.map((v) => (
                        <li key={v}>{v}</li>
                      ))}
                    </ul>
                  ) : (
                    line.value
                  )}
                </dd>
              </div>
            ))}
          </dl>
        </details>
        <p>
          <Link
            to={`/abuse?${withParams(params, { finding: finding.id })}`}
            aria-label={`Link to this finding (${finding.id})`}
          >
            Link to this finding
          </Link>{' '}
          · <Link to={`/incidents?finding=${encodeURIComponent(finding.id)}`}>Open an incident</Link>
        </p>
      </article>
    </li>
  );
}

/** Where a finding stands in its episode: it escalates an earlier one, or a later one escalated it. */
function EscalationLine({ finding, params }: { finding: StoredFinding; params: URLSearchParams }) {
  const link = (id: string, text: string) => (
    <Link to={`/abuse?${withParams(params, { finding: id })}`}>{text}</Link>
  );
  if (finding.escalatedBy)
    return (
      <p data-testid="finding-escalation">
        <Pill value="escalated" label="Superseded" /> The evidence grew:{' '}
        {link(finding.escalatedBy.id, 'see the escalation')}.
      </p>
    );
  if (finding.escalates)
    return (
      <p data-testid="finding-escalation">
        Escalates {link(finding.escalates.id, 'an earlier finding')} of the same episode, on stronger
        evidence.
      </p>
    );
  return null;
}

function Findings({ list }: { list: StoredFinding[] }) {
  const [params] = useSearchParams();
  const selected = params.get('finding');
  const abuse = list.filter((f) => ABUSE_KINDS.has(f.kind));
  useEffect(() => {
    if (selected) document.getElementById(`finding-${selected}`)?.scrollIntoView({ block: 'center' });
  }, [selected]);
  if (abuse.length === 0)
    return (
      <Empty title="No abuse detected">
        Findings appear here within a second of detection. Nothing to do until then.
      </Empty>
    );
  return (
    <ol className="finding-list" aria-label="Findings, newest first">
      {abuse.map((f) => (
        <FindingCard key={f.id} finding={f} selected={f.id === selected} />
      ))}
    </ol>
  );
}

function FeedbackList({ rules }: { rules: FeedbackRule[] }) {
  const onCall = useCan('on_call');
  const client = useQueryClient();
  const end = useMutation({
    mutationFn: (id: string) =>
      api<{ feedback: FeedbackRule }>(`/api/feedback/${id}/end`, { method: 'POST', body: {} }),
    onSuccess: (result) =>
      client.setQueryData<FeedbackRule[]>(keys.feedback, (list) =>
        list ? upsertFeedback(list, result.feedback) : list,
      ),
  });
  const active = rules.filter(
    (r) => r.status === 'active' && (r.expiresAt === null || Date.parse(r.expiresAt) > Date.now()),
  );
  if (active.length === 0)
    return (
      <Empty title="No false-positive feedback in force">
        Marking a mitigation as a false positive records it here.
      </Empty>
    );
  return (
    <>
      <ul className="feedback-list" data-testid="feedback">
        {active.map((rule) => (
          <li key={rule.id}>
            <strong>{describeSubject(rule.subject)}</strong>:{' '}
            {rule.kind === 'suppress' ? `no action until ${formatTime(rule.expiresAt)}` : 'allow-listed'} ·{' '}
            {rule.reason} ({rule.actor.replace(/^user:/, '')}, {formatTime(rule.createdAt)})
            {onCall && rule.kind === 'suppress' ? (
              <button type="button" className="secondary" onClick={() => end.mutate(rule.id)}>
                End now
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {end.error ? <ErrorState error={end.error} what="the change" /> : null}
    </>
  );
}

export function AbusePage() {
  const findings = useFindings();
  const mitigations = useMitigations();
  const feedback = useFeedback();
  return (
    <>
      <h1>Abuse</h1>
      <div className="columns">
        <div>
          <h2>Active mitigations</h2>
          <QueryState query={mitigations} what="mitigations">
            {(list) => <ActiveMitigations list={list} />}
          </QueryState>
          <h2>False positives in force</h2>
          <QueryState query={feedback} what="feedback">
            {(rules) => <FeedbackList rules={rules} />}
          </QueryState>
          <GuardrailsPanel />
        </div>
        <div>
          <h2>Findings</h2>
          <QueryState query={findings} what="findings">
            {(list) => <Findings list={list} />}
          </QueryState>
        </div>
      </div>
    </>
  );
}
