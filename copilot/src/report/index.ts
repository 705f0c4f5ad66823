// The daily optimization report (cache, storage, capacity, cost) and the metrics change sets are verified on.
export { type DailyReportInputs, buildDailyReport } from './daily-report.ts';
export type { StoredObject, StoredObjectScan } from './recommend-cache.ts';
export { renderHtml, renderMarkdown, trafficRecorded } from './render.ts';
export { ReportFiles, type ReportStore } from './report-files.ts';
export { S3ReportStore, type S3ReportStoreOptions } from './report-s3.ts';
export {
  type EdgeLogInput,
  type EdgeLogWindowResult,
  type EdgeLogWindowSource,
  readEdgeLogWindow,
} from './edge-logs.ts';
export { behaviorMatcher, pathPatternMatcher } from './path-pattern.ts';
export { METRICS, TelemetryMetricReader, type TelemetryMetricOptions } from './telemetry-metrics.ts';
export type { DailyReport, ReportRecommendation, ReportTunables } from './types.ts';
