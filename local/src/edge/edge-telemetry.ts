import type { CloudFrontLogRecord } from '@boundless/delivery';
import { type EmfMetric, emfDocument } from '../telemetry/emf.ts';
import type { LogGroupWriter } from '../telemetry/log-groups.ts';
import type { EdgeResponse } from './edge-pipeline.ts';

/**
 * The edge's telemetry in the telemetry directory (DESIGN §4.4), shaped as CloudFront delivers it in AWS:
 * - every request's standard log record as JSON in `/aws/cloudfront/<distribution id>` (standard logging v2
 *   with a CloudWatch Logs destination and JSON output);
 * - the distribution's per-minute CloudWatch metrics (`AWS/CloudFront`: Requests, BytesDownloaded, 4xx/5xx/
 *   total error rates, and the additional metrics CacheHitRate and OriginLatency) as EMF in the same group's
 *   `metrics` stream, as the local DynamoDB metrics are written;
 * - the viewer-request function's console lines in `/aws/cloudfront/function/<function name>`, as CloudFront
 *   Functions logging sends them.
 * CloudFront sends no X-Ray segments, so neither does the local edge.
 */
// Where the edge writes: the log groups' `append`, as the Lambda emulation and the table write theirs.
export type LogSink = Pick<LogGroupWriter, 'append'>;

export interface EdgeTelemetryOptions {
  logs: LogSink;
  distributionId: string;
  /** The viewer-request function's name (its log group). @default 'viewer-request' */
  functionName?: string;
}

interface MinuteTotals {
  requests: number;
  bytes: number;
  s4xx: number;
  s5xx: number;
  /** Requests the cache could answer (Hit, RefreshHit), of those that reached it. */
  hits: number;
  cacheable: number;
  originMs: number[];
}

const MINUTE = 60_000;

const emptyMinute = (): MinuteTotals => ({
  requests: 0,
  bytes: 0,
  s4xx: 0,
  s5xx: 0,
  hits: 0,
  cacheable: 0,
  originMs: [],
});

export class EdgeTelemetry {
  readonly #logs: LogSink;
  readonly #group: string;
  readonly #functionGroup: string;
  readonly #stream: string;
  readonly #minutes = new Map<number, MinuteTotals>();

  constructor(readonly options: EdgeTelemetryOptions) {
    this.#logs = options.logs;
    this.#group = `/aws/cloudfront/${options.distributionId}`;
    this.#functionGroup = `/aws/cloudfront/function/${options.functionName ?? 'viewer-request'}`;
    this.#stream = options.distributionId;
  }

  /** One request as CloudFront logs and counts it. */
  request(record: CloudFrontLogRecord, response: EdgeResponse, atMs: number, originMs?: number): void {
    // Serialised when the log batch is written, not while the viewer waits.
    this.#logs.append(
      this.#group,
      this.#stream,
      () =>
        JSON.stringify({ timestamp: new Date(atMs).toISOString(), DistributionId: this.#stream, ...record }),
      atMs,
    );
    const minute = Math.floor(atMs / MINUTE) * MINUTE;
    this.flushBefore(minute);
    let totals = this.#minutes.get(minute);
    if (!totals) {
      totals = emptyMinute();
      this.#minutes.set(minute, totals);
    }
    totals.requests += 1;
    totals.bytes += Number(record['sc-bytes'] ?? 0);
    if (response.status >= 500) totals.s5xx += 1;
    else if (response.status >= 400) totals.s4xx += 1;
    if (response.result === 'Hit' || response.result === 'RefreshHit' || response.result === 'Miss') {
      totals.cacheable += 1;
      if (response.result !== 'Miss') totals.hits += 1;
    } else if (originMs !== undefined) totals.cacheable += 1;
    if (originMs !== undefined) totals.originMs.push(originMs);
  }

  /** A line the viewer-request function printed (console.log), for the request it ran on. */
  functionLine(line: string, atMs: number): void {
    this.#logs.append(this.#functionGroup, this.#stream, line, atMs);
  }

  /** Writes the metrics of every minute that ended before `minuteMs` (all of them with no argument). */
  flushBefore(minuteMs = Number.POSITIVE_INFINITY): void {
    for (const [minute, totals] of [...this.#minutes].sort((a, b) => a[0] - b[0])) {
      if (minute >= minuteMs) continue;
      this.#minutes.delete(minute);
      this.#writeMinute(minute, totals);
    }
  }

  #writeMinute(minute: number, t: MinuteTotals): void {
    const at = minute + MINUTE - 1;
    const rate = (n: number, of: number) => Number(((100 * n) / Math.max(1, of)).toFixed(2));
    const sorted = [...t.originMs].sort((a, b) => a - b);
    const metrics: EmfMetric[] = [
      { name: 'Requests', unit: 'None', value: t.requests },
      { name: 'BytesDownloaded', unit: 'None', value: t.bytes },
      { name: '4xxErrorRate', unit: 'Percent', value: rate(t.s4xx, t.requests) },
      { name: '5xxErrorRate', unit: 'Percent', value: rate(t.s5xx, t.requests) },
      { name: 'TotalErrorRate', unit: 'Percent', value: rate(t.s4xx + t.s5xx, t.requests) },
    ];
    if (t.cacheable > 0)
      metrics.push({ name: 'CacheHitRate', unit: 'Percent', value: rate(t.hits, t.cacheable) });
    if (sorted.length > 0)
      metrics.push({
        name: 'OriginLatency',
        unit: 'Milliseconds',
        value: Number(sorted[Math.floor(0.9 * (sorted.length - 1))]!.toFixed(1)),
      });
    const document = emfDocument('AWS/CloudFront', [['DistributionId', 'Region']], at, metrics, {
      DistributionId: this.#stream,
      Region: 'Global',
    });
    this.#logs.append(this.#group, 'metrics', JSON.stringify(document), at);
  }
}
