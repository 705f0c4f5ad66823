import type { DemandMinute } from './demand.ts';
import { mulberry32 } from '@boundless/common/random';

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function fillMinute(minute: DemandMinute, random: () => number, out: Float64Array, offset: number): void {
  const total = minute.requests;
  if (total <= 0) return;
  const mean = total / 60;
  const peak = Math.min(total, Math.max(mean, minute.peakRps));
  const busiest = Math.floor(random() * 60);
  // The busiest second of 60 sits about 2.5 standard deviations above the mean: that sets the jitter.
  const jitter = (peak - mean) / 2.5;
  const base = (total - peak) / 59;
  let rest = 0;
  for (let second = 0; second < 60; second++) {
    if (second === busiest) continue;
    const value = Math.min(peak, Math.max(0, base + jitter * gaussian(random)));
    out[offset + second] = value;
    rest += value;
  }
  const correction = rest > 0 ? (total - peak) / rest : 0;
  for (let second = 0; second < 60; second++) {
    if (second !== busiest) out[offset + second] = Math.min(peak, out[offset + second]! * correction);
  }
  out[offset + busiest] = peak;
}

/**
 * Per-second arrivals consistent with each minute's request count and busiest second: one second at the
 * peak, the others jittered around the remaining mean. Minutes must be consecutive (row i is minute i).
 */
export function secondArrivals(minutes: readonly DemandMinute[], seed = 1): Float64Array {
  const random = mulberry32(seed);
  const arrivals = new Float64Array(minutes.length * 60);
  minutes.forEach((minute, index) => {
    fillMinute(minute, random, arrivals, index * 60);
  });
  return arrivals;
}

/**
 * In-flight requests at the end of each second, treating arrivals as spread evenly within their second: a
 * request lasting d seconds counts fully in the seconds it spans and partly in the last one.
 */
export function concurrencyPerSecond(arrivals: Float64Array, durationMs: number): Float64Array {
  const span = durationMs / 1000;
  const whole = Math.floor(span);
  const weights: number[] = [];
  for (let lag = 0; lag <= whole; lag++) weights.push(Math.min(1, span - lag));
  if (weights[weights.length - 1] === 0) weights.pop();
  const concurrency = new Float64Array(arrivals.length);
  for (let second = 0; second < arrivals.length; second++) {
    let inFlight = 0;
    for (let lag = 0; lag < weights.length && lag <= second; lag++) {
      inFlight += arrivals[second - lag]! * weights[lag]!;
    }
    concurrency[second] = inFlight;
  }
  return concurrency;
}
