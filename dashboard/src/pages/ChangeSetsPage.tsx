import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { keys, useChangeSet, useChangeSets } from '../api/queries.ts';
import { useOperator } from '../auth/SessionGate.tsx';
import { Pill } from '../components/ui/Pill.tsx';
import { Empty, ErrorState, QueryState } from '../components/ui/States.tsx';
import { changeSetActions, upsertChangeSet } from '../lib/change-sets.ts';
import { formatTime } from '../lib/format.ts';
import type { ChangeAuditEntry, ChangeSet } from '../lib/types.ts';
import { withParams } from '../lib/url-state.ts';

type Step = 'approve' | 'reject' | 'apply' | 'rollback';

function Actions({ cs }: { cs: ChangeSet }) {
  const client = useQueryClient();
  const session = useOperator();
  const [text, setText] = useState('');
  const can = changeSetActions(cs, session, Date.now());
  const step = useMutation({
    mutationFn: (s: Step) =>
      api<{ changeSet: ChangeSet }>(`/api/change-sets/${cs.id}/${s}`, {
        method: 'POST',
        body: s === 'apply' ? undefined : s === 'approve' ? (text ? { note: text } : {}) : { reason: text },
      }),
    onSuccess: ({ changeSet }) => {
      client.setQueryData<ChangeSet[]>(keys.changeSets, (list) =>
        list ? upsertChangeSet(list, changeSet) : list,
      );
      void client.invalidateQueries({ queryKey: keys.changeSet(cs.id) });
      setText('');
    },
  });
  const any = can.approve.allowed || can.reject || can.apply || can.rollback;
  return (
    <fieldset className="row-actions" aria-label="Change set actions">
      {can.approve.why ? <p data-testid="approve-why">Approval: {can.approve.why}</p> : null}
      {any ? (
        <>
          {can.approve.allowed || can.reject || can.rollback ? (
            <label>
              Note or reason (for the audit trail){' '}
              <input value={text} onChange={(e) => setText(e.target.value)} data-testid="step-text" />
            </label>
          ) : null}
          {can.approve.allowed ? (
            <button
              type="button"
              onClick={() => step.mutate('approve')}
              disabled={step.isPending}
              data-testid="approve"
            >
              Approve
            </button>
          ) : null}
          {can.reject ? (
            <button
              type="button"
              onClick={() => step.mutate('reject')}
              disabled={step.isPending || text.trim().length < 3}
            >
              Reject
            </button>
          ) : null}
          {can.apply ? (
            <button
              type="button"
              onClick={() => step.mutate('apply')}
              disabled={step.isPending}
              data-testid="apply"
            >
              Apply
            </button>
          ) : null}
          {can.rollback ? (
            <button
              type="button"
              onClick={() => step.mutate('rollback')}
              disabled={step.isPending || text.trim().length < 3}
              data-testid="rollback"
            >
              Roll back
            </button>
          ) : null}
        </>
      ) : null}
      {step.error ? <ErrorState error={step.error} what="that step" /> : null}
    </fieldset>
  );
}

function Audit({ audit, intact }: { audit: ChangeAuditEntry[]; intact: boolean }) {
  return (
    <table data-testid="audit">
      <caption>
        Audit trail (append-only, hash-chained:{' '}
        {intact ? 'chain intact' : 'CHAIN BROKEN: the history was edited'})
      </caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">What</th>
          <th scope="col">Plan hash</th>
        </tr>
      </thead>
      <tbody>
        {audit.map((e) => (
          <tr key={e.seq}>
            <td>{e.seq}</td>
            <td>{formatTime(Date.parse(e.at))}</td>
            <td>{e.actor}</td>
            <td>
              {e.action.replaceAll('_', ' ')}
              {typeof e.detail.code === 'string' ? ` (${e.detail.code})` : ''}
            </td>
            <td>
              <code>{e.planHash.slice(0, 12)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Detail({ id }: { id: string }) {
  const detail = useChangeSet(id);
  return (
    <QueryState query={detail} what="the change set">
      {({ changeSet: cs, audit, auditIntact }) => (
        <section className="change-set" aria-label="Change set detail" data-testid="change-set-detail">
          <h2>
            {cs.title} <Pill value={cs.status} />
          </h2>
          <p>{cs.rationale}</p>
          <p>
            Proposed by {cs.proposedBy} ({cs.origin.kind}) · approval by{' '}
            {cs.tier === 'owner' ? `an owner (${cs.tierReasons.join('; ')})` : 'an on-call engineer'} · plan{' '}
            <code>{cs.plan.planHash.slice(0, 12)}</code> on base{' '}
            <code>{cs.plan.baseVersion.slice(0, 12)}</code>
            {cs.approval
              ? ` · approved by ${cs.approval.by}, expires ${formatTime(Date.parse(cs.approval.expiresAt))}`
              : ''}
          </p>
          <Actions cs={cs} />
          <h3>Patch</h3>
          <pre>{JSON.stringify(cs.plan.patch, null, 2)}</pre>
          <h3>Template diff ({cs.plan.diff.differenceCount} differences)</h3>
          <pre data-testid="diff">{cs.plan.diff.text || 'No template changes.'}</pre>
          {cs.plan.diff.securityText ? (
            <>
              <h3>Security changes</h3>
              <pre>{cs.plan.diff.securityText}</pre>
            </>
          ) : null}
          <h3>Verification</h3>
          {cs.verification ? (
            <p>
              {cs.verification.metric} should {cs.verification.direction} over {cs.verification.windowMinutes}{' '}
              min
              {cs.verification.guardSlos.length ? `; guard SLOs ${cs.verification.guardSlos.join(', ')}` : ''}
            </p>
          ) : (
            <p>No metric to verify on.</p>
          )}
          {cs.verificationResult ? (
            <p data-testid="verification">
              <Pill value={cs.verificationResult.outcome} /> baseline{' '}
              {cs.verificationResult.baseline.value ?? '–'} → observed{' '}
              {cs.verificationResult.observed.value ?? '–'} {cs.verificationResult.unit}
              {cs.verificationResult.expected !== undefined
                ? ` (estimate ${cs.verificationResult.expected})`
                : ''}
            </p>
          ) : null}
          <Audit audit={audit} intact={auditIntact} />
        </section>
      )}
    </QueryState>
  );
}

/** Change sets: the list, one change set's diff, its approval by role, verification and audit trail. */
export function ChangeSetsPage() {
  const [params, setParams] = useSearchParams();
  const selected = params.get('id');
  const list = useChangeSets();
  return (
    <>
      <div className="page-head">
        <h1>Change sets</h1>
      </div>
      <QueryState
        query={list}
        what="change sets"
        empty={(rows) =>
          rows.length === 0 ? (
            <Empty title="No change sets yet">
              Propose one from a recommendation of a daily report (<Link to="/reports">Reports</Link>) or from
              a suggested mitigation in an incident (<Link to="/incidents">Incidents</Link>); someone else
              approves it before it is applied.
            </Empty>
          ) : null
        }
      >
        {(rows) => (
          <table data-testid="change-sets">
            <caption>Change sets, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Status</th>
                <th scope="col">Approval</th>
                <th scope="col">Proposed by</th>
                <th scope="col">Proposed</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((cs) => (
                <tr key={cs.id} aria-selected={cs.id === selected}>
                  <td>
                    <button
                      type="button"
                      className="link"
                      onClick={() => setParams(withParams(params, { id: cs.id }))}
                    >
                      {cs.title}
                    </button>
                  </td>
                  <td>
                    <Pill value={cs.status} />
                  </td>
                  <td>{cs.tier === 'owner' ? 'owner' : 'on call'}</td>
                  <td>{cs.proposedBy}</td>
                  <td>{formatTime(Date.parse(cs.proposedAt))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      {selected ? <Detail id={selected} /> : null}
    </>
  );
}
