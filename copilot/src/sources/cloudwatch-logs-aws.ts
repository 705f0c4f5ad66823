import {
  type CloudWatchLogsClient,
  FilterLogEventsCommand,
  GetLogRecordCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { deadline as callDeadline } from './aws-client.ts';
import { SourceError } from './errors.ts';
import {
  type InsightsRow,
  type LogEvent,
  type LogEventQuery,
  type LogEventSource,
  logEventConsoleUrl,
} from './log-events.ts';

export interface AwsLogEventSourceOptions {
  /** Deadline of each call, retries included. @default OUTBOUND_TIMEOUT_MS (10 s) */
  timeoutMs?: number;
  /** How long to wait for a Logs Insights query. @default 60000 */
  insightsTimeoutMs?: number;
  /** @default 1000 */
  insightsPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class AwsLogEventSource implements LogEventSource {
  readonly kind = 'aws' as const;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly options: AwsLogEventSourceOptions = {},
  ) {}

  async *filter(query: LogEventQuery): AsyncGenerator<LogEvent> {
    let nextToken: string | undefined;
    do {
      const page = await this.client
        .send(
          new FilterLogEventsCommand({
            logGroupName: query.logGroup,
            startTime: query.startMs,
            endTime: query.endMs,
            filterPattern: query.filterPattern,
            nextToken,
          }),
          callDeadline(this.options.timeoutMs),
        )
        .catch((error: unknown) => {
          throw new SourceError('cloudwatch-logs', `FilterLogEvents on ${query.logGroup} failed`, {
            cause: error,
          });
        });
      for (const event of page.events ?? []) {
        if (event.timestamp === undefined || event.message === undefined || event.eventId === undefined)
          continue;
        yield {
          logGroup: query.logGroup,
          logStream: event.logStreamName,
          timestampMs: event.timestamp,
          message: event.message,
          eventId: event.eventId,
        };
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }

  /** The event a Logs Insights `@ptr` points to, read again with GetLogRecord. */
  async record(pointer: string): Promise<LogEvent | undefined> {
    const found = await this.client
      .send(new GetLogRecordCommand({ logRecordPointer: pointer }), callDeadline(this.options.timeoutMs))
      .catch((error: unknown) => {
        if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
        throw new SourceError('cloudwatch-logs', 'GetLogRecord failed', { cause: error });
      });
    const record = found?.logRecord;
    const at = Number(record?.['@timestamp']);
    if (!record || record['@message'] === undefined || !Number.isFinite(at)) return undefined;
    return {
      logGroup: (record['@log'] ?? '').replace(/^\d{12}:/, ''),
      ...(record['@logStream'] ? { logStream: record['@logStream'] } : {}),
      timestampMs: at,
      message: record['@message'],
      eventId: pointer,
    };
  }

  async insights(
    logGroups: string[],
    queryString: string,
    startMs: number,
    endMs: number,
  ): Promise<InsightsRow[]> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const started = await this.client.send(
      new StartQueryCommand({
        logGroupNames: logGroups,
        queryString,
        startTime: Math.floor(startMs / 1000),
        endTime: Math.ceil(endMs / 1000),
      }),
      callDeadline(this.options.timeoutMs),
    );
    if (!started.queryId) throw new SourceError('cloudwatch-logs', 'StartQuery returned no query id');
    const polls = (this.options.insightsTimeoutMs ?? 60_000) / (this.options.insightsPollMs ?? 1000);
    for (let poll = 0; poll <= polls; poll++) {
      const result = await this.client.send(
        new GetQueryResultsCommand({ queryId: started.queryId }),
        callDeadline(this.options.timeoutMs),
      );
      if (result.status === 'Complete') {
        const region = await this.client.config.region();
        return (result.results ?? []).map((fields) =>
          withConsoleUrl(
            Object.fromEntries(fields.filter((f) => f.field).map((f) => [f.field as string, f.value ?? ''])),
            region,
          ),
        );
      }
      if (result.status === 'Failed' || result.status === 'Cancelled' || result.status === 'Timeout') {
        throw new SourceError(
          'cloudwatch-logs',
          `Logs Insights query ${started.queryId} ended ${result.status}`,
        );
      }
      await sleep(this.options.insightsPollMs ?? 1000);
    }
    throw new SourceError(
      'cloudwatch-logs',
      `Logs Insights query ${started.queryId} did not complete in time`,
    );
  }
}

/**
 * A row that cites an event (`@ptr`, with its group and stream) also gets `consoleUrl`, the console page that
 * shows the event, so a citation opens in one click; `@log` reads `<account id>:<group>`.
 */
function withConsoleUrl(row: InsightsRow, region: string): InsightsRow {
  const group = row['@log']?.replace(/^\d{12}:/, '');
  const stream = row['@logStream'];
  const at = Date.parse(`${row['@timestamp']?.replace(' ', 'T')}Z`);
  if (!row['@ptr'] || !group || !stream || !Number.isFinite(at)) return row;
  return { ...row, consoleUrl: logEventConsoleUrl(region, group, stream, at) };
}
