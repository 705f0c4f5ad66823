import type { LogRecord } from '../telemetry/types.ts';
import { CLIENT_ADDRESS } from './vocabulary.ts';

/** The client address a request line names, if it names one. */
export const clientOf = (r: LogRecord): string | undefined => CLIENT_ADDRESS.exec(r.message)?.[2];

/**
 * How much of a surge a handful of clients make: the share of the recent request lines that come from the three
 * busiest clients of that period, and the share the same clients had before. Many readers arriving at once (a
 * release, a traffic wave) spread over many addresses; a scraper or a shared token is a few.
 */
export function clientConcentration(
  recent: readonly LogRecord[],
  before: readonly LogRecord[],
): { topShare: number; topShareBefore: number; clients: string[] } | undefined {
  const counts = new Map<string, number>();
  let named = 0;
  for (const r of recent) {
    const client = clientOf(r);
    if (!client) continue;
    named += 1;
    counts.set(client, (counts.get(client) ?? 0) + 1);
  }
  if (named < 30) return undefined;
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3);
  const clients = top.map(([client]) => client);
  let earlier = 0;
  let earlierNamed = 0;
  for (const r of before) {
    const client = clientOf(r);
    if (!client) continue;
    earlierNamed += 1;
    if (clients.includes(client)) earlier += 1;
  }
  return {
    topShare: top.reduce((n, [, c]) => n + c, 0) / named,
    topShareBefore: earlierNamed === 0 ? 0 : earlier / earlierNamed,
    clients,
  };
}
