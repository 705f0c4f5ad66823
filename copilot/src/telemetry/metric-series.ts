import { AnomalyDetector, type DetectorOptions } from '../anomaly/detector.ts';
import type { AnomalyPoint } from '../anomaly/views.ts';
import type { MetricPoint } from './types.ts';
import { entryOf } from './collections.ts';
import { DAY_MS } from '@boundless/common/time';

/**
 * EMF points as per-period series, one per (component, namespace, metric). Counters and sizes (Count, Bytes,
 * ...) add up within a period; everything else (percentages, latencies, gauges per second) averages, which is
 * what CloudWatch's console shows for each by default.
 */
export type Stat = 'auto' | 'sum' | 'avg' | 'min' | 'max' | 'count' | 'p50' | 'p95' | 'p99';

interface SeriesKey {
  component: string;
  namespace: string;
  name: string;
  unit: string;
}

interface SeriesPoint {
  timestampMs: number;
  value: number;
  /** How many EMF values the period holds, and one of their event ids for a citation. */
  samples: number;
  group: string;
  eventId: string;
}

export interface MetricSeries extends SeriesKey {
  stat: Exclude<Stat, 'auto'>;
  periodMs: number;
  points: SeriesPoint[];
}

const ADDITIVE_UNIT =
  /^(Count|Bytes|Kilobytes|Megabytes|Gigabytes|Terabytes|Bits|Kilobits|Megabits|Gigabits|Terabits)$/;

export function defaultStat(unit: string): Exclude<Stat, 'auto'> {
  return ADDITIVE_UNIT.test(unit) ? 'sum' : 'avg';
}

function reduce(values: number[], stat: Exclude<Stat, 'auto'>): number {
  switch (stat) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'count':
      return values.length;
    default: {
      const sorted = [...values].sort((a, b) => a - b);
      const q = { p50: 0.5, p95: 0.95, p99: 0.99 }[stat];
      return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
    }
  }
}

export function buildSeries(
  points: readonly MetricPoint[],
  componentOf: (point: MetricPoint) => string,
  periodMs: number,
  stat: Stat = 'auto',
): MetricSeries[] {
  const byKey = new Map<string, { key: SeriesKey; buckets: Map<number, MetricPoint[]> }>();
  for (const point of points) {
    const component = componentOf(point);
    const id = `${component}\u0000${point.namespace}\u0000${point.name}`;
    const entry = entryOf(byKey, id, () => ({
      key: { component, namespace: point.namespace, name: point.name, unit: point.unit },
      buckets: new Map<number, MetricPoint[]>(),
    }));
    const bucket = Math.floor(point.timestampMs / periodMs) * periodMs;
    const list = entryOf(entry.buckets, bucket, () => []);
    list.push(point);
  }
  const series: MetricSeries[] = [];
  for (const { key, buckets } of byKey.values()) {
    const chosen = stat === 'auto' ? defaultStat(key.unit) : stat;
    const seriesPoints = [...buckets]
      .sort(([a], [b]) => a - b)
      .map(([timestampMs, list]) => ({
        timestampMs,
        value: reduce(
          list.map((p) => p.value),
          chosen,
        ),
        samples: list.length,
        group: list[0]!.group,
        eventId: list[list.length - 1]!.eventId,
      }));
    series.push({ ...key, stat: chosen, periodMs, points: seriesPoints });
  }
  return series.sort(
    (a, b) =>
      a.component.localeCompare(b.component) ||
      a.namespace.localeCompare(b.namespace) ||
      a.name.localeCompare(b.name),
  );
}

/**
 * The existing detector (copilot/src/anomaly) run on a window of minutes rather than weeks, on the series' own
 * clock with one record-range block per period: every period closes a block and a point is compared with the
 * range of all points before it. The mean view spans three periods, the error scales follow within thirty,
 * the first five periods only learn, the series raises at most one alarm per range, and the daily profile
 * (meaningless over minutes) never starts.
 */
function windowDetectorOptions(periodMs: number, rangeMs: number): Partial<DetectorOptions> {
  const periods = Math.max(10, Math.ceil(rangeMs / periodMs) + 1);
  return {
    blockMs: periodMs,
    memoryDays: (periods * periodMs) / DAY_MS,
    meanPoints: 3,
    residualPoints: 3,
    volatilityPoints: 5,
    scaleMs: 30 * periodMs,
    warmupMs: 5 * periodMs,
    // Counted in blocks, that is in periods here; the days-long young-series margin has no meaning over a range.
    youngHours: 20,
    youngDays: 0,
    refractoryMs: 5 * periodMs,
    rearmMs: 3 * periodMs,
    profileMinDays: 1e9,
    residualWarmupHours: 1e9,
    volatilityWarmupHours: 5,
  };
}

export function scoreSeriesPoints(series: MetricSeries, rangeMs: number): AnomalyPoint[] {
  const detector = new AnomalyDetector(windowDetectorOptions(series.periodMs, rangeMs));
  return series.points.map((p) => detector.update(p.timestampMs, p.value));
}
