import type { ReactNode } from 'react';
import { ApiError } from '../../api/client.ts';
import { formatTime } from '../../lib/format.ts';
import { useLive } from '../../live/LiveProvider.tsx';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** Says what is missing and what to do about it. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" role="status">
      <p className="state-title">{title}</p>
      {children ? <p>{children}</p> : null}
    </div>
  );
}

/** The API's error code and message, as the API said them. */
export function ErrorState({ error, what, onRetry }: { error: unknown; what: string; onRetry?: () => void }) {
  const code = error instanceof ApiError ? error.code : 'error';
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">Could not load {what}</p>
      <p>
        <code>{code}</code> {message}
      </p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** Shown when the numbers on screen are older than they should be (connection lost, or no new data). */
function StaleNotice({ since }: { since: string }) {
  return (
    <p className="stale" role="status">
      Stale: {since}
    </p>
  );
}

/** One of the four shapes a query can be in, rendered the same way everywhere. */
export function QueryState<T>({
  query,
  what,
  empty,
  children,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  what: string;
  empty?: (data: T) => ReactNode | null;
  children: (data: T) => ReactNode;
}) {
  const live = useLive();
  if (query.isPending) return <Loading what={what} />;
  if (query.data === undefined)
    return <ErrorState error={query.error} what={what} onRetry={() => void query.refetch()} />;
  const nothing = empty?.(query.data);
  return (
    <>
      {live.status !== 'live' && live.lastEventAt !== null ? (
        <StaleNotice since={`live updates paused; as of ${formatTime(live.lastEventAt)}`} />
      ) : null}
      {query.error ? <ErrorState error={query.error} what={`fresh ${what} (showing the last ones)`} /> : null}
      {nothing ?? children(query.data)}
    </>
  );
}
