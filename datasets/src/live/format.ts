import type { LiveEvent } from './scheduler.ts';

/** One line per live event, as `boundless start` prints them. */
export function formatLiveEvent(event: LiveEvent): string {
  switch (event.type) {
    case 'scenario_started':
      return `live: ${event.id} started${event.accountId ? ` against ${event.accountId}` : ''}: ${event.description}`;
    case 'scenario_failed':
      return `live: ${event.id} could not run: ${event.error}`;
    case 'scenario_ended': {
      const r = event.report;
      const outcome =
        r.refusedAfterSeconds === null
          ? `never refused (${r.stoppedBy})`
          : `abuser refused by the edge ${r.refusedAfterSeconds.toFixed(1)} s after the attack began (${r.firstRefusal?.status} ${r.firstRefusal?.refusedBy})`;
      return `live: ${r.id} ${outcome}; abusive requests ${r.abuser.served} served, ${r.abuser.refused} refused`;
    }
    case 'summary': {
      const { readers, scenarios } = event.stats;
      const times = scenarios.refusedAfterSeconds;
      const median = times.length
        ? [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]
        : undefined;
      return `live: ${readers.count} legit readers ${readers.served} served, ${readers.refused} refused, ${readers.other} errors; scenarios ${scenarios.run} run, ${scenarios.refused} stopped at the edge${median === undefined ? '' : ` (median ${median.toFixed(1)} s)`}`;
    }
  }
}
