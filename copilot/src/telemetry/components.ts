import type { LogRecord, MetricPoint, Span, TelemetrySnapshot } from './types.ts';
import { entryOf } from './collections.ts';

/**
 * Which component each observation belongs to, discovered from the data alone: segment names and the
 * dependencies their subsegments call, the services log lines name, log group paths and EMF dimensions.
 *
 * - A log group's component is the part of its path that names a service seen elsewhere (a segment, a called
 *   dependency, a service field); failing that, the part that sets the group apart from the other groups
 *   (`/aws/lambda/<name>`, `/ecs/<cluster>/<service>/performance`): prefixes shared by many groups are not names.
 * - A log line belongs to its group's component, unless the group carries several services (a shared group),
 *   in which case the line's own service field decides.
 * - A metric belongs to the first of its dimension values that names a component, else to its group's.
 * - A span belongs to the service whose segment holds it; a subsegment calling a dependency (namespace `aws` or
 *   `remote`, named after its callee, or naming it in its `sql`/`http` fields) also makes that dependency a component, even when it sends no telemetry of its own (a table, a
 *   bucket, someone else's API).
 */
export interface ComponentIndex {
  /** Every component seen, sorted. */
  names: string[];
  groupComponent: ReadonlyMap<string, string>;
  ofLog(record: LogRecord): string;
  ofMetric(point: MetricPoint): string;
  /** The component a span's work is done by: the callee for a dependency call, the owner otherwise. */
  calleeOf(span: Span): string | undefined;
}

/** A subsegment that waits on something outside the owner (another service, an AWS API, a database). */
export function isRemoteCall(span: Span): boolean {
  return !span.isSegment && (span.namespace === 'aws' || span.namespace === 'remote');
}

/**
 * The component a subsegment calls (another service, an AWS API, a database), or undefined for one that times
 * the owner's own code, or whose document names no callee (a SQL statement with no connection URL: `callee.ts`).
 */
export function calleeName(span: Span): string | undefined {
  if (!isRemoteCall(span)) return undefined;
  return (span.callee ?? span.name) || undefined;
}

/** A subsegment that calls another component (rather than timing local code). */
export function isDependencyCall(span: Span): boolean {
  return calleeName(span) !== undefined;
}

function pathParts(group: string): string[] {
  return group.split('/').filter((part) => part !== '');
}

export function discoverComponents(
  snapshot: Pick<TelemetrySnapshot, 'groups' | 'logs' | 'spans' | 'metrics'>,
): ComponentIndex {
  const serviceNames = new Set<string>();
  for (const span of snapshot.spans) {
    if (span.isSegment && span.name) serviceNames.add(span.name);
    const callee = calleeName(span);
    if (callee) serviceNames.add(callee);
  }
  // Service fields that name a single group are names; one shared by many groups names the system, not a part.
  const servicesByGroup = new Map<string, Set<string>>();
  const groupsByService = new Map<string, Set<string>>();
  for (const record of snapshot.logs) {
    if (!record.service || record.kind !== 'structured') continue;
    const services = entryOf(servicesByGroup, record.group, () => new Set());
    services.add(record.service);
    const groups = entryOf(groupsByService, record.service, () => new Set());
    groups.add(record.group);
  }
  for (const [service, groups] of groupsByService) if (groups.size === 1) serviceNames.add(service);

  const allGroups = [...new Set([...snapshot.groups, ...snapshot.logs.map((r) => r.group)])];
  const frequency = new Map<string, number>();
  for (const group of allGroups)
    for (const part of new Set(pathParts(group))) frequency.set(part, (frequency.get(part) ?? 0) + 1);
  const groupComponent = new Map<string, string>();
  for (const group of allGroups) {
    const parts = pathParts(group);
    const named = parts.filter((part) => serviceNames.has(part));
    let component = named.at(-1);
    if (!component) {
      let best = Number.POSITIVE_INFINITY;
      for (const part of parts) {
        const f = frequency.get(part) ?? 0;
        if (f <= best) {
          best = f;
          component = part;
        }
      }
    }
    groupComponent.set(group, component ?? group);
  }
  // A group shared by several services each found in no other group (one group per cluster, say).
  const sharedGroups = new Set(
    [...servicesByGroup]
      .filter(([, services]) => [...services].filter((s) => groupsByService.get(s)?.size === 1).length > 1)
      .map(([group]) => group),
  );
  const known = new Set([...serviceNames, ...groupComponent.values()]);

  const ofLog = (record: LogRecord) => {
    if (record.service && sharedGroups.has(record.group) && groupsByService.get(record.service)?.size === 1)
      return record.service;
    return groupComponent.get(record.group) ?? record.group;
  };
  const ofMetric = (point: MetricPoint) => {
    for (const value of Object.values(point.dimensions)) if (known.has(value)) return value;
    return groupComponent.get(point.group) ?? point.group;
  };
  const calleeOf = calleeName;

  const names = new Set<string>(known);
  for (const record of snapshot.logs) names.add(ofLog(record));
  for (const point of snapshot.metrics) names.add(ofMetric(point));
  return { names: [...names].sort(), groupComponent, ofLog, ofMetric, calleeOf };
}
