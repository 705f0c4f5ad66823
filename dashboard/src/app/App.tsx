import { Suspense } from 'react';
import { NavLink, Route, Routes } from 'react-router';
import { api } from '../api/client.ts';
import { SessionGate, useOperator } from '../auth/SessionGate.tsx';
import { Loading } from '../components/ui/States.tsx';
import { formatRole, formatTime } from '../lib/format.ts';
import { LiveProvider, useLive } from '../live/LiveProvider.tsx';
import { PAGES } from './pages.tsx';

function ConnectionBanner() {
  const live = useLive();
  if (live.status === 'live' || live.status === 'connecting') return null;
  if (live.status === 'expired' || live.status === 'refused')
    return (
      <div className="banner banner-error" role="alert">
        {live.status === 'expired'
          ? 'Your session expired: live updates stopped.'
          : `Live updates refused: ${live.reason ?? ''}`}{' '}
        <a
          href={`/auth/login?return_to=${encodeURIComponent(window.location.pathname + window.location.search)}`}
        >
          Sign in again
        </a>
      </div>
    );
  return (
    <div className="banner banner-warning" role="alert">
      Connection to the copilot lost; reconnecting. What you see may be stale
      {live.lastEventAt ? ` (last update ${formatTime(live.lastEventAt)})` : ''}.
    </div>
  );
}

function Header() {
  const operator = useOperator();
  const live = useLive();
  const signOut = async () => {
    const result = await api<{ logoutUrl: string | null }>('/auth/logout', { method: 'POST', body: {} });
    window.location.assign(result.logoutUrl ?? '/');
  };
  return (
    <header className="app-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <span className="brand">Boundless ops</span>
      <nav aria-label="Pages">
        <ul>
          {PAGES.filter((p) => p.nav).map((page) => (
            <li key={page.path}>
              <NavLink to={page.path} end={page.path === '/'}>
                {page.nav}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <span
        className={`live-dot live-${live.status}`}
        role="status"
        aria-label={`Live updates: ${live.status}`}
      >
        {live.status === 'live' ? 'Live' : live.status}
      </span>
      <span className="operator" data-testid="operator">
        {operator.actor.replace(/^user:/, '')} ·{' '}
        <strong data-testid="role">{formatRole(operator.role ?? 'none')}</strong>
      </span>
      <button type="button" onClick={() => void signOut()}>
        Sign out
      </button>
    </header>
  );
}

export function App() {
  return (
    <SessionGate>
      <LiveProvider enabled>
        <Header />
        <ConnectionBanner />
        <main id="main" tabIndex={-1}>
          {/* Pages other than the Overview arrive in their own chunk the first time they are shown. */}
          <Suspense fallback={<Loading what="the page" />}>
            <Routes>
              {PAGES.map((page) => (
                <Route key={page.path} path={page.path} element={page.element} />
              ))}
              <Route path="*" element={<p>No such page. Pick one above.</p>} />
            </Routes>
          </Suspense>
        </main>
      </LiveProvider>
    </SessionGate>
  );
}
