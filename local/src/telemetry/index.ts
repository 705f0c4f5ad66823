// CloudWatch Logs and the X-Ray daemon as files in the telemetry directory (DESIGN.md 4.4).
export { LogGroupWriter } from './log-groups.ts';
export {
  createSegmentEmitter,
  type SegmentEmitter,
  startXRayReceiver,
  type XRayReceiver,
  type XRayReceiverOptions,
} from './xray-receiver.ts';
