import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackStandIn, replyJson } from './loopback-stand-in.ts';

/** One published datapoint: a metric (namespace, name, dimensions) at a minute. */
export interface StandInDatapoint {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  atMs: number;
  value: number;
}

interface Query {
  Id: string;
  MetricStat?: {
    Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] };
    Period: number;
    Stat: string;
  };
}

/**
 * A small CloudWatch that speaks the wire format the SDK's CloudWatchClient sends (AWS JSON 1.0,
 * `X-Amz-Target: GraniteServiceVersion20100801.GetMetricData`): GetMetricData over datapoints a test
 * publishes, with Sum, Average, SampleCount, Minimum, Maximum and pNN per period, dimensions matched exactly, and
 * pages of `pageSize` points. Enough to test the copilot's CloudWatch adapter with the real client; it checks no
 * signature and keeps datapoints in memory.
 */
export class CloudWatchStandIn extends LoopbackStandIn {
  private readonly points: StandInDatapoint[] = [];
  /** The GetMetricData requests served (tests read what the adapter asked). */
  readonly requests: { MetricDataQueries: Query[]; StartTime: number; EndTime: number }[] = [];

  constructor(private readonly pageSize = 100_800) {
    super();
  }

  publish(...points: StandInDatapoint[]): void {
    this.points.push(...points);
  }

  protected internalError(response: ServerResponse, error: unknown): void {
    reply(response, 500, { __type: 'InternalServiceFault', message: String(error) });
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target !== 'GraniteServiceVersion20100801.GetMetricData')
      return reply(response, 400, { __type: 'InvalidAction', message: `not served here: ${target}` });
    // biome-ignore lint/suspicious/noExplicitAny: the request as the SDK serialized it.
    const body: any = await this.jsonBody(request);
    this.requests.push(body);
    const startMs = body.StartTime * 1000;
    const endMs = body.EndTime * 1000;
    // A NextToken is the index of the first query and point not yet returned.
    const [fromQuery, fromPoint] = String(body.NextToken ?? '0:0')
      .split(':')
      .map(Number);
    let budget = this.pageSize;
    const results: {
      Id: string;
      Label: string;
      Timestamps: number[];
      Values: number[];
      StatusCode: string;
    }[] = [];
    let next: string | undefined;
    const queries: Query[] = body.MetricDataQueries ?? [];
    for (let qi = fromQuery ?? 0; qi < queries.length && next === undefined; qi += 1) {
      const query = queries[qi] as Query;
      const points = this.aggregate(query, startMs, endMs);
      const skip = qi === fromQuery ? (fromPoint ?? 0) : 0;
      const taken = points.slice(skip, skip + budget);
      budget -= taken.length;
      const partial = skip + taken.length < points.length;
      if (partial) next = `${qi}:${skip + taken.length}`;
      else if (budget === 0 && qi + 1 < queries.length) next = `${qi + 1}:0`;
      results.push({
        Id: query.Id,
        Label: query.MetricStat?.Metric.MetricName ?? query.Id,
        Timestamps: taken.map(([t]) => t / 1000),
        Values: taken.map(([, v]) => v),
        StatusCode: partial ? 'PartialData' : 'Complete',
      });
    }
    reply(response, 200, { MetricDataResults: results, Messages: [], ...(next ? { NextToken: next } : {}) });
  }

  /** The query's statistic per period, periods aligned to the start time, empty periods left out. */
  private aggregate(query: Query, startMs: number, endMs: number): [number, number][] {
    const stat = query.MetricStat;
    if (!stat) return [];
    const wanted = Object.fromEntries((stat.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
    const periodMs = stat.Period * 1000;
    const buckets = new Map<number, number[]>();
    for (const p of this.points) {
      if (p.namespace !== stat.Metric.Namespace || p.name !== stat.Metric.MetricName) continue;
      if (p.atMs < startMs || p.atMs >= endMs || !sameDimensions(p.dimensions, wanted)) continue;
      const bucket = startMs + Math.floor((p.atMs - startMs) / periodMs) * periodMs;
      buckets.set(bucket, [...(buckets.get(bucket) ?? []), p.value]);
    }
    return [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([t, values]) => [t, statistic(stat.Stat, values)]);
  }
}

function sameDimensions(have: Record<string, string>, wanted: Record<string, string>): boolean {
  const keys = Object.keys(have);
  return keys.length === Object.keys(wanted).length && keys.every((k) => have[k] === wanted[k]);
}

function statistic(name: string, values: number[]): number {
  const total = values.reduce((s, v) => s + v, 0);
  if (name === 'Sum') return total;
  if (name === 'Average') return total / values.length;
  if (name === 'SampleCount') return values.length;
  if (name === 'Minimum') return Math.min(...values);
  if (name === 'Maximum') return Math.max(...values);
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(name);
  if (!percentile) throw new RangeError(`statistic ${name} is not served here`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((Number(percentile[1]) / 100) * sorted.length) - 1;
  return sorted[Math.max(0, rank)] as number;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  replyJson(response, status, body, 'application/x-amz-json-1.0');
}
