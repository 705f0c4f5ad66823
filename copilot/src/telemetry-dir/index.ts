// The telemetry directory (DESIGN.md 4.4): its layout and readers. The local runtime writes it; the copilot's
// local sources and `boundless diagnose` read it, whoever produced it.
export {
  type LogGroupInfo,
  LogGroupError,
  listLogGroups,
  type OnSkip,
  readLogGroupEvents,
  sanitiseLogGroupName,
  type StoredLogEvent,
  utcDay,
} from './log-groups.ts';
export { querySegments, type SegmentDocument, type SegmentQuery, segmentDay } from './segments.ts';
export { type ReadOptions, readTelemetryDirectory, TelemetryDirectoryError } from './snapshot.ts';
