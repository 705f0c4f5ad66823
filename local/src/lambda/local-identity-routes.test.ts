import { LocalIdentityIssuer } from '@boundless/delivery/identity';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { localIdentityRoutes } from './local-identity-routes.ts';

const event = (sourceIp: string, body?: string) =>
  ({
    body,
    isBase64Encoded: false,
    requestContext: { http: { sourceIp } },
  }) as unknown as APIGatewayProxyEventV2;

describe('Function: localIdentityRoutes', () => {
  it('mints tokens for callers on this machine only, unless remote sign-in is allowed', async () => {
    const issuer = await LocalIdentityIssuer.create();
    const users = { admin: { sub: 'admin-1', groups: ['admin' as const] } };
    const token = (allowRemote?: boolean) =>
      localIdentityRoutes(
        issuer,
        (name) => users[name as 'admin'],
        () => ['admin'],
        { allowRemote },
      ).find((route) => route.routeKey === 'POST /local/token')!.handler;

    expect((await token()(event('203.0.113.9', '{"user":"admin"}'))).statusCode).toBe(403);
    expect((await token()(event('127.0.0.1', '{"user":"admin"}'))).statusCode).toBe(200);
    expect((await token()(event('::1', 'not json'))).statusCode).toBe(400);
    expect((await token(true)(event('203.0.113.9', '{"user":"admin"}'))).statusCode).toBe(200);
  });
});
