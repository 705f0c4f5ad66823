import { randomUUID } from 'node:crypto';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import type { SloDefinitions } from '../slo/definitions.ts';
import type { SloEvent } from '../slo/events.ts';
import type { CostSource } from '../sources/cost.ts';
import type { MeteredUsage } from '../sources/cost-model.ts';
import { type CapacityOptions, type CapacityView, capacityView } from './capacity.ts';
import { type CostView, costView, dayRange } from './cost-view.ts';
import { LambdaMetrics } from './lambda-metrics.ts';
import { type Overview, overview } from './overview.ts';
import { RouteMetrics } from './route-metrics.ts';

/**
 * Which state of the counts a view was computed from. Each process counts in an epoch of its own (a restart
 * starts again from nothing); within one, versions only grow. Pages compare it with the newest `ops.updated`.
 */
export interface OpsStamp {
  epoch: string;
  version: number;
}

export interface OpsMetricsOptions {
  /** Where cost comes from: the local cost model, a FOCUS import or Cost Explorer. */
  cost?: CostSource;
  /** Meters local usage into the local cost model (omitted in AWS, where Cost Explorer knows the bill). */
  meter?: (usage: MeteredUsage) => void;
  slo?: SloDefinitions;
}

/**
 * The operational numbers the dashboard shows beside the SLOs and detections, fed by the same records the
 * pipeline already reads (edge requests, the functions' log lines): per-route latency, availability and cache
 * hits, Lambda concurrency and cold starts, and the metered usage behind the local cost model. Held for the
 * last day of event time, in memory: after a restart they fill again from new traffic.
 */
export class OpsMetrics {
  readonly routes = new RouteMetrics();
  readonly lambdas: LambdaMetrics;
  /** Bumped whenever anything was counted, so listeners can tell a quiet tick from a busy one. */
  version = 0;
  readonly epoch = randomUUID();

  constructor(private readonly options: OpsMetricsOptions = {}) {
    this.lambdas = new LambdaMetrics(options.meter);
  }

  get costSource(): CostSource | undefined {
    return this.options.cost;
  }

  edgeRecord(record: EdgeLogRecord, event: SloEvent): void {
    this.routes.observe(event, record.edgeResultType);
    this.options.meter?.({
      date: new Date(record.timestampMs).toISOString().slice(0, 10),
      cloudFrontRequests: 1,
      cloudFrontBytesOut: record.bytes,
      // A miss is fetched from the origin bucket.
      s3GetRequests: record.edgeResultType === 'Miss' ? 1 : 0,
    });
    this.version += 1;
  }

  functionLogLine(logGroup: string, message: string, timestampMs: number, event?: SloEvent): void {
    this.lambdas.observe(logGroup, message, timestampMs);
    if (event) this.routes.observe(event);
    this.version += 1;
  }

  stamp(): OpsStamp {
    return { epoch: this.epoch, version: this.version };
  }

  overview(range: { fromMs: number; toMs: number }, costToday: Overview['cost']): Overview {
    return overview(this.routes, this.lambdas, this.options.slo, range, costToday);
  }

  capacity(options: CapacityOptions): CapacityView {
    return capacityView(this.lambdas, options);
  }

  /** Cost by service and day for the last `days` days (today included); undefined without a cost source. */
  async cost(days: number, nowMs: number): Promise<CostView | undefined> {
    const source = this.options.cost;
    if (!source) return undefined;
    const { from, to } = dayRange(days, nowMs);
    return costView(source.kind, await source.costs(from, to), from, to);
  }
}
