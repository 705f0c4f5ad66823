import { forecastAhead } from '../forecast/causal.ts';
import { planProvisionedConcurrency } from '../prewarm/planner.ts';
import { type BurstProposals, proposeBurstPreparations } from '../prewarm/proposals.ts';
import { lambdaDemand } from './lambda-demand.ts';
import type { LambdaMetrics } from './lambda-metrics.ts';
import { MINUTE_MS } from '@boundless/common/time';

type TrafficMinutes = Parameters<typeof planProvisionedConcurrency>[0];

export interface CapacityOptions {
  fromMs: number;
  toMs: number;
  /** Provisioned concurrency takes minutes to allocate: plans and forecasts look this far ahead. @default 10 */
  leadMinutes?: number;
  /** Band of the demand forecast. @default [0.1, 0.9] */
  band?: [number, number];
}

export interface FunctionCapacity {
  name: string;
  /** Mean duration the plan assumes, from the function's own invocations. */
  meanDurationMs: number | null;
  points: {
    t: number;
    invocations: number;
    coldStarts: number;
    throttles: number;
    concurrency: number;
    provisioned: number | null;
    /** What the planner would have provisioned for this minute, from data at least `lead` older. */
    planned: number;
  }[];
}

export interface CapacityView {
  from: string;
  to: string;
  leadMinutes: number;
  band: [number, number];
  /** Invocations per minute over every function, and the forecast made `lead` minutes before each minute. */
  demand: { t: number; actual: number; median: number | null; low: number | null; high: number | null }[];
  functions: FunctionCapacity[];
  proposals: BurstProposals;
}

const finite = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? null : value);

/**
 * The capacity page's numbers from the functions' own metrics: demand against the causal forecast that drives
 * pre-warming (with its quantile band), each function's provisioned-concurrency plan against its actual
 * concurrency and cold starts, and the DynamoDB and CloudFront TTL proposals for forecast bursts. Forecasts walk
 * the whole day held, so a minute's forecast is the one that was possible `lead` minutes before it.
 */
export function capacityView(metrics: LambdaMetrics, options: CapacityOptions): CapacityView {
  const lead = options.leadMinutes ?? 10;
  const band = options.band ?? [0.1, 0.9];
  const names = metrics.names();
  const reader = lambdaDemand(metrics);
  const perFunction = names.map((name) => ({
    name,
    minutes: new Map(metrics.minutes(name, 0, options.toMs).map(({ t, bucket }) => [t, bucket])),
  }));
  const first = Math.min(...perFunction.flatMap((f) => [...f.minutes.keys()]));
  const grid: number[] = [];
  if (Number.isFinite(first)) for (let t = first; t < options.toMs; t += MINUTE_MS) grid.push(t);
  const inRange = (t: number) => t >= options.fromMs && t < options.toMs;

  const functions: FunctionCapacity[] = perFunction.map(({ name, minutes }) => {
    const series = grid.map((t) => minutes.get(t));
    const recorded = reader.demand(name, first, options.toMs);
    const byTime = new Map(recorded.minutes.map((m) => [m.time, m]));
    const traffic: TrafficMinutes = grid.map(
      (t) => byTime.get(t) ?? { time: t, timestamp: new Date(t).toISOString(), requests: 0, peakRps: 0 },
    );
    const { meanDurationMs } = recorded;
    const plan =
      traffic.length > 0
        ? planProvisionedConcurrency(traffic, { durationMs: meanDurationMs ?? 100, leadMinutes: lead })
        : undefined;
    return {
      name,
      meanDurationMs,
      points: grid.flatMap((t, i) => {
        if (!inRange(t)) return [];
        const m = series[i];
        return [
          {
            t,
            invocations: m?.invocations ?? 0,
            coldStarts: m?.coldStarts ?? 0,
            throttles: m?.throttles ?? 0,
            concurrency: m?.maxConcurrency ?? 0,
            provisioned: m?.provisioned ?? null,
            planned: plan?.capacity[i] ?? 0,
          },
        ];
      }),
    };
  });

  const totals = grid.map((t) =>
    perFunction.reduce((sum, f) => sum + (f.minutes.get(t)?.invocations ?? 0), 0),
  );
  const forecast =
    grid.length > 0 ? forecastAhead(grid, totals, { leadMinutes: lead, quantiles: band }) : undefined;
  const demand = grid.flatMap((t, i) =>
    inRange(t)
      ? [
          {
            t,
            actual: totals[i] ?? 0,
            median: finite(forecast?.median[i]),
            low: finite(forecast?.quantiles[0]?.[i]),
            high: finite(forecast?.quantiles[1]?.[i]),
          },
        ]
      : [],
  );
  const proposals: BurstProposals =
    grid.length > 0
      ? proposeBurstPreparations(
          grid.map((t, i) => ({
            time: t,
            timestamp: new Date(t).toISOString(),
            requests: totals[i] ?? 0,
            peakRps: 0,
          })),
          { leadMinutes: lead },
        )
      : { bursts: [], dynamodb: [], cloudfront: [] };
  return {
    from: new Date(options.fromMs).toISOString(),
    to: new Date(options.toMs).toISOString(),
    leadMinutes: lead,
    band,
    demand,
    functions,
    proposals,
  };
}
