import { REALTIME_LOG_FIELDS } from '@boundless/delivery';
import type { EdgeLogRecord } from '@boundless/copilot/logs';
import { edgeRecordFromRealtime } from '@boundless/copilot/pipeline';
import { parseRealtimeRecord } from '@boundless/copilot/sources';

/**
 * One CloudFront real-time log record (tab-separated, in the order of the distribution's real-time log
 * configuration, which infra sets to `REALTIME_LOG_FIELDS`) as the record the detectors read: the same two
 * steps as the copilot's Kinesis feed. Undefined when the record does not have the configured fields.
 */
export function recordFromRealtimeLine(line: string): EdgeLogRecord | undefined {
  const event = parseRealtimeRecord(line, REALTIME_LOG_FIELDS);
  return event === undefined ? undefined : edgeRecordFromRealtime(event.fields);
}
