import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { keys, useReport, useReports } from '../api/queries.ts';
import { useCan } from '../auth/SessionGate.tsx';
import { Empty, ErrorState, QueryState } from '../components/ui/States.tsx';
import { upsertChangeSet } from '../lib/change-sets.ts';
import { formatCount, formatMoney } from '../lib/format.ts';
import type { ChangeSet, ReportRecommendation, ReportSummary } from '../lib/types.ts';
import { withParams } from '../lib/url-state.ts';

/** "Propose": the recommendation's change set, proposed by the signed-in on-call engineer (someone else approves). */
function Propose({ day, rec }: { day: string; rec: ReportRecommendation }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const propose = useMutation({
    mutationFn: () =>
      api<{ changeSet: ChangeSet }>('/api/change-sets', {
        method: 'POST',
        body: {
          document: rec.changeSet.document,
          patch: rec.changeSet.patch,
          title: rec.title,
          rationale: rec.rationale,
          origin: { kind: 'report', ref: `${day}/${rec.id}` },
          recommendation: {
            evidence: rec.evidence,
            estimate: rec.estimate,
            risk: rec.risk,
            reversible: rec.reversible,
            reversibility: rec.reversibility,
          },
          ...(rec.changeSet.verification ? { verification: rec.changeSet.verification } : {}),
        },
      }),
    onSuccess: ({ changeSet }) => {
      client.setQueryData<ChangeSet[]>(keys.changeSets, (list) =>
        list ? upsertChangeSet(list, changeSet) : list,
      );
      navigate(`/change-sets?id=${encodeURIComponent(changeSet.id)}`);
    },
  });
  return (
    <>
      <button
        type="button"
        onClick={() => propose.mutate()}
        disabled={propose.isPending}
        data-testid={`propose-${rec.id}`}
      >
        {propose.isPending ? 'Planning (synthesizing the stacks)…' : 'Propose change set'}
      </button>
      {propose.error ? <ErrorState error={propose.error} what="the proposal" /> : null}
    </>
  );
}

function Recommendations({ day }: { day: string }) {
  const report = useReport(day);
  const onCall = useCan('on_call');
  return (
    <QueryState query={report} what="the report">
      {(r) => (
        <div data-testid="recommendations">
          {r.recommendations.length === 0 ? (
            <Empty title={`No recommendations for ${r.day}`}>
              {r.cache.total.requests === 0
                ? 'No request reached the edge that day: the report has nothing to measure yet.'
                : `Nothing in the day's ${formatCount(r.cache.total.requests)} edge requests and function reports crossed a threshold.`}
            </Empty>
          ) : (
            <table>
              <caption>
                {r.recommendations.length} recommendation(s), est. {formatMoney(r.estimatedMonthlySavingUsd)}{' '}
                a month
              </caption>
              <thead>
                <tr>
                  <th scope="col">Recommendation</th>
                  <th scope="col">Monthly saving</th>
                  <th scope="col">Risk</th>
                  <th scope="col">Change set</th>
                </tr>
              </thead>
              <tbody>
                {r.recommendations.map((rec) => (
                  <tr key={rec.id}>
                    <td>
                      <strong>{rec.title}</strong>
                      <br />
                      <small>Assumptions: {rec.estimate.assumptions.join('; ')}</small>
                    </td>
                    <td>{formatMoney(rec.estimate.monthlySavingUsd)}</td>
                    <td>{rec.risk}</td>
                    <td>{onCall ? <Propose day={day} rec={rec} /> : 'an on-call engineer proposes it'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </QueryState>
  );
}

/** "Report on today so far": the day's report written now, as the schedule writes it (on call). */
function RunReport({ onDone }: { onDone: (day: string) => void }) {
  const client = useQueryClient();
  const run = useMutation({
    mutationFn: () => api<ReportSummary>('/api/reports/run', { method: 'POST', body: {} }),
    onSuccess: (summary) => {
      void client.invalidateQueries({ queryKey: keys.reports });
      onDone(summary.day);
    },
  });
  return (
    <div>
      <button type="button" onClick={() => run.mutate()} disabled={run.isPending} data-testid="run-report">
        {run.isPending ? 'Writing the report…' : 'Report on today so far'}
      </button>
      {run.error ? <ErrorState error={run.error} what="the report" /> : null}
    </div>
  );
}

/** The daily optimization reports: pick a day, read its recommendations and the full report (charts inline). */
export function ReportsPage() {
  const [params, setParams] = useSearchParams();
  const reports = useReports();
  const onCall = useCan('on_call');
  const canRun = onCall && reports.data?.canRun === true;
  return (
    <>
      <div className="page-head">
        <h1>Reports</h1>
        {canRun ? <RunReport onDone={(day) => setParams(withParams(params, { day }))} /> : null}
      </div>
      <QueryState
        query={reports}
        what="reports"
        empty={({ reports: list }) =>
          list.length === 0 ? (
            <Empty title="No reports yet">
              The daily report runs at 00:15 UTC for the day before.{' '}
              {canRun ? (
                <>“Report on today so far” writes one now.</>
              ) : (
                <>
                  To run one now, in the project folder: <code>npx boundless report --date today</code> (with
                  the same <code>--data-dir</code> as <code>boundless start</code>, if it was given one).
                </>
              )}
            </Empty>
          ) : null
        }
      >
        {({ reports: list }) => {
          const day = params.get('day') ?? list[0]?.day ?? null;
          return (
            <>
              <label>
                Day{' '}
                <select
                  value={day ?? ''}
                  onChange={(e) => setParams(withParams(params, { day: e.target.value }))}
                >
                  {list.map((r) => (
                    <option key={r.day} value={r.day}>
                      {r.day} ({r.recommendations} rec., {formatMoney(r.estimatedMonthlySavingUsd)}/mo)
                    </option>
                  ))}
                </select>
              </label>
              {day ? (
                <>
                  <Recommendations day={day} />
                  <iframe
                    // Written again (today's report so far), the same day's frame loads the new one.
                    key={`${day}@${list.find((r) => r.day === day)?.generatedAt ?? ''}`}
                    className="report"
                    title={`Daily optimization report ${day}`}
                    sandbox=""
                    src={`/api/reports/${encodeURIComponent(day)}?format=html`}
                  />
                </>
              ) : null}
            </>
          );
        }}
      </QueryState>
    </>
  );
}
