import { z } from 'zod';
import { discoverComponents } from '../telemetry/components.ts';
import { answer, rangedQuery, skipNotes } from './results.ts';
import { failure, notConfigured } from './run-tool.ts';
import { resolveTimeRange, timeRangeInput } from './time-range.ts';
import type { CopilotTool } from './types.ts';
import { entryOf } from '../telemetry/collections.ts';

const input = z.strictObject({ ...timeRangeInput });

/** What the telemetry holds: the components found in it, and for each its log groups, metrics and traces. */
export const describeTelemetryTool: CopilotTool<typeof input> = {
  name: 'describe_telemetry',
  description:
    'Lists the components found in the telemetry of a range (from log groups, log streams, trace segments and EMF dimensions) with their log groups, log volume by level, metric names and traced segment counts. Start here to learn the names other tools take.',
  input,
  async run(params, ctx) {
    if (!ctx.telemetry) return notConfigured(this.name, params, 'telemetry');
    const range = resolveTimeRange(params, ctx.now());
    if ('invalid' in range) return failure(this.name, params, 'invalid_input', range.invalid);
    const query = rangedQuery(this.name, params, range);
    const snapshot = await ctx.telemetry.snapshot(range.startMs, range.endMs);
    const index = discoverComponents(snapshot);
    type Entry = {
      groups: Set<string>;
      levels: Record<string, number>;
      metrics: Set<string>;
      segments: number;
      calledBy: Set<string>;
    };
    const entries = new Map<string, Entry>();
    const entry = (name: string) => {
      const e = entryOf(entries, name, () => ({
        groups: new Set<string>(),
        levels: {} as Record<string, number>,
        metrics: new Set<string>(),
        segments: 0,
        calledBy: new Set<string>(),
      }));
      return e;
    };
    for (const record of snapshot.logs) {
      const e = entry(index.ofLog(record));
      e.groups.add(record.group);
      const level = record.level ?? record.kind;
      e.levels[level] = (e.levels[level] ?? 0) + 1;
    }
    for (const point of snapshot.metrics)
      entry(index.ofMetric(point)).metrics.add(`${point.namespace}/${point.name}`);
    for (const span of snapshot.spans) {
      if (span.isSegment) entry(span.name).segments += 1;
      const callee = index.calleeOf(span);
      if (callee) entry(callee).calledBy.add(span.owner);
    }
    const components = [...entries]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, e]) => ({
        name,
        logGroups: [...e.groups].sort(),
        logEvents: e.levels,
        metrics: [...e.metrics].sort(),
        segments: e.segments,
        calledBy: [...e.calledBy].sort(),
      }));
    const notes = skipNotes(snapshot.skips);
    if (!snapshot.has.logs) notes.push('no logs/ directory or log groups in the telemetry');
    if (!snapshot.has.traces) notes.push('no traces (xray/) in the telemetry');
    return answer(query, { logGroups: snapshot.groups, components }, components.length === 0, notes);
  },
};
