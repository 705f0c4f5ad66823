import { useSearchParams } from 'react-router';
import { useCost } from '../api/queries.ts';
import { TimeSeries } from '../components/graphs/TimeSeries.tsx';
import { Empty, QueryState } from '../components/ui/States.tsx';
import { Tile } from '../components/ui/Tile.tsx';
import { formatMoney } from '../lib/format.ts';
import type { CostView } from '../lib/types.ts';
import { withParams } from '../lib/url-state.ts';

const COLORS = ['#1d4ed8', '#15803d', '#b45309', '#7c3aed', '#be123c', '#0f766e', '#4b5563'];
const SOURCES: Record<string, string> = {
  local: 'the local cost model (metered local usage at AWS list prices)',
  focus: 'a FOCUS cost export',
  aws: 'Cost Explorer',
};

function CostTable({ view }: { view: CostView }) {
  return (
    <table>
      <caption>Cost by service and day ({view.currency})</caption>
      <thead>
        <tr>
          <th scope="col">Day</th>
          {view.services.map((s) => (
            <th scope="col" key={s}>
              {s}
            </th>
          ))}
          <th scope="col">Total</th>
        </tr>
      </thead>
      <tbody>
        {[...view.days].reverse().map((day) => (
          <tr key={day.date}>
            <th scope="row">{day.date}</th>
            {view.services.map((s) => (
              <td key={s}>{formatMoney(day.byService[s], view.currency)}</td>
            ))}
            <td>
              <strong>{formatMoney(day.total, view.currency)}</strong>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CostPage() {
  const [params, setParams] = useSearchParams();
  const days = [7, 14, 30].includes(Number(params.get('days'))) ? Number(params.get('days')) : 14;
  const cost = useCost(days);
  return (
    <>
      <div className="page-head">
        <h1>Cost</h1>
        <label>
          Days{' '}
          <select value={days} onChange={(e) => setParams(withParams(params, { days: e.target.value }))}>
            {[7, 14, 30].map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
      </div>
      <QueryState
        query={cost}
        what="cost"
        empty={(view) =>
          view.total === 0 ? (
            <Empty title="No cost recorded in these days">
              Usage is metered as traffic flows; pick a longer range or wait.
            </Empty>
          ) : null
        }
      >
        {(view) => {
          const times = view.days.map((d) => Date.parse(`${d.date}T00:00:00Z`));
          return (
            <>
              <p>From {SOURCES[view.source] ?? view.source}.</p>
              <div className="tiles">
                <Tile label={`Total, ${days} days`} value={formatMoney(view.total, view.currency)} />
                <Tile label="Today" value={formatMoney(view.days.at(-1)?.total, view.currency)} />
                <Tile
                  label="Trend"
                  value={
                    view.trend
                      ? `${view.trend.perDay >= 0 ? '+' : '−'}${formatMoney(Math.abs(view.trend.perDay), view.currency)}/day`
                      : '—'
                  }
                  note="least-squares slope of the daily total"
                />
              </div>
              <TimeSeries
                times={times}
                label="Daily cost per service, the total and its trend"
                step="day"
                series={[
                  ...view.services.map((s, i) => ({
                    label: s,
                    values: view.days.map((d) => d.byService[s] ?? 0),
                    color: COLORS[i % COLORS.length] as string,
                  })),
                  { label: 'total', values: view.days.map((d) => d.total), color: '#111827', width: 2 },
                  {
                    label: 'trend',
                    values: view.trend?.fitted ?? view.days.map(() => null),
                    color: '#111827',
                    dash: true,
                    width: 1,
                  },
                ]}
                formatY={(v) => formatMoney(v, view.currency)}
                yMin={0}
              />
              <CostTable view={view} />
            </>
          );
        }}
      </QueryState>
    </>
  );
}
