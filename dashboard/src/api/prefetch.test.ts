import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseRange, RANGES, rangeQuery } from '../lib/url-state.ts';
import { type BootRequests, prefetchFirstScreen } from './prefetch.ts';
import { keys } from './queries.ts';

const BOOT = readFileSync(new URL('../../public/boot.js', import.meta.url), 'utf8');
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const SESSION = { actor: 'user:ana', role: 'viewer', roles: ['viewer'] };
const SIGNED_OUT = { error: { code: 'unauthenticated', message: 'sign in' } };

/** A copilot that answers every path, signed in or not; records what was asked. */
function copilot(signedIn: boolean) {
  const asked: string[] = [];
  const fetch = vi.fn(async (path: string) => {
    asked.push(path);
    if (path === '/auth/session') return signedIn ? json(200, SESSION) : json(401, SIGNED_OUT);
    if (!signedIn) return json(401, SIGNED_OUT);
    if (path === '/api/slo') return json(200, { slos: [{ id: 'latency' }] });
    return json(200, { path });
  });
  return { asked, fetch };
}

/** Runs public/boot.js as the page would, against `fetch`, and returns what it left for the app. */
function runBoot(pathname: string, search: string, fetch: (path: string) => Promise<Response>) {
  const window: { boundlessBoot?: BootRequests } = {};
  runInNewContext(BOOT, { window, fetch, location: { pathname, search }, URLSearchParams });
  if (!window.boundlessBoot) throw new Error('boot.js left nothing');
  return window.boundlessBoot;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => vi.unstubAllGlobals());

describe('public/boot.js', () => {
  it('asks a signed-out visitor only for the session', async () => {
    const { asked, fetch } = copilot(false);
    const boot = runBoot('/', '', fetch);
    expect(await boot.slo).toBeNull();
    expect(await boot.overview?.answer).toBeNull();
    expect(asked).toEqual(['/auth/session']);
  });

  it("asks for the Overview's window exactly as the app would, for every named range", async () => {
    const now = Date.now();
    for (const key of RANGES) {
      const { asked, fetch } = copilot(true);
      const boot = runBoot('/', `?range=${key}`, fetch);
      await boot.slo;
      expect(boot.overview?.range).toBe(key);
      const path = asked.find((p) => p.startsWith('/api/overview?')) ?? '';
      const span = (q: URLSearchParams) => Date.parse(q.get('to') ?? '') - Date.parse(q.get('from') ?? '');
      const app = new URLSearchParams(rangeQuery(parseRange(new URLSearchParams({ range: key }), now), now));
      expect(span(new URLSearchParams(path.split('?')[1]))).toBe(span(app));
    }
  });

  it('leaves custom windows and other pages to the app', async () => {
    const { asked, fetch } = copilot(true);
    expect(
      runBoot('/', '?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z', fetch).overview,
    ).toBeUndefined();
    expect(runBoot('/abuse', '', fetch).slo).toBeUndefined();
    await settle();
    expect(asked).toEqual(['/auth/session', '/auth/session', '/api/slo']);
  });
});

describe('prefetchFirstScreen', () => {
  it("fills the cache from boot.js's answers without asking again", async () => {
    const { asked, fetch } = copilot(true);
    const boot = runBoot('/', '', fetch);
    vi.stubGlobal('fetch', fetch);
    const client = new QueryClient();
    await prefetchFirstScreen(client, { pathname: '/', search: '' }, boot);
    await settle();
    expect(client.getQueryData(keys.session)).toEqual(SESSION);
    expect(client.getQueryData(keys.slo)).toEqual({ slos: [{ id: 'latency' }] });
    const range = parseRange(new URLSearchParams(), Date.now());
    expect(client.getQueryData(keys.overview(range))).toMatchObject({
      path: expect.stringMatching(/^\/api\/overview/),
    });
    // Session, overview and objectives once each (by boot.js), then the one history the list called for.
    expect(asked.filter((p) => p === '/auth/session' || p === '/api/slo')).toHaveLength(2);
    expect(asked.filter((p) => p.startsWith('/api/overview'))).toHaveLength(1);
    expect(asked.filter((p) => p.startsWith('/api/slo/latency/history'))).toHaveLength(1);
  });

  it('asks nothing but the session for a signed-out visitor, with or without boot.js', async () => {
    for (const withBoot of [true, false]) {
      const { asked, fetch } = copilot(false);
      vi.stubGlobal('fetch', fetch);
      const boot = withBoot ? runBoot('/', '', fetch) : undefined;
      await prefetchFirstScreen(new QueryClient(), { pathname: '/', search: '' }, boot);
      await settle();
      expect(asked).toEqual(['/auth/session']);
    }
  });
});
