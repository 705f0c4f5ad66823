import type { IncomingMessage, ServerResponse } from 'node:http';
import { compileFilterPattern } from './log-events.ts';
import { LoopbackStandIn, replyJson } from './loopback-stand-in.ts';

interface StoredEvent {
  logStreamName: string;
  timestamp: number;
  message: string;
  eventId: string;
}

/**
 * A small CloudWatch Logs that speaks the wire format the SDK's CloudWatchLogsClient sends (AWS JSON 1.1,
 * `X-Amz-Target: Logs_20140328.FilterLogEvents`): FilterLogEvents over events a test puts, with the time range
 * (`endTime` inclusive, as in CloudWatch Logs), the filter patterns the local adapter honours, pages of `pageSize`
 * events and ResourceNotFoundException for an unknown group. It checks no signature and keeps events in memory.
 */
export class CloudWatchLogsStandIn extends LoopbackStandIn {
  private readonly groups = new Map<string, StoredEvent[]>();
  /** The FilterLogEvents requests served (tests read what the adapter asked). */
  readonly requests: { logGroupName: string; startTime?: number; endTime?: number }[] = [];

  constructor(private readonly pageSize = 10_000) {
    super();
  }

  /** Adds events to a group (created on first use), as a function or a stage writing its log would. */
  putEvents(group: string, stream: string, events: { timestamp: number; message: string }[]): void {
    const stored = this.groups.get(group) ?? [];
    this.groups.set(group, stored);
    for (const event of events)
      stored.push({ ...event, logStreamName: stream, eventId: `${stored.length}`.padStart(12, '0') });
    stored.sort((a, b) => a.timestamp - b.timestamp || a.eventId.localeCompare(b.eventId));
  }

  protected internalError(response: ServerResponse, error: unknown): void {
    reply(response, 500, { __type: 'ServiceUnavailableException', message: String(error) });
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (target !== 'Logs_20140328.FilterLogEvents')
      return reply(response, 400, { __type: 'InvalidAction', message: `not served here: ${target}` });
    // biome-ignore lint/suspicious/noExplicitAny: the request as the SDK serialized it.
    const body: any = await this.jsonBody(request);
    this.requests.push(body);
    const events = this.groups.get(body.logGroupName);
    if (!events)
      return reply(response, 400, {
        __type: 'ResourceNotFoundException',
        message: 'The specified log group does not exist.',
      });
    const matches = compileFilterPattern(body.filterPattern);
    const selected = events.filter(
      (e) =>
        (body.startTime === undefined || e.timestamp >= body.startTime) &&
        (body.endTime === undefined || e.timestamp <= body.endTime) &&
        matches(e.message),
    );
    // A nextToken is the index of the first event not yet returned.
    const from = Number(body.nextToken ?? 0);
    const page = selected.slice(from, from + this.pageSize);
    const next = from + page.length < selected.length ? String(from + page.length) : undefined;
    reply(response, 200, {
      events: page.map((e) => ({ ...e, ingestionTime: e.timestamp })),
      searchedLogStreams: [],
      ...(next ? { nextToken: next } : {}),
    });
  }
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  replyJson(response, status, body, 'application/x-amz-json-1.1');
}
