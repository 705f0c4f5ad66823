import { hashKey, type QueryClient } from '@tanstack/react-query';

type Merge = (current: never) => unknown;

/** Per client, the merges to apply again to the answer of each read in flight, by query hash. */
const replays = new WeakMap<QueryClient, Map<string, Merge[]>>();

/**
 * Merges a pushed item into a cached list. A list that is still being read (its first answer not yet in, or a
 * re-read in flight) may have been read before the pushed item was written: that answer would replace the merge,
 * or there is nothing to merge into yet. So the merge is applied again to the read's answer when it lands. The
 * merges tolerate repeats (an answer read after the item was stored already holds it), and the read is never
 * restarted, so a steady stream of pushes cannot keep a page from its first answer.
 */
export function mergePushed<T>(client: QueryClient, key: readonly unknown[], merge: (current: T) => T): void {
  client.setQueryData<T>(key, (current) => (current === undefined ? current : merge(current)));
  if (client.getQueryState(key)?.fetchStatus !== 'fetching') return;
  const pending = replaysOf(client);
  const hash = hashKey(key);
  pending.set(hash, [...(pending.get(hash) ?? []), merge as Merge]);
}

function replaysOf(client: QueryClient): Map<string, Merge[]> {
  const known = replays.get(client);
  if (known) return known;
  const pending = new Map<string, Merge[]>();
  replays.set(client, pending);
  client.getQueryCache().subscribe((event) => {
    if (event.type !== 'updated') return;
    const { action, query } = event;
    // A failed read leaves the cache as it was (merges already applied); the next read holds the items.
    if (action.type === 'error') pending.delete(query.queryHash);
    if (action.type !== 'success' || action.manual) return;
    const merges = pending.get(query.queryHash);
    if (!merges) return;
    pending.delete(query.queryHash);
    client.setQueryData(query.queryKey, (answer: unknown) =>
      answer === undefined ? answer : merges.reduce<unknown>((data, m) => m(data as never), answer),
    );
  });
  return pending;
}
