import { useSearchParams } from 'react-router';
import { useCapacity } from '../api/queries.ts';
import { TimeSeries } from '../components/graphs/TimeSeries.tsx';
import { RangePicker } from '../components/ui/RangePicker.tsx';
import { Empty, QueryState } from '../components/ui/States.tsx';
import { formatCount, formatMs, formatTime } from '../lib/format.ts';
import { busiestFunction } from '../lib/sort.ts';
import type { CapacityView } from '../lib/types.ts';
import { parseRange, withParams } from '../lib/url-state.ts';
import { PrewarmDecisions } from './capacity/PrewarmDecisions.tsx';

function Demand({ view }: { view: CapacityView }) {
  const times = view.demand.map((d) => d.t);
  const [low, high] = view.band;
  return (
    <TimeSeries
      times={times}
      label={`Invocations per minute against the forecast made ${view.leadMinutes} minutes ahead, with its p${Math.round(low * 100)}–p${Math.round(high * 100)} band`}
      series={[
        {
          label: `forecast p${Math.round(high * 100)}`,
          values: view.demand.map((d) => d.high),
          color: '#7c3aed',
          width: 1,
          fillTo: 1,
        },
        {
          label: `forecast p${Math.round(low * 100)}`,
          values: view.demand.map((d) => d.low),
          color: '#7c3aed',
          width: 1,
        },
        { label: 'forecast median', values: view.demand.map((d) => d.median), color: '#7c3aed', dash: true },
        { label: 'actual', values: view.demand.map((d) => d.actual), color: '#111827', stepped: true },
      ]}
      formatY={(v) => formatCount(v)}
      counts
      yMin={0}
    />
  );
}

function FunctionPlan({ view, selected }: { view: CapacityView; selected: string }) {
  const fn = view.functions.find((f) => f.name === selected);
  if (!fn) return <Empty title={`No function ${selected} in this range`}>Pick another function.</Empty>;
  const times = fn.points.map((p) => p.t);
  return (
    <>
      <TimeSeries
        times={times}
        label={`Provisioned-concurrency plan of ${fn.name} against its actual concurrency`}
        series={[
          { label: 'plan', values: fn.points.map((p) => p.planned), color: '#1d4ed8', stepped: true },
          {
            label: 'provisioned',
            values: fn.points.map((p) => p.provisioned),
            color: '#15803d',
            dash: true,
            stepped: true,
          },
          {
            label: 'concurrency (max)',
            values: fn.points.map((p) => p.concurrency),
            color: '#111827',
            stepped: true,
          },
        ]}
        formatY={(v) => formatCount(v)}
        counts
        yMin={0}
      />
      <p className="muted">
        The plan assumes {formatMs(fn.meanDurationMs)} per invocation (this function's mean) and is decided{' '}
        {view.leadMinutes} minutes ahead, as provisioned concurrency must be.
      </p>
    </>
  );
}

export function CapacityPage() {
  const [params, setParams] = useSearchParams();
  const range = parseRange(params, Date.now());
  const capacity = useCapacity(range);
  return (
    <>
      <div className="page-head">
        <h1>Capacity</h1>
        <RangePicker current={range.key} />
      </div>
      <QueryState
        query={capacity}
        what="capacity"
        empty={(view) =>
          view.functions.length === 0 ? (
            <>
              <Empty title="No Lambda invocations yet">
                The access API's functions report their invocations, concurrency and cold starts here.
              </Empty>
              <PrewarmDecisions functionName={params.get('fn') ?? ''} />
            </>
          ) : null
        }
      >
        {(view) => {
          const selected = params.get('fn') ?? busiestFunction(view.functions) ?? '';
          const cold = new Map<number, number>();
          for (const fn of view.functions)
            for (const p of fn.points) cold.set(p.t, (cold.get(p.t) ?? 0) + p.coldStarts);
          const coldTimes = [...cold.keys()].sort((a, b) => a - b);
          return (
            <>
              <h2>Demand against forecast</h2>
              <Demand view={view} />
              <h2>Provisioned concurrency per function</h2>
              <label htmlFor="function-select">Function</label>{' '}
              <select
                id="function-select"
                value={selected}
                onChange={(e) => setParams(withParams(params, { fn: e.target.value }))}
              >
                {view.functions.map((f) => (
                  <option key={f.name} value={f.name}>
                    {f.name}
                  </option>
                ))}
              </select>
              <FunctionPlan view={view} selected={selected} />
              <PrewarmDecisions functionName={selected} />
              <h2>Cold starts</h2>
              <TimeSeries
                times={coldTimes}
                height={140}
                label="Cold starts per minute over every function"
                series={[
                  {
                    label: 'cold starts',
                    values: coldTimes.map((t) => cold.get(t) ?? 0),
                    color: '#b91c1c',
                    stepped: true,
                  },
                ]}
                formatY={(v) => formatCount(v)}
                counts
                yMin={0}
              />
              <h2>Proposals ahead of forecast bursts</h2>
              {view.proposals.dynamodb.length + view.proposals.cloudfront.length === 0 ? (
                <Empty title="No burst forecast">
                  DynamoDB warm-throughput and CloudFront TTL proposals appear when the forecast sees a burst
                  coming.
                </Empty>
              ) : (
                <table>
                  <caption>Proposals, for a person to approve as change sets</caption>
                  <thead>
                    <tr>
                      <th scope="col">What</th>
                      <th scope="col">From</th>
                      <th scope="col">Until</th>
                      <th scope="col">Why</th>
                    </tr>
                  </thead>
                  <tbody>
                    {view.proposals.dynamodb.map((p) => (
                      <tr key={`d-${p.applyAt}`}>
                        <th scope="row">
                          DynamoDB {p.tableName}: warm throughput {p.WarmThroughput.ReadUnitsPerSecond}{' '}
                          reads/s, {p.WarmThroughput.WriteUnitsPerSecond} writes/s
                        </th>
                        <td>{formatTime(p.applyAt)}</td>
                        <td>{formatTime(p.until)}</td>
                        <td>{p.reason}</td>
                      </tr>
                    ))}
                    {view.proposals.cloudfront.map((p) => (
                      <tr key={`c-${p.applyAt}`}>
                        <th scope="row">
                          CloudFront {p.pathPattern}: default TTL {p.DefaultTTL} s
                        </th>
                        <td>{formatTime(p.applyAt)}</td>
                        <td>{formatTime(p.until)}</td>
                        <td>{p.reason}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </QueryState>
    </>
  );
}
