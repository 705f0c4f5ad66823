/*
 * The landing page's first requests, started by a tiny script of its own while the app's bundle is still
 * arriving and evaluating (on a cold load that evaluation alone delayed them by most of a second). The app
 * (src/api/prefetch.ts) adopts these answers into its query cache under the keys its pages read; without this
 * script it asks the same questions itself. Signed out, only the session is asked: the page's data waits for a
 * session that answers, so a visitor to the sign-in screen causes no refused requests.
 *
 * A classic script (the page's policy allows only its own scripts, no inline ones), kept without imports: the
 * range lengths below are those of src/lib/url-state.ts, which a test holds them to.
 */
(() => {
  const RANGE_MS = {
    '15m': 900_000,
    '1h': 3_600_000,
    '6h': 21_600_000,
    '24h': 86_400_000,
    '7d': 604_800_000,
  };
  const get = (path) => fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  // A failed fetch is the app's to report (it asks again itself): here it only means "not signed in yet".
  const session = get('/auth/session');
  const signedIn = session.then(
    (response) => response.ok,
    () => false,
  );
  const whenSignedIn = (path) => signedIn.then((ok) => (ok ? get(path) : null));
  const boot = { session };
  if (location.pathname === '/') {
    const params = new URLSearchParams(location.search);
    const named = params.get('range') ?? '1h';
    // A custom window (from/to) or an unknown name is left to the app, which knows how to read it.
    if (!params.has('from') && !params.has('to') && Object.hasOwn(RANGE_MS, named)) {
      const now = Date.now();
      const query = new URLSearchParams({
        from: new Date(now - RANGE_MS[named]).toISOString(),
        to: new Date(now + 60_000).toISOString(),
      });
      boot.overview = { range: named, answer: whenSignedIn(`/api/overview?${query}`) };
    }
    boot.slo = whenSignedIn('/api/slo');
  }
  window.boundlessBoot = boot;
})();
