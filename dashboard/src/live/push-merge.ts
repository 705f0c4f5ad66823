import { hashKey, type QueryClient } from '@tanstack/react-query';

type AfterRead = (answer: unknown) => void;

/** Per client, what to do with the answer of each read in flight, by query hash. */
const afterReads = new WeakMap<QueryClient, Map<string, AfterRead[]>>();

/**
 * Calls `then` with the answer of the read of `key` in flight now, once it lands, and returns true; returns
 * false (and never calls it) when no read is in flight. A read that fails drops it: the cache stays as it was.
 */
export function afterRead(client: QueryClient, key: readonly unknown[], then: AfterRead): boolean {
  if (client.getQueryState(key)?.fetchStatus !== 'fetching') return false;
  const pending = afterReadsOf(client);
  const hash = hashKey(key);
  pending.set(hash, [...(pending.get(hash) ?? []), then]);
  return true;
}

/**
 * Merges a pushed item into a cached list. A list that is still being read (its first answer not yet in, or a
 * re-read in flight) may have been read before the pushed item was written: that answer would replace the merge,
 * or there is nothing to merge into yet. So the merge is applied again to the read's answer when it lands. The
 * merges tolerate repeats (an answer read after the item was stored already holds it), and the read is never
 * restarted, so a steady stream of pushes cannot keep a page from its first answer.
 */
export function mergePushed<T>(client: QueryClient, key: readonly unknown[], merge: (current: T) => T): void {
  const apply = () =>
    client.setQueryData<T>(key, (current) => (current === undefined ? current : merge(current)));
  apply();
  afterRead(client, key, apply);
}

function afterReadsOf(client: QueryClient): Map<string, AfterRead[]> {
  const known = afterReads.get(client);
  if (known) return known;
  const pending = new Map<string, AfterRead[]>();
  afterReads.set(client, pending);
  client.getQueryCache().subscribe((event) => {
    if (event.type !== 'updated') return;
    const { action, query } = event;
    if (action.type === 'error') pending.delete(query.queryHash);
    if (action.type !== 'success' || action.manual) return;
    const waiting = pending.get(query.queryHash);
    if (!waiting) return;
    pending.delete(query.queryHash);
    for (const then of waiting) then(query.state.data);
  });
  return pending;
}
