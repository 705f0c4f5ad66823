import type { ComponentIndex } from '../telemetry/components.ts';
import { buildSeries, type MetricSeries, scoreSeriesPoints } from '../telemetry/metric-series.ts';
import type { MetricPoint } from '../telemetry/types.ts';
import { median, robustScale, scanRateIncrease, scanShift } from './change-scan.ts';
import type { Evidence, Signal } from './types.ts';
import { badDirection, metricConcept } from './vocabulary.ts';

/**
 * Metric shifts, per component and metric, whatever the metric is called: a rank-sum scan finds where the
 * series moved in the direction that is bad for what the metric measures (a cache-hit rate falling, anything
 * else rising; both ways for metrics of unknown meaning), and the copilot's anomaly detector must flag a point
 * after that onset for the shift to count fully. Each signal cites the EMF documents of its worst points.
 */
const MIN_Z = 2.5;

function periodOf(points: readonly MetricPoint[]): number {
  const times = [...new Set(points.map((p) => p.timestampMs))].sort((a, b) => a - b);
  const gaps = times
    .slice(1)
    .map((t, i) => t - times[i]!)
    .filter((g) => g > 0)
    .sort((a, b) => a - b);
  const typical = gaps[Math.floor(gaps.length / 2)] ?? 60_000;
  // Per-event EMF (one document per invocation) is aggregated per minute; sparser series keep their period.
  return Math.max(60_000, Math.min(typical, 300_000));
}

/**
 * Bytes sent and money spent grow with traffic; what is news is more of them per request. When the component
 * has a request-count series of the same cadence, such a series is judged per request.
 */
function perRequest(series: MetricSeries, all: MetricSeries[]): MetricSeries {
  const concept = metricConcept(series.name);
  if (concept !== 'bytes_out' && concept !== 'cost') return series;
  const requests = all.find(
    (s) =>
      s.component === series.component &&
      s.namespace === series.namespace &&
      metricConcept(s.name) === 'requests',
  );
  if (!requests) return series;
  const byTime = new Map(requests.points.map((p) => [p.timestampMs, p.value]));
  // Periods with next to no requests make ratios of noise.
  const floor = Math.max(0, 0.2 * median(requests.points.map((p) => p.value)));
  const points = series.points
    .filter((p) => (byTime.get(p.timestampMs) ?? 0) > floor)
    .map((p) => ({ ...p, value: p.value / byTime.get(p.timestampMs)! }));
  return { ...series, name: `${series.name} per ${requests.name}`, unit: 'None', stat: 'avg', points };
}

function metricEvidence(series: MetricSeries, index: number, baseline: number): Evidence {
  const point = series.points[index]!;
  return {
    kind: 'metric',
    ref: {
      component: series.component,
      namespace: series.namespace,
      metric: series.name,
      stat: series.stat,
      timestamp: new Date(point.timestampMs).toISOString(),
      value: Number(point.value.toPrecision(6)),
      group: point.group,
      eventId: point.eventId,
    },
    excerpt: `${series.name} (${series.stat}${series.unit !== 'None' ? `, ${series.unit}` : ''}) ${Number(point.value.toPrecision(4))} at ${new Date(point.timestampMs).toISOString().slice(11, 19)}Z, baseline ${Number(baseline.toPrecision(4))}`,
  };
}

/** A component's log events per period start, as a measure of its traffic for normalising counts. */
export type TrafficOf = (component: string, periodStartMs: number, periodMs: number) => number | undefined;

export function metricSignals(
  metrics: readonly MetricPoint[],
  index: ComponentIndex,
  atMs: number,
  windowMs: number,
  traffic: TrafficOf = () => undefined,
): Signal[] {
  if (metrics.length === 0) return [];
  const byComponentPeriod = new Map<number, MetricPoint[]>();
  // Series of different cadence are built separately (per-invocation documents vs per-minute gauges).
  const periodOfGroup = new Map<string, number>();
  const byGroup = new Map<string, MetricPoint[]>();
  for (const p of metrics) {
    const list = byGroup.get(p.group) ?? [];
    list.push(p);
    byGroup.set(p.group, list);
  }
  for (const [group, list] of byGroup) periodOfGroup.set(group, periodOf(list));
  for (const p of metrics) {
    const period = periodOfGroup.get(p.group)!;
    const list = byComponentPeriod.get(period) ?? [];
    list.push(p);
    byComponentPeriod.set(period, list);
  }
  const signals: Signal[] = [];
  for (const [periodMs, points] of byComponentPeriod) {
    const all = buildSeries(points, index.ofMetric, periodMs);
    const firstOf = new Map<string, number>();
    for (const p of points) {
      const component = index.ofMetric(p);
      firstOf.set(component, Math.min(firstOf.get(component) ?? p.timestampMs, p.timestampMs));
    }
    for (const built of all) {
      const start = firstOf.get(built.component) ?? built.points[0]?.timestampMs ?? atMs;
      const series = perRequest(built, all);
      const signal = seriesSignal(series, atMs, windowMs, start, traffic);
      if (signal) signals.push(signal);
    }
  }
  return commonMode(saturationOnly(signals));
}

/**
 * CPU or memory is a fault when it runs out, not when it rises: where a component reports the concept as a
 * percentage, only a level near the ceiling counts as saturation; otherwise its CPU and memory series read as
 * load (the same rise in a gauge of unknown scale included).
 */
function saturationOnly(signals: Signal[]): Signal[] {
  const verdict = new Map<string, boolean>();
  for (const s of signals) {
    const concept = String(s.facts.concept);
    if ((concept !== 'cpu' && concept !== 'memory') || s.facts.unit !== 'Percent') continue;
    const key = `${s.component}\u0000${concept}`;
    verdict.set(key, (verdict.get(key) ?? false) || Number(s.facts.after) >= 70);
  }
  for (const s of signals) {
    const key = `${s.component}\u0000${s.facts.concept}`;
    if (verdict.get(key) === false) s.facts.concept = 'other';
  }
  return signals;
}

/**
 * The same metric moving at the same minute in several components is the estate's weather (a traffic wave, a
 * shared host), not one component's fault: each such signal is divided among the components that share it.
 */
function commonMode(signals: Signal[]): Signal[] {
  const groups = new Map<string, Signal[]>();
  for (const s of signals) {
    const key = `${s.facts.metric}\u0000${s.facts.direction}\u0000${Math.floor(s.onsetMs / 120_000)}`;
    const list = groups.get(key) ?? [];
    list.push(s);
    groups.set(key, list);
  }
  for (const list of groups.values()) {
    const components = new Set(list.map((s) => s.component)).size;
    if (components < 3) continue;
    for (const s of list) {
      s.strength /= components - 1;
      s.facts.sharedWith = components - 1;
    }
  }
  return signals;
}

function seriesSignal(
  series: MetricSeries,
  atMs: number,
  windowMs: number,
  startMs: number,
  traffic: TrafficOf,
): Signal | undefined {
  if (series.stat === 'sum' && series.unit === 'Count') return countSignal(series, atMs, startMs, traffic);
  const points = series.points.filter((p) => p.timestampMs <= atMs);
  if (points.length < 6) return undefined;
  const concept = metricConcept(series.name);
  const directions: (1 | -1)[] = ['other', 'requests', 'host'].includes(concept)
    ? [1, -1]
    : [badDirection(concept)];
  // The detector runs only for a series that moved enough to be a candidate: most do not, and it is the
  // costliest step for an estate of hundreds of series.
  let scoredOnce: Scored | undefined;
  const scored = () => {
    scoredOnce ??= scoreSeriesPoints({ ...series, points }, windowMs);
    return scoredOnce;
  };
  const candidates = [
    shiftSignal(series, points, scored, concept, directions),
    latestSignal(series, points, scored, concept, directions),
  ];
  return candidates.filter((c): c is Signal => c !== undefined).sort((a, b) => b.strength - a.strength)[0];
}

type Scored = ReturnType<typeof scoreSeriesPoints>;

/**
 * Counts (errors, throttles, cold starts per period) are events, not gauges: a period without a document
 * counted nothing, and a rise is judged as a change of Poisson rate, so 0 → 1 is no news but 0 → 40 is. The
 * rate is per unit of the component's own traffic when it has logs to measure it by: ten times the cold starts
 * on ten times the requests (a release-day burst scaling out) is not a storm.
 */
function countSignal(
  series: MetricSeries,
  atMs: number,
  startMs: number,
  traffic: TrafficOf,
): Signal | undefined {
  const period = series.periodMs;
  const first = Math.floor(startMs / period) * period;
  const n = Math.floor((atMs - first) / period) + 1;
  if (n < 6) return undefined;
  const counts = new Array<number>(n).fill(0);
  const byBucket = new Map<number, number>();
  series.points.forEach((p, i) => {
    const k = Math.floor((p.timestampMs - first) / period);
    if (k < 0 || k >= n) return;
    counts[k] = p.value;
    byBucket.set(k, i);
  });
  const volume = counts.map((_, k) => traffic(series.component, first + k * period, period));
  const known = volume.every((v) => v !== undefined) && volume.some((v) => (v ?? 0) > 0);
  const exposure = known ? volume.map((v) => (v ?? 0) + 1) : counts.map(() => 1);
  const split = scanRateIncrease(counts, exposure, 3, 1);
  if (!split || split.llr < 6 || split.after < 2 * split.before) return undefined;
  // At least one more event per period than the baseline rate predicts, on average after the onset.
  const afterCounts = counts.slice(split.index);
  const afterExposure = exposure.slice(split.index);
  const excess =
    afterCounts.reduce((a, c, k) => a + c - split.before * afterExposure[k]!, 0) / afterCounts.length;
  if (excess < 1) return undefined;
  const concept = metricConcept(series.name);
  let worst = split.index;
  for (let k = split.index; k < n; k++) if (counts[k]! > counts[worst]!) worst = k;
  const points = series.points;
  const index = byBucket.get(worst) ?? points.length - 1;
  return signalOf(
    series,
    points,
    concept,
    1,
    first + split.index * period,
    split.before,
    split.after,
    split.after / Math.max(split.before, 0.1),
    Math.min(60, split.llr),
    index,
    1,
  );
}

/**
 * How far a series normally strays: the larger of its MAD and its 10–90 % range (a gauge that sits still but
 * spikes now and then has a tiny MAD, and a spike like the earlier ones is not news), and 5 % of its level.
 */
function spreadOf(values: number[], level: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))]!;
  return Math.max(robustScale(values), (q(0.9) - q(0.1)) / 2.56, 0.05 * Math.abs(level), 1e-9);
}

function signalOf(
  series: MetricSeries,
  points: MetricSeries['points'],
  concept: string,
  direction: 1 | -1,
  onsetMs: number,
  before: number,
  after: number,
  deviations: number,
  strength: number,
  worst: number,
  detectorScore: number,
): Signal {
  const flagged = detectorScore >= 0.5;
  const evidenceIdx = [...new Set([worst, points.length - 1])];
  return {
    component: series.component,
    kind: 'metric_shift',
    strength,
    onsetMs,
    facts: {
      metric: series.name,
      concept,
      direction,
      before,
      after,
      ratio: after / (Math.abs(before) > 1e-9 ? before : 1e-9),
      deviations,
      detectorScore,
      unit: series.unit,
    },
    detail: `${series.name} ${direction > 0 ? 'rose' : 'fell'} from a median of ${Number(before.toPrecision(3))} to ${Number(after.toPrecision(3))}${flagged ? ' (flagged by the anomaly detector)' : ''}`,
    evidence: evidenceIdx.map((i) => metricEvidence({ ...series, points }, i, before)),
  };
}

/** A sustained shift: at least three points after the onset, consistently on the bad side. */
function shiftSignal(
  series: MetricSeries,
  points: MetricSeries['points'],
  scoredOf: () => Scored,
  concept: string,
  directions: (1 | -1)[],
): Signal | undefined {
  const samples = points.map((p) => ({ t: p.timestampMs, v: p.value }));
  const splits = points.slice(3).map((p) => p.timestampMs);
  let best: { shift: NonNullable<ReturnType<typeof scanShift>>; direction: 1 | -1 } | undefined;
  for (const direction of directions) {
    const shift = scanShift(samples, splits, direction, 3);
    if (shift && (!best || shift.z > best.shift.z)) best = { shift, direction };
  }
  if (!best || best.shift.z < MIN_Z) return undefined;
  const { shift, direction } = best;
  const before = samples.filter((s) => s.t < shift.t).map((s) => s.v);
  const scale = spreadOf(before, median(before));
  const change = shift.after - shift.before;
  // A shift must be large against the baseline's own spread and its level, not just consistent.
  if (Math.abs(change) < 3 * scale || Math.abs(change) < 0.1 * Math.abs(shift.before)) return undefined;
  const firstAfter = points.findIndex((p) => p.timestampMs >= shift.t);
  const scored = scoredOf();
  let worst = firstAfter;
  let detectorScore = 0;
  for (let i = firstAfter; i < points.length; i++) {
    const s = scored[i]!;
    const bad = direction * (s.value - s.expected) > 0 ? s.score : 0;
    if (bad > detectorScore) {
      detectorScore = bad;
      worst = i;
    }
  }
  // Consistency (z) times size (how many spreads it moved): a cache-hit rate falling from 90 % to 20 % outweighs
  // a gauge creeping up by a few of its own spreads.
  const deviations = Math.abs(change) / scale;
  const strength =
    Math.min(60, ((shift.z * shift.z) / 2) * (1 + Math.log(1 + deviations / 3))) *
    (detectorScore >= 0.5 ? 1 : 0.5);
  return signalOf(
    series,
    points,
    concept,
    direction,
    shift.t,
    shift.before,
    shift.after,
    Math.abs(change) / scale,
    strength,
    worst,
    detectorScore,
  );
}

/**
 * A jump in the last two points, too recent for a sustained shift: it must lie outside the ranges the detector
 * keeps and far outside the spread of everything before.
 */
function latestSignal(
  series: MetricSeries,
  points: MetricSeries['points'],
  scoredOf: () => Scored,
  concept: string,
  directions: (1 | -1)[],
): Signal | undefined {
  let best: Signal | undefined;
  for (let i = Math.max(5, points.length - 2); i < points.length; i++) {
    const history = points.slice(0, i).map((p) => p.value);
    const level = median(history);
    const scale = spreadOf(history, level);
    for (const direction of directions) {
      const deviations = (direction * (points[i]!.value - level)) / scale;
      if (deviations < 6) continue;
      const s = scoredOf()[i]!;
      // The detector's own evidence, not its alarm: the alarm policy keeps quiet for a while after any alarm
      // (one page per incident), which would hide a jump that follows a trivial earlier blip.
      const outside = s.evidence / (1 + s.evidence);
      if (outside < 0.5 || direction * (s.value - s.expected) <= 0) continue;
      const strength = Math.min(deviations, 40);
      if (!best || strength > best.strength)
        best = signalOf(
          series,
          points,
          concept,
          direction,
          points[i]!.timestampMs,
          level,
          points[i]!.value,
          deviations,
          strength,
          i,
          outside,
        );
    }
  }
  return best;
}
