import type { MetricPoint } from './types.ts';

/**
 * The metric values of an Embedded Metric Format document, whatever the namespace and metric names: each
 * declared metric's value (a number, or an array of numbers for several samples) with the dimensions its
 * directive declares. A document that breaks the specification yields the reason instead, so the caller can
 * count it.
 */
export type EmfResult = { points: MetricPoint[] } | { invalid: string };

interface Directive {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: unknown;
}

type Origin = { group: string; stream: string; eventId: string; timestampMs: number };

export function emfPoints(document: Record<string, unknown>, origin: Origin): EmfResult {
  const aws = document._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (!aws || !Array.isArray(aws.CloudWatchMetrics)) return { invalid: 'EMF: no CloudWatchMetrics' };
  const timestampMs =
    typeof aws.Timestamp === 'number' && Number.isFinite(aws.Timestamp) ? aws.Timestamp : origin.timestampMs;
  const points: MetricPoint[] = [];
  for (const raw of aws.CloudWatchMetrics as Directive[]) {
    if (typeof raw !== 'object' || raw === null || !Array.isArray(raw.Metrics))
      return { invalid: 'EMF: directive without Metrics' };
    const namespace = typeof raw.Namespace === 'string' ? raw.Namespace : '';
    const dimensions: Record<string, string> = {};
    const sets = Array.isArray(raw.Dimensions) ? raw.Dimensions : [];
    for (const set of sets) {
      if (!Array.isArray(set)) continue;
      for (const key of set) {
        const value = document[String(key)];
        if (typeof value === 'string' || typeof value === 'number') dimensions[String(key)] = String(value);
      }
    }
    for (const metric of raw.Metrics as { Name?: unknown; Unit?: unknown }[]) {
      if (typeof metric?.Name !== 'string') return { invalid: 'EMF: metric without Name' };
      const value = document[metric.Name];
      const values = Array.isArray(value) ? value : [value];
      for (const sample of values) {
        if (typeof sample !== 'number' || !Number.isFinite(sample)) continue;
        points.push({
          namespace,
          name: metric.Name,
          unit: typeof metric.Unit === 'string' ? metric.Unit : 'None',
          value: sample,
          timestampMs,
          dimensions,
          group: origin.group,
          stream: origin.stream,
          eventId: origin.eventId,
        });
      }
    }
  }
  return { points };
}
