import type { QueryClient } from '@tanstack/react-query';
import { parseRange } from '../lib/url-state.ts';
import { readAnswer } from './client.ts';
import { overviewQuery, sessionQuery, sloHistoryQuery, sloQuery } from './queries.ts';

/**
 * The requests public/boot.js started before the bundle was evaluated: the session's, and on the Overview, once
 * the session answered 200, the overview's (for a named range) and the objectives' (`null` when signed out).
 */
export interface BootRequests {
  session: Promise<Response>;
  overview?: { range: string; answer: Promise<Response | null> };
  slo?: Promise<Response | null>;
}

/**
 * A query function that reads a request already made, the first time only (a retry or a refetch asks again
 * through `ask`): a response body can be read once.
 */
function adopt<T, C>(
  started: Promise<Response | null> | undefined,
  ask: ((context: C) => T | Promise<T>) | undefined,
): (context: C) => Promise<T> {
  let pending = started;
  return async (context) => {
    const request = pending;
    pending = undefined;
    // A boot request that failed outright is asked again rather than reported: the app's own answer counts.
    const response = request ? await request.catch(() => null) : null;
    if (response) return readAnswer<T>(Promise.resolve(response));
    if (!ask) throw new Error('a first-screen query without a query function');
    return ask(context);
  };
}

/**
 * Fills the first screen's queries as the script starts, all at once, instead of one after the other as the
 * components mount (session, then the page's lists, then each row's history), adopting what public/boot.js
 * already asked. The page's data is asked only once the session answered: a signed-out visitor causes no
 * refused requests. Nothing here renders or throws: a failure is only kept in the cache, and the page reads it
 * as usual; the session gate shows the sign-in screen before any page looks at its data.
 */
export async function prefetchFirstScreen(
  client: QueryClient,
  location: Pick<Location, 'pathname' | 'search'>,
  boot?: BootRequests,
): Promise<void> {
  const session = sessionQuery();
  await client.prefetchQuery({ ...session, queryFn: adopt(boot?.session, session.queryFn) });
  if (!client.getQueryData(session.queryKey) || location.pathname !== '/') return;
  const range = parseRange(new URLSearchParams(location.search), Date.now());
  const overview = overviewQuery(range);
  const bootOverview = boot?.overview?.range === range.key ? boot.overview.answer : undefined;
  void client.prefetchQuery({ ...overview, queryFn: adopt(bootOverview, overview.queryFn) });
  // Each SLO row draws its budget over the range: its history is asked for as soon as the list is known.
  const slo = sloQuery();
  await client.prefetchQuery({ ...slo, queryFn: adopt(boot?.slo, slo.queryFn) });
  for (const { id } of client.getQueryData(slo.queryKey)?.slos ?? [])
    void client.prefetchQuery(sloHistoryQuery(id, range));
}
