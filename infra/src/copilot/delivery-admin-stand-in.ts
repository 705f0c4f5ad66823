import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LoopbackStandIn } from '@boundless/copilot/testing';
import {
  createIdentityVerifier,
  type IdentityVerifier,
  LocalIdentityIssuer,
} from '@boundless/delivery/identity';

/** One admin call as the delivery API received it, with the role its bearer token verified to. */
export interface AdminCall {
  method: string;
  path: string;
  roles: readonly string[];
  clientId: string;
  body: unknown;
}

/**
 * The two ends of the copilot's service token in AWS, on one loopback port: the readers' pool token endpoint
 * (`POST /oauth2/token`, client credentials with HTTP Basic, the Cognito answer) and the delivery admin API,
 * whose calls pass the delivery package's own verifier with the deployment's grant (client id + scope ->
 * `copilot`). A call whose token does not verify to the copilot role is answered 401/403 as the API would.
 */
export class DeliveryAdminStandIn extends LoopbackStandIn {
  readonly calls: AdminCall[] = [];
  readonly refused: { path: string; status: number; reason: string }[] = [];
  private verifier: IdentityVerifier | undefined;
  private issuer: LocalIdentityIssuer | undefined;
  private url = '';

  constructor(
    readonly client: { id: string; secret: string; scope: string },
    private readonly readerAudience = 'reader-app',
  ) {
    super();
  }

  override async start(): Promise<string> {
    const issuer = await LocalIdentityIssuer.create({
      issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Readers',
      audience: this.readerAudience,
    });
    this.issuer = issuer;
    this.verifier = createIdentityVerifier(
      {
        ...issuer.settings(),
        serviceClients: [{ clientId: this.client.id, scope: this.client.scope, role: 'copilot' }],
      },
      Date.now,
    );
    this.url = await super.start();
    return this.url;
  }

  /** The copilot's settings for the admin API and its service token, as the CopilotStack sets them. */
  copilotEnv(): Record<string, string> {
    return {
      COPILOT_ADMIN_API_URL: this.url,
      COPILOT_SERVICE_TOKEN_URL: `${this.url}/oauth2/token`,
      COPILOT_SERVICE_CLIENT_ID: this.client.id,
      COPILOT_SERVICE_CLIENT_SECRET: this.client.secret,
      COPILOT_SERVICE_SCOPE: this.client.scope,
    };
  }

  protected internalError(response: ServerResponse, error: unknown): void {
    send(response, 500, { error: String(error) });
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method === 'POST' && path === '/oauth2/token') return this.token(request, raw, response);
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const principal = bearer
      ? await (this.verifier as IdentityVerifier).verify(bearer).catch((error: Error) => error)
      : new Error('no bearer token');
    if (principal instanceof Error) {
      this.refused.push({ path, status: 401, reason: principal.message });
      return send(response, 401, { error: { code: 'unauthorized', message: principal.message } });
    }
    if (!principal.roles.includes('copilot')) {
      this.refused.push({ path, status: 403, reason: 'not copilot' });
      return send(response, 403, { error: { code: 'forbidden', message: 'requires copilot' } });
    }
    this.calls.push({
      method: request.method ?? 'GET',
      path,
      roles: principal.roles,
      clientId: principal.clientId,
      body: raw ? JSON.parse(raw) : undefined,
    });
    send(response, request.method === 'PUT' ? 201 : 200, { ok: true });
  }

  /** Cognito's client-credentials grant: the client authenticates with Basic, asks for scopes it holds. */
  private async token(request: IncomingMessage, raw: string, response: ServerResponse): Promise<void> {
    const basic = /^Basic (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const [id, secret] = Buffer.from(basic ?? '', 'base64')
      .toString('utf8')
      .split(':');
    const form = new URLSearchParams(raw);
    if (
      id !== this.client.id ||
      secret !== this.client.secret ||
      form.get('grant_type') !== 'client_credentials'
    )
      return send(response, 400, { error: 'invalid_client' });
    const scopes = (form.get('scope') ?? this.client.scope).split(' ');
    if (scopes.some((s) => s !== this.client.scope)) return send(response, 400, { error: 'invalid_scope' });
    const token = await (this.issuer as LocalIdentityIssuer).issueClientCredentials({ clientId: id, scopes });
    send(response, 200, { access_token: token, expires_in: 3600, token_type: 'Bearer' });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json');
  response.end(JSON.stringify(body));
}

/** The operators' user pool as the copilot sees it: a local issuer and its JWKS served on a loopback port. */
export async function startOperatorPool(issuer: string, audience: string) {
  const pool = await LocalIdentityIssuer.create({ issuer, audience });
  const jwks = createServer((_req, res) =>
    res.setHeader('Content-Type', 'application/json').end(JSON.stringify(pool.jwks())),
  );
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  return {
    issuer: pool,
    env: {
      COPILOT_IDENTITY_ISSUER: issuer,
      COPILOT_IDENTITY_AUDIENCE: audience,
      COPILOT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    },
    close: () => new Promise<void>((resolve) => jwks.close(() => resolve())),
  };
}
