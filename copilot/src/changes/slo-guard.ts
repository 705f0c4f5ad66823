import type { SloSnapshot } from '../pipeline/types.ts';
import type { SloGuard } from './ports.ts';

/** A page-level burn-rate alert (the fast and steady burns) firing since `sinceMs` on one of the guard SLOs. */
export function snapshotSloGuard(snapshot: () => SloSnapshot): SloGuard {
  return {
    burning: async (ids, sinceMs) =>
      snapshot()
        .slos.filter((slo) => ids.includes(slo.id))
        .filter((slo) =>
          slo.alerts.some(
            (alert) =>
              alert.firing &&
              alert.action === 'page' &&
              alert.firingSince !== null &&
              Date.parse(alert.firingSince) >= sinceMs,
          ),
        )
        .map((slo) => slo.id),
  };
}
