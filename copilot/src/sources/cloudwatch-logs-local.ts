import { readLogGroupEvents } from '../telemetry-dir/index.ts';
import type { CheckpointStore } from './checkpoints.ts';
import { runLocalInsights } from './insights-local.ts';
import {
  compileFilterPattern,
  type InsightsRow,
  type LogEvent,
  type LogEventQuery,
  type LogEventSource,
} from './log-events.ts';

/** The local runtime's log-group files, answered with the same semantics as FilterLogEvents and Logs Insights. */
export class LocalLogEventSource implements LogEventSource {
  readonly kind = 'local' as const;

  constructor(private readonly logsDir: string) {}

  async *filter(query: LogEventQuery): AsyncGenerator<LogEvent> {
    const matches = compileFilterPattern(query.filterPattern);
    for await (const event of readLogGroupEvents(this.logsDir, query.logGroup, query.startMs, query.endMs)) {
      if (!matches(event.message)) continue;
      yield {
        logGroup: query.logGroup,
        logStream: event.logStream,
        timestampMs: event.timestamp,
        message: event.message,
        eventId: event.id,
      };
    }
  }

  async insights(
    logGroups: string[],
    queryString: string,
    startMs: number,
    endMs: number,
  ): Promise<InsightsRow[]> {
    const events: LogEvent[] = [];
    for (const logGroup of logGroups) {
      for await (const event of this.filter({ logGroup, startMs, endMs })) events.push(event);
    }
    events.sort((a, b) => a.timestampMs - b.timestampMs);
    return runLocalInsights(events, queryString);
  }
}

/**
 * Tails a log group from its checkpoint: events strictly after the saved (timestamp, ids at that timestamp),
 * so events sharing the last timestamp are neither repeated nor lost across restarts.
 */
export async function tailLogGroup(
  source: LogEventSource,
  checkpoints: CheckpointStore,
  logGroup: string,
  untilMs: number,
  onEvents: (events: LogEvent[]) => Promise<void>,
): Promise<number> {
  const sourceId = `logs:${logGroup}`;
  const saved = await checkpoints.load(sourceId);
  const position = saved
    ? (JSON.parse(saved) as { timestampMs: number; ids: string[] })
    : { timestampMs: 0, ids: [] };
  const seen = new Set(position.ids);
  const fresh: LogEvent[] = [];
  for await (const event of source.filter({ logGroup, startMs: position.timestampMs, endMs: untilMs })) {
    if (event.timestampMs === position.timestampMs && seen.has(event.eventId)) continue;
    fresh.push(event);
  }
  if (fresh.length === 0) return 0;
  await onEvents(fresh);
  const last = Math.max(...fresh.map((event) => event.timestampMs));
  const ids = fresh.filter((event) => event.timestampMs === last).map((event) => event.eventId);
  const carried = last === position.timestampMs ? position.ids : [];
  await checkpoints.save(sourceId, JSON.stringify({ timestampMs: last, ids: [...carried, ...ids] }));
  return fresh.length;
}
