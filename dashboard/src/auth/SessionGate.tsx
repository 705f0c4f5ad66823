import { createContext, type ReactNode, useContext } from 'react';
import { useLocation } from 'react-router';
import { ApiError } from '../api/client.ts';
import { useSession } from '../api/queries.ts';
import { ErrorState, Loading } from '../components/ui/States.tsx';
import type { OperatorRole, Session } from '../lib/types.ts';

const SessionContext = createContext<Session | null>(null);

export function useOperator(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useOperator outside the signed-in app');
  return session;
}

/** Controls an operator may not use are not offered at all (the API refuses them anyway). */
export function useCan(role: OperatorRole): boolean {
  return useOperator().roles.includes(role);
}

function signInHref(returnTo: string): string {
  return `/auth/login?return_to=${encodeURIComponent(returnTo)}`;
}

function SignIn({
  message,
  returnTo,
  again = false,
}: {
  message: string;
  returnTo: string;
  again?: boolean;
}) {
  return (
    <main className="sign-in" id="main">
      <h1>Boundless operations</h1>
      <p>{message}</p>
      <p>
        <a className="button" href={signInHref(returnTo)}>
          {again ? 'Sign in again' : 'Sign in'}
        </a>
      </p>
      <p className="muted">
        Sign-in goes through the user pool's hosted page (locally, its stand-in). The dashboard keeps no token
        in the page: the session is an httpOnly cookie.
      </p>
    </main>
  );
}

/** Renders the app for a signed-in operator, the sign-in screen otherwise. */
export function SessionGate({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  const here = `${location.pathname}${location.search}`;
  if (session.isPending) return <Loading what="your session" />;
  if (session.error instanceof ApiError && session.error.status === 401) {
    const error = new URLSearchParams(location.search).get('error');
    // A session that worked on this page and now answers 401 has expired (the query keeps its last data).
    const expired = session.data !== undefined;
    return (
      <SignIn
        again={expired}
        message={
          expired
            ? 'Your session expired. Sign in again to carry on where you were.'
            : (error ?? 'Sign in to see the on-call dashboard.')
        }
        returnTo={location.pathname === '/sign-in' ? '/' : here}
      />
    );
  }
  if (!session.data)
    return <ErrorState error={session.error} what="your session" onRetry={() => void session.refetch()} />;
  return <SessionContext.Provider value={session.data}>{children}</SessionContext.Provider>;
}
