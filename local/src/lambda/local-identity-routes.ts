import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { LocalIdentityIssuer, LocalUser } from '@boundless/delivery/identity';

/**
 * Local-only stand-ins for the Cognito hosted UI, so the walkthrough can obtain a JWT with curl:
 * `POST /local/token {"user":"<demo user>"}` and `GET /local/jwks.json`. They are served by the local HTTP API
 * directly, outside the Lambda emulation, and exist in no AWS deployment.
 */
export interface LocalRoute {
  routeKey: string;
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1)$/;

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

export function localIdentityRoutes(
  issuer: LocalIdentityIssuer,
  lookupUser: (name: string) => LocalUser | undefined,
  knownUsers: () => string[],
  options: { allowRemote?: boolean } = {},
): LocalRoute[] {
  return [
    {
      routeKey: 'POST /local/token',
      handler: async (event) => {
        // Anyone who reaches this route gets an admin token: on this machine only, unless allowed on purpose.
        if (!options.allowRemote && !LOOPBACK.test(event.requestContext.http.sourceIp))
          return json(403, {
            message:
              'the local issuer answers only on this machine (start with --allow-remote-sign-in to change that)',
          });
        const name = userNameOf(event);
        if (name === undefined) {
          return json(400, { message: 'send {"user":"<demo user>"}', users: knownUsers() });
        }
        const user = lookupUser(name);
        if (!user) return json(404, { message: `no demo user "${name}"`, users: knownUsers() });
        const expiresInSeconds = user.expiresInSeconds ?? 3600;
        const token = await issuer.issue({ ...user, expiresInSeconds });
        return json(200, {
          token,
          tokenType: 'Bearer',
          expiresIn: expiresInSeconds,
          sub: user.sub,
          local: true,
        });
      },
    },
    { routeKey: 'GET /local/jwks.json', handler: async () => json(200, issuer.jwks()) },
  ];
}

function userNameOf(event: APIGatewayProxyEventV2): string | undefined {
  if (!event.body) return undefined;
  try {
    const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const parsed = JSON.parse(text) as { user?: unknown };
    return typeof parsed.user === 'string' && parsed.user.length <= 128 ? parsed.user : undefined;
  } catch (error) {
    // A body that is not JSON names no user: the caller gets the 400 with the list.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}
