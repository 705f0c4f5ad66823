import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The telemetry directory's log groups (DESIGN.md 4.4), as the local runtime writes them and the copilot reads them:
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
