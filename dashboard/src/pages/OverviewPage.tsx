import { Link, useSearchParams } from 'react-router';
import { useOverview, useSlo, useSloHistory } from '../api/queries.ts';
import { Sparkline } from '../components/graphs/Sparkline.tsx';
import { Pill } from '../components/ui/Pill.tsx';
import { RangePicker } from '../components/ui/RangePicker.tsx';
import { Empty, QueryState } from '../components/ui/States.tsx';
import { Tile } from '../components/ui/Tile.tsx';
import { budgetJudged, budgetSeries } from '../lib/budget.ts';
import {
  formatBudget,
  formatBurnRate,
  formatCount,
  formatMoney,
  formatMs,
  formatPercent,
  formatTime,
} from '../lib/format.ts';
import { sortSlosByBudget } from '../lib/sort.ts';
import type { Overview, SloSnapshot, SloStatus } from '../lib/types.ts';
import { parseRange, type TimeRange } from '../lib/url-state.ts';

function BudgetSparkline({ slo, range }: { slo: SloStatus; range: TimeRange }) {
  const history = useSloHistory(slo.id, range);
  const values = history.data ? budgetSeries(history.data.points, history.data.objective) : [];
  return <Sparkline values={values} label={`Error budget of ${slo.id} over the range`} />;
}

function SloTable({ snapshot, range, search }: { snapshot: SloSnapshot; range: TimeRange; search: string }) {
  const slos = sortSlosByBudget(snapshot.slos);
  const alerts = slos[0]?.alerts ?? [];
  const minEvents = alerts[0]?.minEvents ?? 0;
  return (
    <table className="slo-table">
      <caption>
        Service level objectives, least error budget left first. As of {formatTime(snapshot.asOf)}. Alerts
        need at least {formatCount(minEvents)} requests in their long window (minimum-traffic rule,{' '}
        <code>slos.json</code>).
      </caption>
      <thead>
        <tr>
          <th scope="col">Objective</th>
          <th scope="col">Current</th>
          <th scope="col">Budget left</th>
          {alerts.map((a) => (
            <th scope="col" key={a.name}>
              {a.name}
              <br />
              <span className="muted">
                {a.long.minutes >= 60 ? `${a.long.minutes / 60}h` : `${a.long.minutes}m`}/
                {a.short.minutes >= 60 ? `${a.short.minutes / 60}h` : `${a.short.minutes}m`} &gt;{' '}
                {formatBurnRate(a.thresholdBurnRate)}
              </span>
            </th>
          ))}
          <th scope="col">Budget over range</th>
        </tr>
      </thead>
      <tbody>
        {slos.map((slo) => (
          <tr key={slo.id} data-testid={`slo-row-${slo.id}`}>
            <th scope="row">
              <Link to={`/slo/${encodeURIComponent(slo.id)}${search}`}>{slo.id}</Link>
              <br />
              <span className="muted">
                {slo.sli.kind === 'latency'
                  ? `p${Math.round(slo.objective * 100)} ≤ ${formatMs(slo.sli.thresholdMs)}`
                  : `${formatPercent(slo.objective)} available`}{' '}
                over {slo.window}
              </span>
            </th>
            <td data-testid={`slo-value-${slo.id}`}>
              {formatPercent(slo.budget.sli)}
              <br />
              <span className="muted">{formatCount(slo.budget.validEvents)} req</span>
            </td>
            <td
              data-testid={`slo-budget-${slo.id}`}
              className={budgetJudged(slo) && slo.budget.remainingFraction < 0 ? 'bad' : undefined}
            >
              {slo.budget.validEvents === 0 ? '—' : formatBudget(slo.budget.remainingFraction)}
              {slo.budget.validEvents > 0 && !budgetJudged(slo) ? (
                <>
                  <br />
                  <span className="muted">too little traffic to judge</span>
                </>
              ) : null}
            </td>
            {slo.alerts.map((a) => (
              <td key={a.name}>
                <Pill value={a.state} /> <span className="burn">{formatBurnRate(a.long.burnRate)}</span>
                <span className="muted"> / {formatBurnRate(a.short.burnRate)}</span>
              </td>
            ))}
            <td>
              <BudgetSparkline slo={slo} range={range} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RouteTable({ overview }: { overview: Overview }) {
  if (overview.routes.length === 0)
    return (
      <Empty title="No requests in this range">
        Readers' requests appear here as the edge and the access API log them.
      </Empty>
    );
  return (
    <table>
      <caption>Latency against target per route</caption>
      <thead>
        <tr>
          <th scope="col">Route</th>
          <th scope="col">Requests</th>
          <th scope="col">p95</th>
          <th scope="col">Target</th>
          <th scope="col">Availability</th>
          <th scope="col">Cache hits</th>
          <th scope="col">p95 per minute</th>
        </tr>
      </thead>
      <tbody>
        {overview.routes.map((route) => {
          const over = route.targetMs !== null && route.p95Ms !== null && route.p95Ms > route.targetMs;
          return (
            <tr key={route.key}>
              <th scope="row">{route.key}</th>
              <td>{formatCount(route.requests)}</td>
              <td className={over ? 'bad' : undefined}>
                {formatMs(route.p95Ms)} {over ? <Pill value="firing" label="Over target" /> : null}
              </td>
              <td>{route.targetMs === null ? '—' : `≤ ${formatMs(route.targetMs)}`}</td>
              <td>{formatPercent(route.availability)}</td>
              <td>{formatPercent(route.cacheHitRatio, 1)}</td>
              <td>
                <Sparkline
                  values={route.p95Series.map((p) => p.p95Ms)}
                  label={`p95 latency of ${route.key} per minute`}
                  color="#7c3aed"
                />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function OverviewPage() {
  const [params] = useSearchParams();
  const range = parseRange(params, Date.now());
  const slo = useSlo();
  const overview = useOverview(range);
  const search = params.toString() ? `?${params}` : '';
  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
        <RangePicker current={range.key} />
      </div>
      <QueryState query={overview} what="the overview">
        {(data) => (
          <div className="tiles">
            <Tile
              label="Availability"
              value={formatPercent(data.availability)}
              note={`${formatCount(data.requests)} requests`}
              testId="tile-availability"
            />
            <Tile
              label="Cache hit ratio"
              value={formatPercent(data.cacheHitRatio, 1)}
              note="edge hits over hits and misses"
            />
            <Tile
              label="Cold starts"
              value={formatCount(data.coldStarts.total)}
              note="Lambda, in this range"
              testId="tile-cold-starts"
            />
            <Tile
              label="Cost today"
              value={formatMoney(data.cost.today, data.cost.currency)}
              note={
                data.cost.source === 'local' ? 'local cost model, list prices' : `from ${data.cost.source}`
              }
            />
          </div>
        )}
      </QueryState>
      <h2>Objectives</h2>
      <QueryState
        query={slo}
        what="the SLOs"
        empty={(data) =>
          data.slos.length === 0 ? (
            <Empty title="No SLOs defined">
              Add objectives to copilot/slos.json and restart the copilot.
            </Empty>
          ) : data.asOf === null ? (
            <Empty title="No traffic measured yet">
              Budgets fill in once requests reach the edge or the access API.
            </Empty>
          ) : null
        }
      >
        {(data) => <SloTable snapshot={data} range={range} search={search} />}
      </QueryState>
      <h2>Routes</h2>
      <QueryState query={overview} what="per-route latency">
        {(data) => <RouteTable overview={data} />}
      </QueryState>
    </>
  );
}
