// Where the copilot reads from: CloudFront logs (local, S3, Kinesis real-time), CloudWatch Logs (local, AWS),
// X-Ray traces, costs (Cost Explorer, FOCUS files, the local cost model), and checkpoints to resume from; and
// how it calls AWS (the SDK's retries, a deadline per call).
export { AWS_MAX_ATTEMPTS, awsClientConfig, deadline, OUTBOUND_TIMEOUT_MS } from './aws-client.ts';
export { type CheckpointStore, FileCheckpointStore, MemoryCheckpointStore } from './checkpoints.ts';
export { LocalCloudFrontLogSource } from './cloudfront-local.ts';
export {
  KinesisRealtimeLogSource,
  parseRealtimeRecord,
  type RealtimeLogEvent,
} from './cloudfront-realtime.ts';
export { readCloudFrontLogObject, S3CloudFrontLogSource, UnreadableLogObjectError } from './cloudfront-s3.ts';
export { S3CloudFrontLogWindow, type S3LogWindowOptions } from './cloudfront-s3-window.ts';
export { AwsLogEventSource } from './cloudwatch-logs-aws.ts';
export {
  CLOUDWATCH_METRICS,
  type CloudWatchMetricOptions,
  CloudWatchMetricReader,
} from './cloudwatch-metrics-aws.ts';
export { LocalLogEventSource, tailLogGroup } from './cloudwatch-logs-local.ts';
export { LocalCostModel, type MeteredUsage } from './cost-model.ts';
export { AwsCostSource, type CostRow, type CostSource } from './cost.ts';
export { SourceError } from './errors.ts';
export { S3ContentRecency, type S3ContentRecencyOptions } from './s3-content-recency.ts';
export { FocusCostSource, FocusFileCostSource, importFocus } from './focus.ts';
export { runLocalInsights, UnsupportedQueryError } from './insights-local.ts';
export type { InsightsRow, LogEvent, LogEventQuery, LogEventSource } from './log-events.ts';
export { AwsTraceSource, assembleTrace, LocalTraceSource, type Trace, type TraceSource } from './traces.ts';
