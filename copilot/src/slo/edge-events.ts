import {
  type EdgeLogRecord,
  newParseStats,
  type ParseStats,
  readCloudFrontLogs,
} from '../logs/cloudfront-standard.ts';
import type { Channel, PathClass } from './definitions.ts';
import { contentClassOf, pathClassOf, type SloEvent } from './events.ts';

/** Which channel an edge request belongs to; CloudFront logs do not say, so callers may know better (B2B ranges). */
export type EdgeChannelResolver = (record: EdgeLogRecord) => Channel | undefined;

export type EdgeRecordFields = Pick<
  EdgeLogRecord,
  'timestampMs' | 'uriStem' | 'status' | 'timeTakenMs' | 'contentType'
>;

export function edgeSloEvent(
  record: EdgeRecordFields,
  pathClasses: readonly PathClass[],
  channel?: Channel,
): SloEvent {
  const event: SloEvent = {
    timestampMs: record.timestampMs,
    source: 'edge',
    route: pathClassOf(record.uriStem, pathClasses),
    status: record.status,
    latencyMs: record.timeTakenMs,
  };
  const contentClass = contentClassOf(record.uriStem, record.contentType);
  if (contentClass) event.contentClass = contentClass;
  if (channel) event.channel = channel;
  return event;
}

export interface EdgeSloEventOptions {
  pathClasses: readonly PathClass[];
  channelOf?: EdgeChannelResolver;
  /** Receives the parser's line counts and skips. */
  stats?: ParseStats;
}

/** SLO events from CloudFront standard log files and directories, merged in event time. */
export async function* readEdgeSloEvents(
  inputs: readonly string[],
  options: EdgeSloEventOptions,
): AsyncGenerator<SloEvent> {
  const { pathClasses, channelOf } = options;
  for await (const batch of readCloudFrontLogs(inputs, options.stats ?? newParseStats())) {
    for (const record of batch) yield edgeSloEvent(record, pathClasses, channelOf?.(record));
  }
}
