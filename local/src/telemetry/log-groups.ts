import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchedAppender } from './batched-appender.ts';

/**
 * CloudWatch log groups as files, so the copilot reads local logs through the same source interface as AWS:
 * `<root>/<sanitised group>/<YYYY-MM-DD>.log` (UTC day of the event), one JSON line per log event shaped like a
 * CloudWatch subscription-filter event: `{"id","timestamp","logStream","message"}` where `message` is the line
 * the function printed (Powertools logger JSON, EMF documents, platform records) exactly as CloudWatch would
 * store it. `group.json` in each directory keeps the real name, since sanitising is not reversible.
 */
export interface StoredLogEvent {
  id: string;
  /** Unix milliseconds. */
  timestamp: number;
  logStream: string;
  message: string;
}

export class LogGroupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LogGroupError';
  }
}

export function sanitiseLogGroupName(logGroup: string): string {
  const safe = logGroup.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '_');
  if (safe === '' || safe === '.' || safe === '..')
    throw new LogGroupError(`unusable log group name "${logGroup}"`);
  return safe;
}

export function utcDay(timestampMs: number): string {
  return new Date(timestampMs).toISOString().slice(0, 10);
}

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

  append(logGroup: string, logStream: string, message: string, timestamp = Date.now()): void {
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
    // The StoredLogEvent's JSON, field for field, built without a second pass over the message's object: the
    // id is digits, hex and dashes, the timestamp an integer.
    const id = `${timestamp}-${this.writerId}-${this.sequence}`;
    this.appender.append(
      group.file,
      `{"id":"${id}","timestamp":${timestamp},"logStream":${stream},"message":${JSON.stringify(message)}}`,
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

export interface LogGroupInfo {
  logGroupName: string;
  directory: string;
}

export async function listLogGroups(root: string): Promise<LogGroupInfo[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const groups: LogGroupInfo[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const directory = join(root, entry.name);
    const meta = await readFile(join(directory, 'group.json'), 'utf8').catch(() => undefined);
    if (meta === undefined) continue;
    const { logGroupName } = JSON.parse(meta) as { logGroupName: string };
    groups.push({ logGroupName, directory });
  }
  return groups.sort((a, b) => a.logGroupName.localeCompare(b.logGroupName));
}

/** Events of one group with `startMs <= timestamp <= endMs`, in file order (append order within a day). */
export async function* readLogGroupEvents(
  root: string,
  logGroup: string,
  startMs: number,
  endMs: number,
): AsyncGenerator<StoredLogEvent> {
  const directory = join(root, sanitiseLogGroupName(logGroup));
  const files = await readdir(directory).catch(() => [] as string[]);
  const firstDay = utcDay(Math.max(0, startMs));
  const lastDay = utcDay(Math.min(endMs, 8.64e15));
  const days = files
    .filter((file) => /^\d{4}-\d{2}-\d{2}\.log$/.test(file))
    .map((file) => file.slice(0, 10))
    .filter((day) => day >= firstDay && day <= lastDay)
    .sort();
  for (const day of days) {
    const text = await readFile(join(directory, `${day}.log`), 'utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const event = parseStoredEvent(line);
      if (event && event.timestamp >= startMs && event.timestamp <= endMs) yield event;
    }
  }
}

function parseStoredEvent(line: string): StoredLogEvent | undefined {
  try {
    const value = JSON.parse(line) as Partial<StoredLogEvent>;
    if (typeof value.timestamp !== 'number' || typeof value.message !== 'string') return undefined;
    return {
      id: String(value.id ?? value.timestamp),
      timestamp: value.timestamp,
      logStream: String(value.logStream ?? ''),
      message: value.message,
    };
  } catch {
    // A torn last line after a crash is skipped rather than failing the whole read.
    return undefined;
  }
}
