import { usePrewarmDecisions } from '../../api/queries.ts';
import { Pill } from '../../components/ui/Pill.tsx';
import { Empty, QueryState } from '../../components/ui/States.tsx';
import { formatCount, formatTime } from '../../lib/format.ts';
import { MODE_LABEL, noDecisionTitle, notPlanned } from '../../lib/prewarm.ts';
import type { PrewarmDecisionRecord, PrewarmLoopStatus } from '../../lib/types.ts';

const MODE_PILL = { live: 'active', 'dry-run': 'dry_run', off: 'expired' } as const;
const ALLOCATION_PILL = { READY: 'ok', IN_PROGRESS: 'pending', FAILED: 'failed' } as const;
const ALLOCATION_LABEL = { READY: 'Ready', IN_PROGRESS: 'Allocating', FAILED: 'Failed' } as const;

/** What the loop does, in the words the empty state and the caption share. */
function loopSummary(status: PrewarmLoopStatus): string {
  if (status.mode === 'off')
    return `The pre-warming loop is off${status.reason ? ` (${status.reason})` : ''}: provisioned concurrency is left to the approved tunables.`;
  const bounds = status.bounds ? `, within the approved ${status.bounds.min}–${status.bounds.max}` : '';
  const what =
    status.mode === 'dry-run'
      ? 'plans and records what it would request, changing nothing'
      : 'requests that capacity from Lambda';
  return `Every minute the loop reads each function's complete minutes, forecasts peak concurrency ${status.leadMinutes ?? '?'} minutes ahead and ${what}${bounds}.`;
}

function Allocation({ decision }: { decision: PrewarmDecisionRecord }) {
  const { allocation, allocationFailed } = decision;
  if (allocation) {
    return (
      <>
        <Pill value={ALLOCATION_PILL[allocation.status]} label={ALLOCATION_LABEL[allocation.status]} />{' '}
        {allocation.allocated} of {allocation.requested}
        {allocation.status === 'FAILED' ? (
          <div className="muted">{allocation.reason ?? allocationFailed ?? 'Lambda gave no reason'}</div>
        ) : null}
      </>
    );
  }
  if (allocationFailed)
    return (
      <>
        <Pill value="failed" label="Unknown" /> <div className="muted">{allocationFailed}</div>
      </>
    );
  return <span className="muted">{decision.mode === 'dry-run' ? 'not requested (dry run)' : '–'}</span>;
}

function Outcome({ decision }: { decision: PrewarmDecisionRecord }) {
  if (decision.error) return <Pill value="failed" label={`Failed: ${decision.error}`} />;
  if (!decision.changed) return <span>unchanged</span>;
  if (decision.mode === 'dry-run') return <Pill value="dry_run" label="Would change" />;
  return <Pill value="ok" label="Changed" />;
}

function DecisionRow({ decision }: { decision: PrewarmDecisionRecord }) {
  const clamped = decision.requested !== decision.planned;
  return (
    <tr data-testid="prewarm-decision">
      <th scope="row">{formatTime(decision.at)}</th>
      <td>
        {decision.demand
          ? `${formatCount(decision.demand.invocations)} ${decision.demand.invocations === 1 ? 'invocation' : 'invocations'}, peak ${formatCount(decision.demand.peakConcurrency)}`
          : 'none yet'}
      </td>
      <td>
        median {formatCount(decision.forecast.median)}, p90 {formatCount(decision.forecast.p90)}
        <div className="muted">for {formatTime(decision.forecast.minute)}</div>
      </td>
      <td>
        {decision.previous ?? '–'} → <strong>{decision.requested}</strong>
        {clamped ? <div className="muted">plan {decision.planned}, clamped</div> : null}
      </td>
      <td>
        {decision.bounds.min}–{decision.bounds.max}
      </td>
      <td>
        <Pill value={MODE_PILL[decision.mode]} label={MODE_LABEL[decision.mode]} />
      </td>
      <td>
        <Outcome decision={decision} />
      </td>
      <td>
        <Allocation decision={decision} />
      </td>
    </tr>
  );
}

/** The every-minute loop's decisions for one function, newest first, live. */
export function PrewarmDecisions({ functionName }: { functionName: string }) {
  const query = usePrewarmDecisions(functionName);
  return (
    <section aria-labelledby="prewarm-decisions-heading" data-testid="prewarm-decisions">
      <h2 id="prewarm-decisions-heading">Pre-warming decisions</h2>
      <QueryState
        query={query}
        what="pre-warming decisions"
        empty={(view) => {
          if (view.decisions.length > 0) return null;
          const other = notPlanned(functionName, view.status);
          return other ? (
            <Empty title={other.title}>{other.body}</Empty>
          ) : (
            <Empty title={noDecisionTitle(functionName, view.status.mode)}>{loopSummary(view.status)}</Empty>
          );
        }}
      >
        {(view) => (
          <>
            <p className="muted">
              <Pill value={MODE_PILL[view.status.mode]} label={MODE_LABEL[view.status.mode]} />{' '}
              {loopSummary(view.status)}
            </p>
            <div className="table-wrap">
              <table>
                <caption>
                  Decisions of the pre-warming loop for {functionName}, newest first (every change is also in
                  the audit trail)
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Demand seen</th>
                    <th scope="col">Forecast</th>
                    <th scope="col">Requested</th>
                    <th scope="col">Approved bounds</th>
                    <th scope="col">Mode</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Allocation</th>
                  </tr>
                </thead>
                <tbody>
                  {view.decisions.map((d) => (
                    <DecisionRow key={d.id} decision={d} />
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </QueryState>
    </section>
  );
}
