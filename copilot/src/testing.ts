// Test helpers that other packages' tests and benches use: a deterministic geolocation for the detectors, synthetic
// per-minute demand for pre-warming, a Lambda control plane for provisioned concurrency, and the incident chat against replayed model conversations.
export { testGeo } from './detect/test-support.ts';
export { dailyDemand } from './prewarm/test-support.ts';
export { askBedrock, askOffline, askOpenAi, loadRecording } from './chat/testing/chat-harness.ts';
export type { ReplayStep } from './chat/testing/converse-replay-server.ts';
export { FakeDiagnostician, TIMEOUT_DIAGNOSIS } from './chat/testing/fake-diagnostician.ts';
export { S3StandIn } from './sources/s3-stand-in.ts';
export { LambdaStandIn, type StandInProvisionedConfig } from './prewarm/lambda-stand-in.ts';
export { CloudWatchStandIn, type StandInDatapoint } from './sources/cloudwatch-stand-in.ts';
export { EventBusStandIn } from './pipeline/event-bus-stand-in.ts';
export { LoopbackStandIn } from './sources/loopback-stand-in.ts';
export { CloudWatchLogsStandIn } from './sources/cloudwatch-logs-stand-in.ts';
export { LOCAL_AWS, NOWHERE } from './service/aws-test-support.ts';
