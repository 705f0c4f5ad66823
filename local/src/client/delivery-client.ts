/**
 * A reader's or operator's view of a running delivery core over plain HTTP: what the walkthrough does with
 * curl, as code, for integration tests and benchmarks. Answers are returned, never thrown, so callers can
 * assert on refusals.
 */
export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface AccessGrant {
  titleId: string;
  scope: string;
  bbt: string;
  tokenId: string;
  expiresAt: string;
  assetBaseUrl: string;
  cookies: Record<string, string>;
}

export class DeliveryClient {
  constructor(
    readonly apiUrl: string,
    readonly edgeUrl: string,
  ) {}

  async localToken(user: string): Promise<string> {
    const answer = await this.call<{ token?: string }>('POST', '/local/token', undefined, { user });
    if (answer.status !== 200 || !answer.body.token) {
      throw new Error(`no local token for ${user}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body.token;
  }

  registerDevice(jwt: string, deviceId: string, name = deviceId): Promise<HttpAnswer> {
    return this.call('POST', '/v1/devices', jwt, { deviceId, name, platform: 'test' });
  }

  access(
    jwt: string,
    titleId: string,
    deviceId: string,
  ): Promise<HttpAnswer<AccessGrant & { code?: string }>> {
    return this.call('POST', '/v1/access', jwt, { titleId, deviceId });
  }

  revoke(adminJwt: string, tokenId: string, reason = 'walkthrough'): Promise<HttpAnswer> {
    return this.call('POST', `/v1/admin/tokens/${tokenId}/revoke`, adminJwt, { reason });
  }

  forceReauth(adminJwt: string, accountId: string, reason = 'walkthrough'): Promise<HttpAnswer> {
    return this.call('POST', `/v1/admin/accounts/${accountId}/reauth`, adminJwt, { reason });
  }

  /**
   * Fetches an asset (`/titles/<id>/<asset>`) through the edge the way a reader app does: bbt in the query, the
   * device header, and the CloudFront cookies of the grant.
   */
  async asset(
    grant: AccessGrant,
    assetPath: string,
    deviceId: string,
  ): Promise<{ status: number; body: Buffer; headers: Headers }> {
    const cookie = Object.entries(grant.cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    const url = `${this.edgeUrl}${assetPath}?bbt=${encodeURIComponent(grant.bbt)}`;
    const response = await fetch(url, { headers: { cookie, 'x-bb-device': deviceId } });
    return {
      status: response.status,
      body: Buffer.from(await response.arrayBuffer()),
      headers: response.headers,
    };
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    jwt: string | undefined,
    body?: unknown,
  ): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = {};
    if (jwt) headers.authorization = `Bearer ${jwt}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = { raw: text };
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
}
