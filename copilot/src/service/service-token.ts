import { OUTBOUND_TIMEOUT_MS } from '../sources/aws-client.ts';
/**
 * The copilot's own bearer token for the delivery admin API (role `copilot`), refreshed a minute before it
 * expires. Locally the local issuer mints it; in AWS it is a Cognito client-credentials grant.
 */
export type TokenSource = () => Promise<string>;

export function cachedToken(
  mint: () => Promise<{ token: string; expiresInSeconds: number }>,
  clock: () => number = Date.now,
): TokenSource {
  let current: { token: string; refreshAtMs: number } | undefined;
  let pending: Promise<string> | undefined;
  return async () => {
    if (current && clock() < current.refreshAtMs) return current.token;
    pending ??= mint()
      .then(({ token, expiresInSeconds }) => {
        current = { token, refreshAtMs: clock() + Math.max(0, expiresInSeconds - 60) * 1000 };
        return token;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

export class ServiceTokenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ServiceTokenError';
  }
}

/** OAuth2 client credentials against the Cognito domain's token endpoint (an app client with a secret). */
export function clientCredentialsToken(options: {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  fetch?: typeof fetch;
  /** @default OUTBOUND_TIMEOUT_MS (10 s) */
  timeoutMs?: number;
}): TokenSource {
  const doFetch = options.fetch ?? globalThis.fetch;
  return cachedToken(async () => {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (options.scope) body.set('scope', options.scope);
    const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
    const response = await doFetch(options.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? OUTBOUND_TIMEOUT_MS),
    });
    if (!response.ok) throw new ServiceTokenError(`token endpoint answered ${response.status}`);
    const answer = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!answer.access_token) throw new ServiceTokenError('token endpoint returned no access_token');
    return { token: answer.access_token, expiresInSeconds: answer.expires_in ?? 3600 };
  });
}
