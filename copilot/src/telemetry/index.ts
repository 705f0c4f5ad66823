// Telemetry as the diagnostician and the tools read it, whoever produced it: log records (structured, text,
// EMF, platform), EMF metric points, X-Ray spans, the components found in them, traces as trees and the
// service map, metric series.
export { discoverComponents, isDependencyCall, type ComponentIndex } from './components.ts';
export { parseLogMessage, toLogRecord } from './log-message.ts';
export {
  buildSeries,
  defaultStat,
  type MetricSeries,
  scoreSeriesPoints,
  type Stat,
} from './metric-series.ts';
export { resolveSpans, segmentSpans } from './segments.ts';
export { callsOf, groupTraces, selfTimes, serviceMap, type TraceView } from './trace-graph.ts';
export type { LogLevel, LogRecord, MetricPoint, SkipCounts, Span, TelemetrySnapshot } from './types.ts';
