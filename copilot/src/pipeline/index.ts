// The live loop: feeds of edge records and API logs -> detectors, SLO engine, mitigations, state.
export {
  EdgeSinkFeed,
  type FeedAdapter,
  type FeedKind,
  kinesisRealtimeFeed,
  localStandardLogFeed,
  type RecordFeed,
  s3StandardLogFeed,
} from './feeds.ts';
export { edgeRecordFromRealtime } from './edge-records.ts';
export {
  type DetectionFeed,
  type DetectionPoll,
  readDetectionEvent,
  sqsDetectionFeed,
} from './detection-feed.ts';
export type { CopilotPipelineOptions } from './pipeline-options.ts';
export { CopilotPipeline } from './pipeline.ts';
export type { OpsUpdate, PipelineCounters, PipelineListener, SloSnapshot, SourceStatus } from './types.ts';
