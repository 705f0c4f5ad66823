// The daily optimization report (cache, storage, capacity, cost) and the metrics change sets are verified on.
export { CacheAnalyzer, type CacheAnalysis } from './cache-analysis.ts';
export { readEdgeLogWindow } from './edge-logs.ts';
export { behaviorMatcher, pathPatternMatcher } from './path-pattern.ts';
export { METRICS, TelemetryMetricReader, type TelemetryMetricOptions } from './telemetry-metrics.ts';
