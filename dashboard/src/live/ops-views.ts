import type { QueryClient } from '@tanstack/react-query';
import type { OpsUpdate } from '../lib/types.ts';
import { afterRead } from './push-merge.ts';

/** The views computed from the operational counts; each answer names the counts it was computed from. */
const OPS_VIEWS = new Set(['overview', 'capacity', 'cost']);

/** Whether a view's answer already holds what the update announces: the same process's counts, no older. */
export function opsViewCurrent(answer: unknown, update: Pick<OpsUpdate, 'epoch' | 'version'>): boolean {
  const ops = (answer as { ops?: { epoch?: unknown; version?: unknown } } | undefined)?.ops;
  return ops?.epoch === update.epoch && typeof ops.version === 'number' && ops.version >= update.version;
}

/**
 * An `ops.updated` push: each cached overview, capacity or cost view older than it is read again. The copilot
 * sends the newest one to every socket that joins, so an update sent while the page was reading its first
 * answers is not lost until the next timer. A view still being read is judged by its answer when it lands (it
 * may have been computed before the update or after it): the first screen is not asked twice for nothing.
 */
export function applyOpsUpdate(client: QueryClient, update: OpsUpdate): void {
  const reread = (queryKey: readonly unknown[]) => void client.invalidateQueries({ queryKey, exact: true });
  const views = client.getQueryCache().findAll({ predicate: (q) => OPS_VIEWS.has(String(q.queryKey[0])) });
  for (const view of views) {
    const waiting = afterRead(client, view.queryKey, (answer) => {
      if (!opsViewCurrent(answer, update)) reread(view.queryKey);
    });
    if (!waiting && !opsViewCurrent(view.state.data, update)) reread(view.queryKey);
  }
}
