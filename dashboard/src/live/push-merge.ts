import type { QueryClient } from '@tanstack/react-query';

/**
 * Merges a pushed item into a cached list. A list that is still being read (its first answer not yet in, or a
 * re-read in flight) may have been read before the pushed item was written: the merge would be lost to the
 * older answer, or there is nothing to merge into yet. Then the read starts again instead, and the new answer
 * holds the item, because the server pushes only what it has already stored. (A first read is not restarted by
 * invalidating it alone, so the read in flight is cancelled first.)
 */
export function mergePushed<T>(client: QueryClient, key: readonly unknown[], merge: (current: T) => T): void {
  const reading = client.getQueryState(key)?.fetchStatus === 'fetching';
  client.setQueryData<T>(key, (current) => (current === undefined ? current : merge(current)));
  if (!reading && client.getQueryData(key) !== undefined) return;
  const filters = { queryKey: key, exact: true };
  void client.cancelQueries(filters).then(() => client.invalidateQueries(filters));
}
