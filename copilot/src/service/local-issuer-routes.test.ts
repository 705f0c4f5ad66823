import { describe, expect, it } from 'vitest';
import { isLoopback, localIssuerRoutes } from './local-issuer-routes.ts';
import { safeReturnPath } from './sign-in.ts';

describe('Function: isLoopback', () => {
  it('knows loopback in IPv4, IPv6 and mapped form, and nothing else', () => {
    expect(['127.0.0.1', '127.8.9.1', '::1', '::ffff:127.0.0.1'].every(isLoopback)).toBe(true);
    expect(['10.0.0.5', '192.168.1.2', '::ffff:10.0.0.1', '2001:db8::1', undefined].some(isLoopback)).toBe(
      false,
    );
  });
});

describe('Router: localIssuerRoutes', () => {
  const routes = (allowRemote?: boolean) =>
    localIssuerRoutes({ issue: async () => 'token', clientId: 'c', clock: Date.now, allowRemote });
  const call = (router: ReturnType<typeof routes>, remoteAddress: string) =>
    new Promise<unknown>((resolve) => {
      const req = { method: 'POST', url: '/token', headers: {}, socket: { remoteAddress } };
      // The guard answers before any route: `next` receives its refusal (or nothing, to go on).
      router(req as never, {} as never, (error?: unknown) => resolve(error ?? 'passed'));
    });

  it('refuses callers on other machines unless explicitly allowed', async () => {
    expect(await call(routes(), '203.0.113.9')).toMatchObject({
      code: 'local_issuer_off_loopback',
      status: 403,
    });
    expect(await call(routes(true), '203.0.113.9')).not.toMatchObject({ code: 'local_issuer_off_loopback' });
  });
});

describe('Function: safeReturnPath', () => {
  it('keeps paths of this origin and turns anything else into /', () => {
    expect(safeReturnPath('/slo/x?range=6h')).toBe('/slo/x?range=6h');
    expect(['//evil.example', 'https://evil.example', '/\\evil', 42].map(safeReturnPath)).toEqual([
      '/',
      '/',
      '/',
      '/',
    ]);
  });
});
