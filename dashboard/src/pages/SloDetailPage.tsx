import { Link, useParams, useSearchParams } from 'react-router';
import { useFindings, useSlo, useSloHistory } from '../api/queries.ts';
import { TimeSeries } from '../components/graphs/TimeSeries.tsx';
import { Pill } from '../components/ui/Pill.tsx';
import { RangePicker } from '../components/ui/RangePicker.tsx';
import { Empty, QueryState } from '../components/ui/States.tsx';
import { Tile } from '../components/ui/Tile.tsx';
import { budgetSeries } from '../lib/budget.ts';
import {
  formatBudget,
  formatBurnRate,
  formatCount,
  formatMs,
  formatPercent,
  formatRelative,
  formatTime,
} from '../lib/format.ts';
import type { SloHistory, SloStatus } from '../lib/types.ts';
import { parseRange } from '../lib/url-state.ts';

const minutes = (m: number) => (m % 1440 === 0 ? `${m / 1440}d` : m % 60 === 0 ? `${m / 60}h` : `${m}m`);

function Charts({ history, slo }: { history: SloHistory; slo: SloStatus }) {
  if (history.points.length === 0)
    return <Empty title="No measurements in this range">Pick a longer range, or wait for traffic.</Empty>;
  const times = history.points.map((p) => p.t);
  const budget = budgetSeries(history.points, history.objective);
  return (
    <>
      <h2>Error budget over the range</h2>
      <TimeSeries
        times={times}
        label={`Error budget left over the range, from 100 % at its start to ${formatBudget(budget.at(-1))}`}
        series={[{ label: 'Budget left', values: budget, color: '#1d4ed8' }]}
        formatY={(v) => `${Math.round(v * 100)} %`}
        // From 0 % (or the overspent budget's low) to 100 %, where an untouched budget's line then lies.
        yMin={Math.min(0, ...budget)}
      />
      {history.alerts.map((alert) => (
        <section key={alert.name}>
          <h2>
            Burn rate: {alert.name} ({minutes(alert.longMinutes)} and {minutes(alert.shortMinutes)} windows,
            alert above {formatBurnRate(alert.thresholdBurnRate)})
          </h2>
          <TimeSeries
            times={times}
            height={160}
            label={`Burn rate of the ${minutes(alert.longMinutes)} and ${minutes(alert.shortMinutes)} windows against the threshold ${alert.thresholdBurnRate}`}
            series={[
              { label: `long ${minutes(alert.longMinutes)}`, values: alert.long, color: '#b91c1c' },
              {
                label: `short ${minutes(alert.shortMinutes)}`,
                values: alert.short,
                color: '#c2410c',
                width: 1,
              },
              {
                label: 'threshold',
                values: times.map(() => alert.thresholdBurnRate),
                color: '#111827',
                dash: true,
                width: 1,
              },
            ]}
            formatY={(v) => formatBurnRate(v)}
          />
        </section>
      ))}
      <h2>
        Requests and{' '}
        {slo.sli.kind === 'latency'
          ? `requests slower than ${formatMs(slo.sli.thresholdMs)}`
          : 'server errors'}
      </h2>
      <TimeSeries
        times={times}
        height={160}
        label="Valid and bad requests per step"
        series={[
          {
            label: 'requests',
            values: history.points.map((p) => p.validEvents),
            color: '#15803d',
            stepped: true,
          },
          {
            label: slo.sli.kind === 'latency' ? 'too slow' : 'errors',
            values: history.points.map((p) => p.badEvents),
            color: '#b91c1c',
            stepped: true,
          },
        ]}
        formatY={(v) => formatCount(v)}
        yMin={0}
      />
      <p className="muted">
        {history.stepMinutes}-minute steps from {formatTime(history.from)} to {formatTime(history.to)}.
      </p>
    </>
  );
}

export function SloDetailPage() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const range = parseRange(params, Date.now(), '6h');
  const snapshot = useSlo();
  const history = useSloHistory(id, range);
  const findings = useFindings();
  const slo = snapshot.data?.slos.find((s) => s.id === id);
  return (
    <>
      <p>
        <Link to={`/${params.toString() ? `?${params}` : ''}`}>← All objectives</Link>
      </p>
      <div className="page-head">
        <h1>{id}</h1>
        <RangePicker current={range.key} />
      </div>
      <QueryState
        query={snapshot}
        what="the SLO"
        empty={() =>
          slo ? null : <Empty title={`No SLO named ${id}`}>It may have been renamed in slos.json.</Empty>
        }
      >
        {() =>
          slo ? (
            <>
              <p>{slo.description}</p>
              <div className="tiles">
                <Tile
                  label="Objective"
                  value={
                    slo.sli.kind === 'latency'
                      ? `p${Math.round(slo.objective * 100)} ≤ ${formatMs(slo.sli.thresholdMs)}`
                      : formatPercent(slo.objective)
                  }
                  note={`over ${slo.window}`}
                />
                <Tile
                  label="Current"
                  value={formatPercent(slo.budget.sli)}
                  note={`${formatCount(slo.budget.validEvents)} requests in the window`}
                  testId="detail-sli"
                />
                <Tile
                  label="Budget left"
                  value={formatBudget(slo.budget.remainingFraction)}
                  note={
                    slo.budget.timeToExhaustionMs === null
                      ? 'not burning'
                      : `gone in ${formatRelative(new Date(Date.now() + slo.budget.timeToExhaustionMs).toISOString(), Date.now()).replace('in ', '')} at the current burn`
                  }
                />
                <Tile label="Burn rate (current)" value={formatBurnRate(slo.budget.currentBurnRate)} />
              </div>
              <table>
                <caption>
                  Alerts (each fires when both windows burn above its threshold and the long window holds at
                  least its minimum of requests)
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Alert</th>
                    <th scope="col">State</th>
                    <th scope="col">Long window</th>
                    <th scope="col">Short window</th>
                    <th scope="col">Threshold</th>
                    <th scope="col">Minimum traffic</th>
                    <th scope="col">Action</th>
                  </tr>
                </thead>
                <tbody>
                  {slo.alerts.map((a) => (
                    <tr key={a.name}>
                      <th scope="row">{a.name}</th>
                      <td>
                        <Pill value={a.state} />
                        {a.firingSince ? (
                          <span className="muted"> since {formatTime(a.firingSince)}</span>
                        ) : null}
                      </td>
                      <td>
                        {formatBurnRate(a.long.burnRate)}{' '}
                        <span className="muted">
                          ({minutes(a.long.minutes)}, {formatCount(a.long.validEvents)} req)
                        </span>
                      </td>
                      <td>
                        {formatBurnRate(a.short.burnRate)}{' '}
                        <span className="muted">
                          ({minutes(a.short.minutes)}, {formatCount(a.short.validEvents)} req)
                        </span>
                      </td>
                      <td>{formatBurnRate(a.thresholdBurnRate)}</td>
                      <td>{formatCount(a.minEvents)} requests</td>
                      <td>{a.action}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null
        }
      </QueryState>
      {slo ? (
        <QueryState query={history} what="the SLO's history">
          {(data) => <Charts history={data} slo={slo} />}
        </QueryState>
      ) : null}
      <h2>Findings raised</h2>
      <QueryState
        query={findings}
        what="findings"
        empty={(list) =>
          list.some((f) => f.subject.slo === id) ? null : (
            <Empty title="No burn-rate alert has fired for this objective">
              Alerts that fire appear here and on the on-call page.
            </Empty>
          )
        }
      >
        {(list) => (
          <ul className="finding-list">
            {list
              .filter((f) => f.subject.slo === id)
              .map((f) => (
                <li key={f.id}>
                  <Pill value={f.severity} /> {formatTime(f.detectedAt)}: {f.summary} ·{' '}
                  <Link to={`/incidents?finding=${encodeURIComponent(f.id)}`}>Open an incident</Link>
                </li>
              ))}
          </ul>
        )}
      </QueryState>
    </>
  );
}
