import { errorFunction } from 'simple-statistics';
import { type LambdaPrices, LAMBDA_PRICES } from './pricing.ts';

/**
 * What one more provisioned environment costs or saves during a minute, in units of one idle provisioned
 * environment-minute (60 s × memory × the provisioned price), so that no memory size or currency enters a
 * decision: provisioning and on-demand both scale with memory.
 *
 * An environment kept for the minute is paid whether used or not (1 unit). For the share `u` of the minute
 * it is busy, its work is billed at the provisioned duration price instead of on demand, which saves
 * `u × (onDemand − provisionedDuration) / provisioned` units: about 1.67 u at list prices. Above about
 * 60 % busy (`breakEvenUtilisation`) an environment pays for itself; above it, it only buys warm starts.
 */
export function busySaving(prices: LambdaPrices = LAMBDA_PRICES): number {
  return (prices.onDemandPerGbSecond - prices.provisionedDurationPerGbSecond) / prices.provisionedPerGbSecond;
}

/** Dollars of one unit above for a function of `memoryMb`: to state a cold-start cost in money. */
export function environmentMinuteDollars(memoryMb: number, prices: LambdaPrices = LAMBDA_PRICES): number {
  return 60 * (memoryMb / 1024) * prices.provisionedPerGbSecond;
}

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** E[(X − a)+] for X normal with mean `mean` and standard deviation `sd`. */
function expectedExcess(mean: number, sd: number, a: number): number {
  if (sd <= 1e-9) return Math.max(0, mean - a);
  const z = (mean - a) / sd;
  const density = Math.exp(-0.5 * z * z) / SQRT_2PI;
  const below = 0.5 * (1 + errorFunction(z / Math.SQRT2));
  return sd * density + (mean - a) * below;
}

/**
 * The busiest of 60 roughly normal seconds sits about 2.4 standard deviations above their mean, so a
 * minute's mean and peak concurrency give the spread of its other seconds.
 */
const PEAK_IN_SPREADS = 2.4;

/**
 * Share of a minute during which the `layer`-th environment (1-based) is busy, for a minute whose busiest
 * second needs `peak` concurrent environments and whose other seconds average `ratio × peak`. A layer
 * between the mean and the peak is busy only in the minute's few busiest seconds.
 */
export function layerBusyShare(layer: number, peak: number, ratio: number): number {
  if (peak <= 0) return 0;
  const mean = Math.min(peak, Math.max(0, ratio * peak));
  const sd = (peak - mean) / PEAK_IN_SPREADS;
  const floor = layer - 1;
  if (floor >= peak) return 0;
  // The environment carries min(1, (concurrency − (layer − 1))+) of work in each second, and no second
  // exceeds the busiest one.
  const ceiling = Math.min(floor + 1, peak);
  const others = expectedExcess(mean, sd, floor) - expectedExcess(mean, sd, ceiling);
  const busiest = ceiling - floor;
  return Math.min(1, (59 * Math.min(1, Math.max(0, others)) + busiest) / 60);
}
