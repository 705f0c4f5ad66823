import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import type { RecordFeed } from './feeds.ts';
import type { SourceStatus } from './types.ts';
import { copilotLogger } from '../logger.ts';

const log = copilotLogger('pipeline');

/**
 * Polls feeds one at a time and keeps each one's status. A failing feed is recorded and the loop moves on to
 * the next: an unreachable bucket must not stop detection on the real-time stream, nor crash the process.
 */
export class SourceTracker {
  private readonly status = new Map<string, SourceStatus>();

  constructor(
    private readonly feeds: readonly RecordFeed[],
    private readonly clock: () => number,
  ) {
    for (const feed of feeds) {
      this.status.set(feed.id, {
        id: feed.id,
        kind: feed.kind,
        adapter: feed.adapter,
        state: 'starting',
        lastPollAt: null,
        lastSuccessAt: null,
        lastError: null,
        failures: 0,
        records: 0,
        duplicates: 0,
        skippedLines: {},
        checkpoint: null,
      });
    }
  }

  async poll(feed: RecordFeed, onRecords: (records: EdgeLogRecord[]) => Promise<void>): Promise<void> {
    const status = this.status.get(feed.id) as SourceStatus;
    status.lastPollAt = new Date(this.clock()).toISOString();
    try {
      const result = await feed.poll(onRecords);
      status.records += result.records;
      for (const [reason, count] of Object.entries(result.skipped))
        status.skippedLines[reason] = (status.skippedLines[reason] ?? 0) + count;
      status.state = 'ok';
      status.failures = 0;
      status.lastError = null;
      status.lastSuccessAt = status.lastPollAt;
    } catch (error) {
      status.state = 'error';
      status.failures += 1;
      status.lastError = error instanceof Error ? error.message : String(error);
    }
  }

  duplicates(feed: RecordFeed, count: number): void {
    const status = this.status.get(feed.id);
    if (status && count > 0) status.duplicates += count;
  }

  async statuses(): Promise<SourceStatus[]> {
    const out: SourceStatus[] = [];
    for (const feed of this.feeds) {
      const status = this.status.get(feed.id) as SourceStatus;
      const checkpoint = await feed.checkpoint().catch((error: unknown) => {
        // A status read must not fail for a checkpoint that cannot be read now; the poll reports the feed's health.
        log.warn('reading a checkpoint for the source status failed', { error, source: feed.id });
        return undefined;
      });
      out.push({
        ...status,
        skippedLines: { ...status.skippedLines },
        checkpoint: checkpoint ?? null,
        ...(feed.backlog ? { backlog: feed.backlog() } : {}),
      });
    }
    return out;
  }
}
