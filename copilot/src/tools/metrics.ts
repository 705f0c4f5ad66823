import { z } from 'zod';
import { discoverComponents } from '../telemetry/components.ts';
import { buildSeries, type MetricSeries, scoreSeriesPoints } from '../telemetry/metric-series.ts';
import { answer, capped, rangedQuery, skipNotes } from './results.ts';
import { failure, notConfigured } from './run-tool.ts';
import { parseDurationMs, resolveTimeRange, timeRangeInput } from './time-range.ts';
import type { CopilotTool, ToolContext } from './types.ts';

const selector = {
  component: z.string().optional().describe('only this component (as describe_telemetry names it)'),
  metric: z.string().optional().describe('only metrics with this name (exact, case-insensitive)'),
  namespace: z.string().optional(),
  period: z
    .string()
    .regex(/^\d+(s|m|h)$/)
    .default('1m')
    .describe('aggregation period: "1m", "5m", "1h"'),
  stat: z
    .enum(['auto', 'sum', 'avg', 'min', 'max', 'count', 'p50', 'p95', 'p99'])
    .default('auto')
    .describe('auto: sum for counts and sizes, average otherwise'),
  ...timeRangeInput,
};

const seriesInput = z.strictObject({ ...selector, limit: z.number().int().min(1).max(50).default(10) });

async function loadSeries(
  params: z.output<typeof seriesInput>,
  ctx: ToolContext,
  tool: string,
): Promise<
  | { error: ReturnType<typeof failure> }
  | { series: MetricSeries[]; query: ReturnType<typeof rangedQuery>; notes: string[]; rangeMs: number }
> {
  if (!ctx.telemetry) return { error: notConfigured(tool, params, 'telemetry') };
  const range = resolveTimeRange(params, ctx.now());
  if ('invalid' in range) return { error: failure(tool, params, 'invalid_input', range.invalid) };
  const periodMs = parseDurationMs(params.period) ?? 60_000;
  const query = rangedQuery(tool, params, range);
  const snapshot = await ctx.telemetry.snapshot(range.startMs, range.endMs, { traces: false });
  const components = discoverComponents(snapshot);
  const lower = (s: string | undefined) => s?.toLowerCase();
  const series = buildSeries(snapshot.metrics, components.ofMetric, periodMs, params.stat).filter(
    (s) =>
      (!params.component || s.component === params.component) &&
      (!params.metric || lower(s.name) === lower(params.metric)) &&
      (!params.namespace || s.namespace === params.namespace),
  );
  return { series, query, notes: skipNotes(snapshot.skips), rangeMs: range.endMs - range.startMs };
}

export const queryMetricsTool: CopilotTool<typeof seriesInput> = {
  name: 'query_metrics',
  description:
    'Metric series from the EMF documents in the logs (whatever their names), per component, aggregated per period. Without a metric name it lists every series with its latest value; with one it returns the points.',
  input: seriesInput,
  async run(params, ctx) {
    const loaded = await loadSeries(params, ctx, this.name);
    if ('error' in loaded) return loaded.error;
    const { series, query, notes } = loaded;
    const detailed = Boolean(params.metric);
    const shown = capped(series, params.limit, notes, 'series').map((s) => ({
      component: s.component,
      namespace: s.namespace,
      metric: s.name,
      unit: s.unit,
      stat: s.stat,
      ...(detailed
        ? {
            points: s.points.map((p) => ({
              t: new Date(p.timestampMs).toISOString(),
              value: p.value,
              samples: p.samples,
            })),
          }
        : {
            points: s.points.length,
            latest: s.points.at(-1)?.value,
            max: Math.max(...s.points.map((p) => p.value)),
          }),
    }));
    return answer(query, { series: shown }, series.length === 0, notes);
  },
};

export const metricAnomaliesTool: CopilotTool<typeof seriesInput> = {
  name: 'metric_anomalies',
  description:
    "Runs the copilot's metric anomaly detector over each matching series in the range and returns the points it flags, with the expected band each one left and the EMF event to cite.",
  input: seriesInput,
  async run(params, ctx) {
    const loaded = await loadSeries(params, ctx, this.name);
    if ('error' in loaded) return loaded.error;
    const { series, query, notes, rangeMs } = loaded;
    const anomalies = series.flatMap((s) => {
      const scored = scoreSeriesPoints(s, rangeMs);
      return scored.flatMap((point, i) =>
        point.isAnomaly
          ? [
              {
                component: s.component,
                metric: s.name,
                namespace: s.namespace,
                unit: s.unit,
                stat: s.stat,
                t: new Date(point.timestamp).toISOString(),
                value: point.value,
                expected: Number(point.expected.toPrecision(6)),
                band: [Number(point.lower.toPrecision(6)), Number(point.upper.toPrecision(6))],
                score: Number(point.score.toFixed(3)),
                ref: { group: s.points[i]!.group, eventId: s.points[i]!.eventId },
              },
            ]
          : [],
      );
    });
    anomalies.sort((a, b) => b.score - a.score);
    return answer(
      query,
      { seriesScored: series.length, anomalies: capped(anomalies, params.limit, notes, 'anomalies') },
      anomalies.length === 0,
      notes,
    );
  },
};
