import type { MeteredUsage } from '../sources/cost-model.ts';
import { MINUTE_MS } from '@boundless/common/time';
import { MinuteBuckets } from './minute-ring.ts';

export interface FunctionMinute {
  invocations: number;
  errors: number;
  coldStarts: number;
  throttles: number;
  /** Highest concurrent executions reported in the minute. */
  maxConcurrency: number;
  /** Provisioned concurrency last reported in the minute; null when none was. */
  provisioned: number | null;
  durationMsSum: number;
  /** Invocations per second of the minute, for its busiest second. */
  perSecond: Map<number, number>;
}

const newMinute = (): FunctionMinute => ({
  invocations: 0,
  errors: 0,
  coldStarts: 0,
  throttles: 0,
  maxConcurrency: 0,
  provisioned: null,
  durationMsSum: 0,
  perSecond: new Map(),
});

/** How a Lambda log line reads: an EMF document, a platform report, or anything else (ignored). */
type Parsed = Record<string, unknown>;

function parseJson(message: string): Parsed | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(message);
    return typeof value === 'object' && value !== null ? (value as Parsed) : undefined;
  } catch (error) {
    // Not every line a function prints is JSON that parses; those carry no metrics.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** `/aws/lambda/<name>`: Lambda's own naming of a function's log group. */
function functionOfLogGroup(logGroup: string): string {
  const match = /^\/aws\/lambda\/(.+)$/.exec(logGroup);
  return match?.[1] ?? logGroup;
}

/**
 * Lambda's per-function metrics (invocations, errors, cold starts, throttles, concurrency, provisioned
 * concurrency, duration) per minute for the last day, read from what functions write to their log groups:
 * embedded-metric-format documents and platform reports. The same log lines meter Lambda's cost (requests and
 * GB-seconds, on-demand and provisioned) for the local cost model.
 */
export class LambdaMetrics {
  private readonly functions = new Map<string, MinuteBuckets<FunctionMinute>>();
  private readonly memoryMb = new Map<string, number>();
  private readonly lastProvisionedAt = new Map<string, number>();

  constructor(
    private readonly meter?: (usage: MeteredUsage) => void,
    private readonly keepMinutes = 1440,
  ) {}

  observe(logGroup: string, message: string, timestampMs: number): void {
    const doc = parseJson(message);
    if (!doc) return;
    const fn = functionOfLogGroup(logGroup);
    if (doc.type === 'platform.report') this.report(fn, doc, timestampMs);
    else if (typeof doc._aws === 'object' && doc._aws !== null) this.emf(fn, doc, timestampMs);
  }

  names(): string[] {
    return [...this.functions.keys()].sort();
  }

  minutes(fn: string, fromMs: number, toMs: number): { t: number; bucket: FunctionMinute }[] {
    return this.functions.get(fn)?.range(fromMs, toMs) ?? [];
  }

  private minute(fn: string, timestampMs: number): FunctionMinute | undefined {
    let series = this.functions.get(fn);
    if (!series) {
      series = new MinuteBuckets(newMinute, this.keepMinutes);
      this.functions.set(fn, series);
    }
    return series.at(timestampMs);
  }

  private report(fn: string, doc: Parsed, timestampMs: number): void {
    const record = doc.record as { metrics?: Record<string, unknown> } | undefined;
    const billed = num(record?.metrics?.billedDurationMs);
    const memory = num(record?.metrics?.memorySizeMB);
    if (memory !== undefined) this.memoryMb.set(fn, memory);
    if (billed === undefined || memory === undefined) return;
    this.meter?.({
      date: new Date(timestampMs).toISOString().slice(0, 10),
      lambdaRequests: 1,
      lambdaGbSeconds: (billed / 1000) * (memory / 1024),
    });
  }

  private emf(fn: string, doc: Parsed, timestampMs: number): void {
    const at = num((doc._aws as Parsed).Timestamp) ?? timestampMs;
    const minute = this.minute(fn, at);
    if (!minute) return;
    const invocations = num(doc.Invocations) ?? 0;
    minute.invocations += invocations;
    minute.errors += num(doc.Errors) ?? 0;
    minute.coldStarts += num(doc.ColdStart) ?? 0;
    minute.throttles += num(doc.Throttles) ?? 0;
    minute.durationMsSum += invocations > 0 ? (num(doc.Duration) ?? 0) : 0;
    minute.maxConcurrency = Math.max(minute.maxConcurrency, num(doc.ConcurrentExecutions) ?? 0);
    if (invocations > 0) {
      const second = Math.floor(at / 1000);
      minute.perSecond.set(second, (minute.perSecond.get(second) ?? 0) + invocations);
    }
    const provisioned = num(doc.ProvisionedConcurrency);
    if (provisioned !== undefined) {
      minute.provisioned = provisioned;
      this.meterProvisioned(fn, provisioned, at);
    }
  }

  /** Provisioned concurrency is billed while it exists: the time since the function's last report, at most a minute. */
  private meterProvisioned(fn: string, provisioned: number, at: number): void {
    const previous = this.lastProvisionedAt.get(fn);
    this.lastProvisionedAt.set(fn, at);
    const memory = this.memoryMb.get(fn);
    if (previous === undefined || memory === undefined || provisioned <= 0 || at <= previous) return;
    const seconds = Math.min(at - previous, MINUTE_MS) / 1000;
    this.meter?.({
      date: new Date(at).toISOString().slice(0, 10),
      lambdaProvisionedGbSeconds: provisioned * seconds * (memory / 1024),
    });
  }
}

/** The busiest second of a minute, in invocations. */
export function peakPerSecond(minute: FunctionMinute): number {
  let peak = 0;
  for (const count of minute.perSecond.values()) peak = Math.max(peak, count);
  return peak;
}
