import type { LogRecord, TelemetrySnapshot } from '../telemetry/types.ts';
import { entryOf } from '../telemetry/collections.ts';

/**
 * What changed in the estate: deployed versions, configuration changes, key rotations, approved change sets.
 * Sources plug in behind one interface: the telemetry itself (CloudTrail events delivered to a log group, new
 * versions showing up in log streams and records), and later the change-set engine's approvals.
 */
export type ChangeKind = 'deploy' | 'config' | 'key_rotation' | 'scaling' | 'change_set' | 'other';

export interface ChangeEvent {
  /** Stable within its source: the log event id, the change set id. */
  id: string;
  at: string;
  atMs: number;
  /** The component changed, as the data names it. */
  component: string;
  kind: ChangeKind;
  summary: string;
  version?: string;
  previousVersion?: string;
  /** Where to read it: the source and the reference a citation carries (`{group, eventId}`, a change set id). */
  source: string;
  ref: Record<string, string>;
}

export interface ChangeHistorySource {
  changes(startMs: number, endMs: number): Promise<ChangeEvent[]>;
}

/** Several sources as one, newest last. */
export class CompositeChangeHistory implements ChangeHistorySource {
  constructor(private readonly sources: readonly ChangeHistorySource[]) {}

  async changes(startMs: number, endMs: number): Promise<ChangeEvent[]> {
    const all = (await Promise.all(this.sources.map((s) => s.changes(startMs, endMs)))).flat();
    return all.sort((a, b) => a.atMs - b.atMs || a.id.localeCompare(b.id));
  }
}

const READ_ONLY_CALL =
  /^(Get|List|Describe|Head|Lookup|Search|Query|Scan|BatchGet|Select|Check|Test|Decrypt|Verify|AssumeRole)/;

/** CloudTrail's verbs, mapped to kinds of change; the vocabulary of the API, not of any service. */
function changeKindOf(eventName: string): ChangeKind {
  if (/Rotate|Key(Value)?(Pair)?$|PublicKey|KeyGroup|Secret/i.test(eventName)) return 'key_rotation';
  if (/Code|Deploy|Publish|Image|TaskDefinition|Version|Alias|Release/i.test(eventName)) return 'deploy';
  if (/Concurrency|Capacity|Scaling|DesiredCount|Throughput/i.test(eventName)) return 'scaling';
  if (/Config|Parameter|Setting|Policy|Environment|Update|Put|Modify|Set/i.test(eventName)) return 'config';
  return 'other';
}

type Json = Record<string, unknown>;

function cloudTrailChange(record: LogRecord, components: ReadonlySet<string>): ChangeEvent | undefined {
  if (record.kind !== 'structured' || !record.message.includes('eventSource')) return undefined;
  let json: Json;
  try {
    json = JSON.parse(record.message) as Json;
  } catch {
    return undefined;
  }
  const eventName = json.eventName;
  const eventSource = json.eventSource;
  if (typeof eventName !== 'string' || typeof eventSource !== 'string' || READ_ONLY_CALL.test(eventName))
    return undefined;
  if (json.errorCode !== undefined) return undefined;
  const params = (typeof json.requestParameters === 'object' && json.requestParameters) || {};
  const values = Object.values(params as Json).filter((v): v is string => typeof v === 'string');
  // The changed resource: a parameter naming a component we see, else the first resource-like parameter.
  const component =
    values.find((v) => components.has(v)) ??
    values.map((v) => v.split(':').at(-1) ?? v).find((v) => components.has(v)) ??
    values[0] ??
    eventSource.split('.')[0] ??
    eventSource;
  const at =
    typeof json.eventTime === 'string' && Number.isFinite(Date.parse(json.eventTime))
      ? json.eventTime
      : new Date(record.timestampMs).toISOString();
  return {
    id: record.id,
    at,
    atMs: Date.parse(at),
    component,
    kind: changeKindOf(eventName),
    summary: `${eventName} on ${component} (${eventSource})`,
    source: 'cloudtrail',
    ref: { group: record.group, eventId: record.id },
  };
}

/**
 * Changes visible in the telemetry: CloudTrail management events in any log group, and each component's
 * version (Lambda's `[version]` in stream names, `function_version`, `service.version` fields) being replaced
 * within the range: a version first seen after another one, while the other stops showing up soon after (old
 * instances drain). Two versions reported side by side all along (an alias and a number) are not a change.
 */
export function changesFromTelemetry(
  snapshot: Pick<TelemetrySnapshot, 'logs'>,
  componentOf: (record: LogRecord) => string,
  components: ReadonlySet<string>,
  drainMs = 10 * 60_000,
): ChangeEvent[] {
  const changes: ChangeEvent[] = [];
  const versions = new Map<string, Map<string, { first: LogRecord; lastMs: number }>>();
  for (const record of snapshot.logs) {
    const change = cloudTrailChange(record, components);
    if (change) {
      changes.push(change);
      continue;
    }
    if (!record.version) continue;
    const seen = entryOf(
      versions,
      componentOf(record),
      () => new Map<string, { first: LogRecord; lastMs: number }>(),
    );
    const entry = seen.get(record.version);
    if (entry) entry.lastMs = Math.max(entry.lastMs, record.timestampMs);
    else seen.set(record.version, { first: record, lastMs: record.timestampMs });
  }
  for (const [component, seen] of versions) {
    const ordered = [...seen].sort((a, b) => a[1].first.timestampMs - b[1].first.timestampMs);
    for (let i = 1; i < ordered.length; i++) {
      const [version, { first }] = ordered[i]!;
      const replaced = ordered
        .slice(0, i)
        .filter(
          ([, older]) =>
            older.lastMs <= first.timestampMs + drainMs && older.first.timestampMs < first.timestampMs,
        );
      const previous = replaced.at(-1);
      if (!previous) continue;
      changes.push({
        id: first.id,
        at: new Date(first.timestampMs).toISOString(),
        atMs: first.timestampMs,
        component,
        kind: 'deploy',
        summary: `${component} runs version ${version} (before: ${previous[0]})`,
        version,
        previousVersion: previous[0],
        source: 'telemetry',
        ref: { group: first.group, eventId: first.id },
      });
    }
  }
  return changes.sort((a, b) => a.atMs - b.atMs);
}
