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

/** Why a line or a directory could not be read; readers count these instead of failing. */
export type OnSkip = (reason: string) => void;

/**
 * The group a directory holds: `group.json`'s `{"logGroupName": ...}` (as we write it) or a bare JSON string;
 * without a readable one, the directory's own name (a converter that left the file out still gets its logs
 * read, under the sanitised name, and the skip says so).
 */
function groupNameOf(meta: string | undefined): string | undefined {
  if (meta === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(meta);
  } catch {
    return undefined;
  }
  const name =
    typeof value === 'object' && value !== null ? (value as { logGroupName?: unknown }).logGroupName : value;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

export async function listLogGroups(root: string, onSkip?: OnSkip): Promise<LogGroupInfo[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const groups: LogGroupInfo[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const directory = join(root, entry.name);
    const meta = await readFile(join(directory, 'group.json'), 'utf8').catch(() => undefined);
    let logGroupName = groupNameOf(meta);
    if (logGroupName === undefined) {
      onSkip?.('logs: group directory without a readable group.json (its directory name used)');
      logGroupName = entry.name;
    }
    groups.push({ logGroupName, directory });
  }
  return groups.sort((a, b) => a.logGroupName.localeCompare(b.logGroupName));
}

const TIMESTAMP = /"timestamp":(\d+)[,}]/;

/**
 * Events of one group with `startMs <= timestamp <= endMs`, in file order (append order within a day). Lines that
 * are not events (a torn last line after a crash, anything else) are skipped and reported to `onSkip`.
 */
export async function* readLogGroupEvents(
  root: string,
  logGroup: string,
  startMs: number,
  endMs: number,
  onSkip?: OnSkip,
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
      // Most lines of a long day file are out of range: look at the timestamp before parsing the whole line.
      const quick = TIMESTAMP.exec(line.slice(0, 160));
      if (quick) {
        const timestamp = Number(quick[1]);
        if (timestamp < startMs || timestamp > endMs) continue;
      }
      const event = parseStoredEvent(line);
      if (typeof event === 'string') onSkip?.(event);
      else if (event.timestamp >= startMs && event.timestamp <= endMs) yield event;
    }
  }
}

/** The event a line holds, or why it holds none. */
function parseStoredEvent(line: string): StoredLogEvent | string {
  let value: Partial<StoredLogEvent>;
  try {
    value = JSON.parse(line) as Partial<StoredLogEvent>;
  } catch {
    return 'logs: line is not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'logs: line is not an event object';
  if (typeof value.timestamp !== 'number' || !Number.isFinite(value.timestamp))
    return 'logs: event without a numeric timestamp';
  if (typeof value.message !== 'string') return 'logs: event without a message string';
  return {
    id: String(value.id ?? value.timestamp),
    timestamp: value.timestamp,
    logStream: String(value.logStream ?? ''),
    message: value.message,
  };
}
