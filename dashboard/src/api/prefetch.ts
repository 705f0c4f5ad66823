import type { QueryClient } from '@tanstack/react-query';
import { parseRange } from '../lib/url-state.ts';
import { overviewQuery, sessionQuery, sloHistoryQuery, sloQuery } from './queries.ts';

/**
 * Starts the first screen's requests as the script starts, all at once, instead of one after the other as the
 * components mount (session, then the page's lists, then each row's history). Nothing here renders or throws:
 * a failure (a signed-out visitor's 401 included) is only kept in the cache, and the page reads it as usual;
 * the session gate shows the sign-in screen before any page looks at its data.
 */
export function prefetchFirstScreen(client: QueryClient, location: Pick<Location, 'pathname' | 'search'>) {
  void client.prefetchQuery(sessionQuery());
  if (location.pathname !== '/') return;
  const range = parseRange(new URLSearchParams(location.search), Date.now());
  void client.prefetchQuery(overviewQuery(range));
  // Each SLO row draws its budget over the range: its history is asked for as soon as the list is known.
  void client.prefetchQuery(sloQuery()).then(() => {
    for (const slo of client.getQueryData(sloQuery().queryKey)?.slos ?? [])
      void client.prefetchQuery(sloHistoryQuery(slo.id, range));
  });
}
