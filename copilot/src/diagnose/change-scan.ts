/**
 * Change-point scans: where in a window did something start, and how sure is that. Each scan tries every split
 * of a bucketed series into "before" (the window's own baseline) and "after", and keeps the split whose
 * likelihood ratio against "nothing changed" is largest, in the direction asked for. The statistic is a
 * log-likelihood ratio (nats); under no change, twice it is roughly χ²(1), so ~3 is p ≈ 0.01 for one split
 * (callers ask for more, since many splits and many series are scanned).
 */
export interface Split {
  /** Index of the first bucket after the change. */
  index: number;
  llr: number;
  before: number;
  after: number;
}

const xlogy = (x: number, y: number) => (x === 0 ? 0 : x * Math.log(y));

/** Poisson: did the rate of events per unit of exposure rise (or, with direction -1, fall) after some bucket? */
export function scanRateIncrease(
  counts: readonly number[],
  exposure: readonly number[],
  minBefore = 2,
  minAfter = 1,
  direction: 1 | -1 = 1,
): Split | undefined {
  const n = counts.length;
  const totalC = counts.reduce((a, b) => a + b, 0);
  const totalE = exposure.reduce((a, b) => a + b, 0);
  if (totalC === 0 || totalE <= 0) return undefined;
  let best: Split | undefined;
  let c1 = 0;
  let e1 = 0;
  for (let k = 1; k < n; k++) {
    c1 += counts[k - 1]!;
    e1 += exposure[k - 1]!;
    if (k < minBefore || n - k < minAfter) continue;
    const c2 = totalC - c1;
    const e2 = totalE - e1;
    if (e1 <= 0 || e2 <= 0) continue;
    const r1 = c1 / e1;
    const r2 = c2 / e2;
    if (direction * (r2 - r1) <= 0) continue;
    const r0 = totalC / totalE;
    // Poisson LLR with rates chosen per segment vs one rate overall.
    const llr = xlogy(c1, r1 / r0) + xlogy(c2, r2 / r0);
    if (!best || llr > best.llr) best = { index: k, llr, before: r1, after: r2 };
  }
  return best;
}

/** Binomial: did the share of bad outcomes (errors among requests) rise after some bucket? */
export function scanShareIncrease(
  bad: readonly number[],
  total: readonly number[],
  minBefore = 2,
  minAfter = 1,
): Split | undefined {
  const n = bad.length;
  const B = bad.reduce((a, b) => a + b, 0);
  const T = total.reduce((a, b) => a + b, 0);
  if (B === 0 || T === 0) return undefined;
  const p0 = B / T;
  const ll = (b: number, t: number, p: number) => xlogy(b, p) + xlogy(t - b, 1 - p);
  const base = ll(B, T, p0);
  let best: Split | undefined;
  let b1 = 0;
  let t1 = 0;
  for (let k = 1; k < n; k++) {
    b1 += bad[k - 1]!;
    t1 += total[k - 1]!;
    if (k < minBefore || n - k < minAfter) continue;
    const b2 = B - b1;
    const t2 = T - t1;
    if (t1 === 0 || t2 === 0) continue;
    const p1 = b1 / t1;
    const p2 = b2 / t2;
    if (p2 <= p1) continue;
    const llr = ll(b1, t1, p1) + ll(b2, t2, p2) - base;
    if (!best || llr > best.llr) best = { index: k, llr, before: p1, after: p2 };
  }
  return best;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median absolute deviation scaled to a standard deviation for normal data. */
export function robustScale(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}

/**
 * Rank-sum (Mann-Whitney) scan over samples with times: which split time makes the later samples most
 * clearly larger (direction 1) or smaller (-1)? Returns the z score and the medians on each side. Ranks are
 * summed from the latest sample back, so each split costs a binary search rather than a pass over the samples
 * (a trace's latency scan tries a split per bucket over thousands of spans); medians are taken at the chosen
 * split only.
 */
export function scanShift(
  samples: readonly { t: number; v: number }[],
  splits: readonly number[],
  direction: 1 | -1,
  minSide = 3,
): { t: number; z: number; before: number; after: number; nBefore: number; nAfter: number } | undefined {
  const n = samples.length;
  if (n < 2 * minSide) return undefined;
  const byValue = samples.map((_, i) => i).sort((a, b) => samples[a]!.v - samples[b]!.v);
  // Mid-ranks for ties.
  const rank = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && samples[byValue[j + 1]!]!.v === samples[byValue[i]!]!.v) j++;
    for (let k = i; k <= j; k++) rank[byValue[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const byTime = samples.map((_, i) => i).sort((a, b) => samples[a]!.t - samples[b]!.t);
  const times = byTime.map((i) => samples[i]!.t);
  // laterRanks[k]: the rank sum of the samples from the k-th earliest on (half-integers: exact in doubles).
  const laterRanks = new Float64Array(n + 1);
  for (let k = n - 1; k >= 0; k--) laterRanks[k] = laterRanks[k + 1]! + rank[byTime[k]!]!;
  let best: { t: number; z: number; first: number } | undefined;
  for (const t of splits) {
    const first = firstAtOrAfter(times, t);
    const n2 = n - first;
    const n1 = first;
    if (n1 < minSide || n2 < minSide) continue;
    const u2 = laterRanks[first]! - (n2 * (n2 + 1)) / 2;
    const mean = (n1 * n2) / 2;
    const sd = Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
    const z = (direction * (u2 - mean)) / sd;
    if (!best || z > best.z) best = { t, z, first };
  }
  if (!best) return undefined;
  const values = (from: number, to: number) => byTime.slice(from, to).map((i) => samples[i]!.v);
  return {
    t: best.t,
    z: best.z,
    before: median(values(0, best.first)),
    after: median(values(best.first, n)),
    nBefore: best.first,
    nAfter: n - best.first,
  };
}

/** The index of the first of the ascending times at or after t (times.length when none is). */
function firstAtOrAfter(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
