import type { QueryClient } from '@tanstack/react-query';
import { keys } from '../api/queries.ts';
import { newerSnapshot } from '../lib/merge.ts';
import type { SloSnapshot } from '../lib/types.ts';

/**
 * A pushed SLO snapshot into the cache: the newer of it and the page's (by `asOf`), and the objectives' histories
 * read again only for a minute the page had not seen. The copilot sends every socket the snapshot as of its
 * joining, which is usually the one the page has just read: that one costs no request.
 */
export function applySloReport(client: QueryClient, report: SloSnapshot): void {
  const held = client.getQueryData<SloSnapshot>(keys.slo);
  client.setQueryData<SloSnapshot>(keys.slo, (current) => newerSnapshot(current, report));
  if (held?.asOf && report.asOf && report.asOf <= held.asOf) return;
  void client.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'slo' && q.queryKey.length > 1 });
}
