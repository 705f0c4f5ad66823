import { z } from 'zod';
import { PrewarmError } from './errors.ts';
import { type LambdaPrices, lambdaPricesSchema } from './pricing.ts';

/**
 * A Lambda function's execution environments, second by second. Provisioned environments are always warm
 * and take requests first; the overflow runs on on-demand environments, which stay warm for a keep-alive
 * after their last request and are reused most-recent-first. With that reuse order the warm on-demand pool
 * at any second is exactly the largest overflow of the last keep-alive window, so cold starts are the part
 * of the overflow above that window's maximum: one sliding-window maximum instead of one object per
 * environment.
 */

const simulationConfigSchema = z.object({
  durationMs: z.number().positive(),
  memoryMb: z.number().int().min(128).max(10_240).default(1024),
  /** Lambda reclaims idle on-demand environments after roughly 5 to 15 minutes; 10 is the middle. */
  keepAliveMinutes: z.number().positive().default(10),
  /** Cold starts and costs before this minute are the warm-up: simulated but not counted. */
  evaluateFromMinute: z.number().int().min(0).default(0),
  prices: lambdaPricesSchema.default(lambdaPricesSchema.parse({})),
});

export type SimulationConfig = z.input<typeof simulationConfigSchema>;

/** Who sets provisioned concurrency, minute by minute; reactive policies also observe the metric. */
export interface CapacityPolicy {
  readonly name: string;
  /** Provisioned concurrency in effect during `minute`. */
  capacityAt(minute: number): number;
  /** CloudWatch's per-minute average of ProvisionedConcurrencyUtilization (0..1) for `minute`. */
  observe?(minute: number, utilisation: number): void;
}

export interface SimulationResult {
  readonly policy: string;
  readonly coldStarts: number;
  readonly requests: number;
  readonly totalCost: number;
  readonly provisionedCost: number;
  readonly onDemandCost: number;
  readonly requestCost: number;
  /** Busy share of the provisioned concurrency that was paid for (NaN when none was). */
  readonly utilisation: number;
  readonly meanProvisioned: number;
  readonly peakConcurrency: number;
  /** Minutes counted. */
  readonly minutes: number;
}

/** Sliding maximum over the last `width` seconds, a monotonic deque in ring buffers. */
class WindowMax {
  private readonly times: Int32Array;
  private readonly values: Float64Array;
  private head = 0;
  private tail = 0;

  constructor(private readonly width: number) {
    this.times = new Int32Array(width + 2);
    this.values = new Float64Array(width + 2);
  }

  maxBefore(second: number): number {
    const size = this.times.length;
    while (this.head !== this.tail && this.times[this.head]! <= second - this.width - 1) {
      this.head = (this.head + 1) % size;
    }
    return this.head === this.tail ? 0 : this.values[this.head]!;
  }

  push(second: number, value: number): void {
    const size = this.times.length;
    while (this.head !== this.tail) {
      const last = (this.tail - 1 + size) % size;
      if (this.values[last]! > value) break;
      this.tail = last;
    }
    this.times[this.tail] = second;
    this.values[this.tail] = value;
    this.tail = (this.tail + 1) % size;
  }
}

interface Totals {
  coldStarts: number;
  requests: number;
  provisionedSeconds: number;
  provisionedBusySeconds: number;
  onDemandBusySeconds: number;
  provisionedMinutes: number;
  peak: number;
}

/** Minutes [from, to) whose cold starts and costs are counted together. */
export interface Period {
  readonly fromMinute: number;
  readonly toMinute: number;
}

/**
 * Runs `policy` over per-second `concurrency` (in-flight requests) and `arrivals` (requests started), both
 * covering whole minutes, counting the minutes from `evaluateFromMinute` on. Deterministic: no clock, no
 * randomness.
 */
export function simulate(
  concurrency: Float64Array,
  arrivals: Float64Array,
  policy: CapacityPolicy,
  config: SimulationConfig,
): SimulationResult {
  const from = simulationConfigSchema.shape.evaluateFromMinute.parse(config.evaluateFromMinute);
  return simulatePeriods(concurrency, arrivals, policy, config, [
    { fromMinute: from, toMinute: concurrency.length / 60 },
  ])[0]!;
}

/**
 * One run of `policy` over the whole series, counted separately over each period (for example a
 * development and a validation week): every period sees the state the earlier minutes left, as it would
 * live. Minutes outside every period are simulated but not counted.
 */
export function simulatePeriods(
  concurrency: Float64Array,
  arrivals: Float64Array,
  policy: CapacityPolicy,
  config: SimulationConfig,
  periods: readonly Period[],
): SimulationResult[] {
  const parsed = simulationConfigSchema.safeParse(config);
  if (!parsed.success) throw new PrewarmError(`bad simulation config: ${parsed.error.message}`);
  const options = parsed.data;
  if (concurrency.length !== arrivals.length || concurrency.length % 60 !== 0) {
    throw new PrewarmError('concurrency and arrivals must cover the same whole minutes');
  }
  const minutes = concurrency.length / 60;
  const warm = new WindowMax(Math.round(options.keepAliveMinutes * 60));
  const totals: Totals[] = periods.map(() => ({
    coldStarts: 0,
    requests: 0,
    provisionedSeconds: 0,
    provisionedBusySeconds: 0,
    onDemandBusySeconds: 0,
    provisionedMinutes: 0,
    peak: 0,
  }));
  for (let minute = 0; minute < minutes; minute++) {
    const provisioned = Math.max(0, Math.floor(policy.capacityAt(minute)));
    const index = periods.findIndex((p) => minute >= p.fromMinute && minute < p.toMinute);
    const counted = index >= 0 ? totals[index]! : null;
    let busy = 0;
    for (let second = minute * 60; second < minute * 60 + 60; second++) {
      const inFlight = concurrency[second]!;
      const environments = Math.ceil(inFlight - 1e-9);
      const overflow = Math.max(0, environments - provisioned);
      const cold = Math.max(0, overflow - warm.maxBefore(second));
      warm.push(second, overflow);
      const onProvisioned = Math.min(inFlight, provisioned);
      busy += onProvisioned;
      if (counted) {
        counted.coldStarts += cold;
        counted.requests += arrivals[second]!;
        counted.provisionedBusySeconds += onProvisioned;
        counted.onDemandBusySeconds += inFlight - onProvisioned;
        counted.peak = Math.max(counted.peak, inFlight);
      }
    }
    if (counted) {
      counted.provisionedSeconds += provisioned * 60;
      counted.provisionedMinutes++;
    }
    policy.observe?.(minute, provisioned > 0 ? busy / (provisioned * 60) : 0);
  }
  return totals.map((t) => summarise(policy.name, t, options.memoryMb / 1024, options.prices));
}

function summarise(policy: string, totals: Totals, gb: number, prices: LambdaPrices): SimulationResult {
  const provisionedCost =
    totals.provisionedSeconds * gb * prices.provisionedPerGbSecond +
    totals.provisionedBusySeconds * gb * prices.provisionedDurationPerGbSecond;
  const onDemandCost = totals.onDemandBusySeconds * gb * prices.onDemandPerGbSecond;
  const requestCost = (totals.requests / 1e6) * prices.perMillionRequests;
  return {
    policy,
    coldStarts: Math.round(totals.coldStarts),
    requests: Math.round(totals.requests),
    totalCost: provisionedCost + onDemandCost + requestCost,
    provisionedCost,
    onDemandCost,
    requestCost,
    utilisation:
      totals.provisionedSeconds > 0 ? totals.provisionedBusySeconds / totals.provisionedSeconds : Number.NaN,
    meanProvisioned:
      totals.provisionedMinutes > 0 ? totals.provisionedSeconds / 60 / totals.provisionedMinutes : 0,
    peakConcurrency: totals.peak,
    minutes: totals.provisionedMinutes,
  };
}
