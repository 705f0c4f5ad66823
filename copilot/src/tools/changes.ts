import { z } from 'zod';
import { discoverComponents } from '../telemetry/components.ts';
import { type ChangeEvent, type ChangeHistorySource, changesFromTelemetry } from './change-history.ts';
import { answer, capped, rangedQuery } from './results.ts';
import { failure, notConfigured } from './run-tool.ts';
import type { TelemetryPort } from './telemetry-port.ts';
import { resolveTimeRange, timeRangeInput } from './time-range.ts';
import type { CopilotTool } from './types.ts';

/** Changes visible in the telemetry (CloudTrail events, versions in streams and records), as a change source. */
export class TelemetryChangeHistory implements ChangeHistorySource {
  constructor(private readonly telemetry: TelemetryPort) {}

  async changes(startMs: number, endMs: number): Promise<ChangeEvent[]> {
    const snapshot = await this.telemetry.snapshot(startMs, endMs, { traces: false });
    const components = discoverComponents(snapshot);
    return changesFromTelemetry(snapshot, components.ofLog, new Set(components.names));
  }
}

const input = z.strictObject({
  component: z.string().optional(),
  kind: z.enum(['deploy', 'config', 'key_rotation', 'scaling', 'change_set', 'other']).optional(),
  limit: z.number().int().min(1).max(200).default(50),
  ...timeRangeInput,
});

export const changeHistoryTool: CopilotTool<typeof input> = {
  name: 'change_history',
  description:
    'What changed in a time range: deployed versions, configuration changes, key rotations, scaling and approved change sets, each with the component, time and the record to cite.',
  input,
  async run(params, ctx) {
    const source = ctx.changes ?? (ctx.telemetry ? new TelemetryChangeHistory(ctx.telemetry) : undefined);
    if (!source) return notConfigured(this.name, params, 'change history');
    const range = resolveTimeRange(params, ctx.now(), 24 * 3_600_000);
    if ('invalid' in range) return failure(this.name, params, 'invalid_input', range.invalid);
    const query = rangedQuery(this.name, params, range);
    const changes = (await source.changes(range.startMs, range.endMs)).filter(
      (c) =>
        (!params.component || c.component === params.component) && (!params.kind || c.kind === params.kind),
    );
    const notes: string[] = [];
    return answer(
      query,
      { changes: capped(changes, params.limit, notes, 'changes') },
      changes.length === 0,
      notes,
    );
  },
};
