/**
 * Views recomputed from telemetry (SLO budgets and histories, the overview, capacity, cost): the copilot sends
 * each socket that joins the objectives as of then and the newest `ops.updated`, and a page reads again only
 * what is older than those (slo-report.ts, ops-views.ts), so one sent before the first connect is not missed.
 * The lists (findings, mitigations, incidents, change sets...) are merged item by item from pushes:
 * an item pushed before the socket joined would stay missing, so they are read again on every connect.
 */
const RECOMPUTED = new Set(['slo', 'overview', 'capacity', 'cost']);

/**
 * Whether a (re)connect without recovered events reads this query again. The first connect skips the
 * recomputed views: on the Overview that was every request of the first screen asked twice while it rendered.
 */
export function rereadOnConnect(queryKey: readonly unknown[], firstConnect: boolean): boolean {
  const root = String(queryKey[0]);
  if (root === 'session') return false;
  return !firstConnect || !RECOMPUTED.has(root);
}
