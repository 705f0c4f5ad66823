import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LogGroupError, sanitiseLogGroupName, utcDay } from '@boundless/copilot/telemetry-dir';
import { BatchedAppender, type LazyLine } from './batched-appender.ts';

/**
 * CloudWatch log groups as files, in the telemetry directory's layout (`@boundless/copilot/telemetry-dir`):
 * `<root>/<sanitised group>/<YYYY-MM-DD>.log`, one subscription-event JSON line per log event, `group.json` with
 * the real name. The copilot reads them through the same source interface as CloudWatch Logs.
 */
const DAY_MS = 86_400_000;

/** A group's directory and the file of the UTC day last written, so a busy group does not recompute them. */
interface GroupFiles {
  dir: string;
  dayStart: number;
  file: string;
}

/** Appends log events to their group files; `flush()` waits for everything appended so far. */
export class LogGroupWriter {
  private readonly appender = new BatchedAppender();
  private readonly groups = new Map<string, GroupFiles>();
  /** Log stream names as JSON strings: a few per execution environment, written on every event. */
  private readonly streamJson = new Map<string, string>();
  private sequence = 0;
  // Ids must stay unique within a group across restarts: the copilot resumes from checkpoints by id.
  private readonly writerId = randomBytes(4).toString('hex');

  constructor(readonly root: string) {}

  append(logGroup: string, logStream: string, message: LazyLine, timestamp = Date.now()): void {
    if (!Number.isFinite(timestamp)) throw new RangeError(`log event timestamp ${timestamp} is not a time`);
    const group = this.groups.get(logGroup) ?? this.registerGroup(logGroup);
    if (!(timestamp >= group.dayStart && timestamp < group.dayStart + DAY_MS)) {
      group.dayStart = Math.floor(timestamp / DAY_MS) * DAY_MS;
      group.file = join(this.root, group.dir, `${utcDay(timestamp)}.log`);
    }
    this.sequence += 1;
    let stream = this.streamJson.get(logStream);
    if (stream === undefined) {
      if (this.streamJson.size >= 10_000) this.streamJson.clear();
      stream = JSON.stringify(logStream);
      this.streamJson.set(logStream, stream);
    }
    // The StoredLogEvent's JSON, field for field, built without a second pass over the message's object (the
    // id is digits, hex and dashes, the timestamp an integer) and only when the batch is written: the id is
    // fixed now, so events keep their order.
    const head = `{"id":"${timestamp}-${this.writerId}-${this.sequence}","timestamp":${timestamp},"logStream":${stream},"message":`;
    this.appender.append(
      group.file,
      () => `${head}${JSON.stringify(typeof message === 'string' ? message : message())}}`,
    );
  }

  async flush(): Promise<void> {
    await this.appender.flush().catch((error: unknown) => {
      throw new LogGroupError(`writing log events under ${this.root} failed`, { cause: error });
    });
  }

  /** Flushes and closes the group files; appending afterwards reopens them. */
  async close(): Promise<void> {
    await this.appender.close().catch((error: unknown) => {
      throw new LogGroupError(`writing log events under ${this.root} failed`, { cause: error });
    });
  }

  private registerGroup(logGroup: string): GroupFiles {
    const dir = sanitiseLogGroupName(logGroup);
    const group = { dir, dayStart: Number.NaN, file: '' };
    this.groups.set(logGroup, group);
    this.appender.enqueue(async () => {
      await mkdir(join(this.root, dir), { recursive: true });
      await writeFile(join(this.root, dir, 'group.json'), JSON.stringify({ logGroupName: logGroup }));
    });
    return group;
  }
}
