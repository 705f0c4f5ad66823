import { QueryClient, QueryObserver } from '@tanstack/react-query';

/**
 * A query on a client of its own whose reads are answered by hand: each read's answer is taken from `answer` when
 * the read is asked (the server's state at that moment) and delivered by `answerAll`.
 */
export function handAnsweredQuery<T>(key: readonly unknown[], answer: (read: number) => T) {
  const pending: (() => void)[] = [];
  let reads = 0;
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Number.POSITIVE_INFINITY } },
  });
  const observer = new QueryObserver<T>(client, {
    queryKey: key,
    queryFn: () => {
      reads += 1;
      const value = answer(reads);
      return new Promise<T>((resolve) => pending.push(() => resolve(value)));
    },
  });
  const stop = observer.subscribe(() => undefined);
  const answerAll = async () => {
    while (pending.length) pending.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { client, stop, answerAll, reads: () => reads };
}
