// API Gateway HTTP API + Lambda emulation: payload 2.0 events, execution environments (cold starts, reuse,
// provisioned concurrency, throttling), platform records, EMF metrics and X-Ray segments.
export type { ThrottleLimits, ThrottlingSettings } from './api-throttling.ts';
export type { AliasRouting, Handler } from './function-versions.ts';
export { type ApiAccessRecord, type HttpApi, type HttpApiOptions, startHttpApi } from './http-api-adapter.ts';
export {
  type InvocationListener,
  type LambdaEmulatorOptions,
  LambdaEmulator,
  type VersionStats,
  LambdaEmulatorError,
  type LambdaFunction,
  logGroupOf,
  TooManyRequestsError,
} from './lambda-emulator.ts';
// What Lambda itself writes (platform records, the INIT line, EMF per invocation): simulators reuse the builders
// so simulated telemetry has the runtime's exact shape.
export {
  coldStartLine,
  type InvocationFacts,
  initStartRecord,
  invocationMetrics,
  logStreamName,
  reportRecord,
  startRecord,
  throttleMetrics,
} from './lambda-records.ts';
export { type Deployment, type DeployRequest, deployRequestSchema } from './canary-deploy.ts';
