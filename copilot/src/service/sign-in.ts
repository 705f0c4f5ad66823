import { createHash, randomBytes } from 'node:crypto';
import type { IdentityVerifier } from '@boundless/delivery/identity';
import express, { type Request, Router } from 'express';
import { authenticate, OPERATOR_ROLES, type OperatorRole } from './auth.ts';
import { CopilotServiceError } from './errors.ts';
import {
  clearSessionCookie,
  isSecure,
  parseCookies,
  presentedToken,
  SIGN_IN_COOKIE,
  sameOrigin,
  setSessionCookie,
} from './session.ts';

/** The body of `GET /auth/session`: who is signed in; `role` is the highest of `roles`. */
export interface Session {
  actor: string;
  roles: OperatorRole[];
  role: OperatorRole | null;
  expiresAt: string;
}

/**
 * The dashboard's sign-in: OAuth 2.0 authorization code with PKCE against the user pool's hosted UI (Cognito in
 * AWS, the local issuer's stand-in on one machine), with this service as the client. The code is exchanged here,
 * server side, and the access token goes into an httpOnly SameSite=Strict cookie (see session.ts): the browser
 * app never sees a token, so no script, injected or from another page, can read one.
 */
export interface SignInSettings {
  /** The hosted UI's authorization endpoint, e.g. `https://<domain>.auth.<region>.amazoncognito.com/oauth2/authorize`. */
  authorizeUrl: string;
  /** Its token endpoint; a relative URL is resolved against this service's own address. */
  tokenUrl: string;
  /** Where the browser goes after signing out of the hosted UI (Cognito `/logout`); none locally. */
  logoutUrl?: string;
  clientId: string;
  /** For a confidential app client: sent as HTTP Basic to the token endpoint. */
  clientSecret?: string;
  /** The dashboard's public origin (its CloudFront URL); default: the origin the request reached. */
  publicUrl?: string;
  /** @default ['openid'] */
  scopes?: string[];
  /** Local issuer only: forwards `session_seconds` so tests can sign in with a short session. */
  forwardSessionSeconds?: boolean;
}

const b64url = (bytes: Buffer) => bytes.toString('base64url');
export const pkceChallenge = (verifier: string) => b64url(createHash('sha256').update(verifier).digest());

/** A path of this origin to return to after signing in; anything else (another host, `//x`) becomes `/`. */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\'))
    return '/';
  return value.slice(0, 2000);
}

function originOf(req: Request, settings: SignInSettings): string {
  return (
    settings.publicUrl?.replace(/\/+$/, '') ?? `${isSecure(req) ? 'https' : 'http'}://${req.headers.host}`
  );
}

interface Pending {
  state: string;
  verifier: string;
  returnTo: string;
}

export function signInRoutes(deps: {
  settings: SignInSettings;
  verifier: IdentityVerifier;
  clock: () => number;
  selfUrl: () => string;
}): Router {
  const { settings } = deps;
  const router = Router();

  router.get('/login', (req, res) => {
    const pending: Pending = {
      state: b64url(randomBytes(16)),
      verifier: b64url(randomBytes(32)),
      returnTo: safeReturnPath(req.query.return_to),
    };
    res.cookie(SIGN_IN_COOKIE, b64url(Buffer.from(JSON.stringify(pending))), {
      httpOnly: true,
      // Lax: the hosted UI sends the browser back with a top-level GET from its own site.
      sameSite: 'lax',
      secure: isSecure(req),
      path: '/auth',
      maxAge: 10 * 60_000,
    });
    const url = new URL(settings.authorizeUrl, deps.selfUrl());
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: settings.clientId,
      redirect_uri: `${originOf(req, settings)}/auth/callback`,
      scope: (settings.scopes ?? ['openid']).join(' '),
      state: pending.state,
      code_challenge: pkceChallenge(pending.verifier),
      code_challenge_method: 'S256',
      ...(settings.forwardSessionSeconds && typeof req.query.session_seconds === 'string'
        ? { session_seconds: req.query.session_seconds }
        : {}),
    }).toString();
    res.redirect(
      302,
      settings.authorizeUrl.startsWith('/') ? `${url.pathname}${url.search}` : url.toString(),
    );
  });

  router.get('/callback', async (req, res) => {
    const pending = readPending(req);
    res.clearCookie(SIGN_IN_COOKIE, { path: '/auth' });
    try {
      if (typeof req.query.error === 'string')
        throw new CopilotServiceError('sign_in_failed', `the identity provider said: ${req.query.error}`);
      if (!pending || req.query.state !== pending.state)
        throw new CopilotServiceError(
          'sign_in_failed',
          'the sign-in expired or did not start here; start again',
        );
      if (typeof req.query.code !== 'string')
        throw new CopilotServiceError('sign_in_failed', 'the identity provider sent no code');
      const token = await exchangeCode(settings, deps.selfUrl(), {
        code: req.query.code,
        verifier: pending.verifier,
        redirectUri: `${originOf(req, settings)}/auth/callback`,
      });
      const operator = await authenticate(deps.verifier, token);
      setSessionCookie(req, res, token, operator.expiresAtMs, deps.clock());
      res.redirect(302, pending.returnTo);
    } catch (error) {
      const message = error instanceof CopilotServiceError ? error.message : 'sign-in failed';
      res.redirect(302, `/sign-in?error=${encodeURIComponent(message)}`);
    }
  });

  router.get('/session', async (req, res) => {
    const presented = presentedToken(req.headers);
    if (!presented) throw new CopilotServiceError('unauthorized', 'not signed in');
    const operator = await authenticate(deps.verifier, presented.token);
    const session: Session = {
      actor: operator.actor,
      roles: operator.roles,
      role: operator.roles.at(-1) ?? null,
      expiresAt: new Date(operator.expiresAtMs).toISOString(),
    };
    res.json(session);
  });

  router.post('/logout', (req, res) => {
    if (!sameOrigin(req.headers, isSecure(req)))
      throw new CopilotServiceError('cross_site', 'sign out from the dashboard itself');
    clearSessionCookie(req, res);
    const logoutUrl = settings.logoutUrl
      ? `${settings.logoutUrl}?${new URLSearchParams({ client_id: settings.clientId, logout_uri: `${originOf(req, settings)}/` })}`
      : null;
    res.json({ signedOut: true, logoutUrl });
  });

  return router;
}

function readPending(req: Request): Pending | undefined {
  const raw = parseCookies(req.headers.cookie)[SIGN_IN_COOKIE];
  if (!raw) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Pending>;
    if (typeof value.state !== 'string' || typeof value.verifier !== 'string') return undefined;
    return { state: value.state, verifier: value.verifier, returnTo: safeReturnPath(value.returnTo) };
  } catch (error) {
    // A cookie we did not write (or one cut short) starts the sign-in over; say so in the error page.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

async function exchangeCode(
  settings: SignInSettings,
  selfUrl: string,
  grant: { code: string; verifier: string; redirectUri: string },
): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (settings.clientSecret)
    headers.authorization = `Basic ${Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString('base64')}`;
  let response: globalThis.Response;
  try {
    response = await fetch(new URL(settings.tokenUrl, selfUrl), {
      method: 'POST',
      headers,
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: settings.clientId,
        code: grant.code,
        redirect_uri: grant.redirectUri,
        code_verifier: grant.verifier,
      }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new CopilotServiceError('sign_in_failed', 'the token endpoint did not answer', undefined, {
      cause: error,
    });
  }
  const body = (await response.json().catch((error: unknown) => ({ parseError: error }))) as {
    access_token?: unknown;
    error?: unknown;
  };
  if (!response.ok || typeof body.access_token !== 'string')
    throw new CopilotServiceError(
      'sign_in_failed',
      `the token endpoint refused the code (${response.status}${typeof body.error === 'string' ? ` ${body.error}` : ''})`,
    );
  return body.access_token;
}

/** The hosted-UI stand-in's demo operators, one per role. */
export const LOCAL_OPERATORS: readonly { role: OperatorRole; sub: string; can: string }[] =
  OPERATOR_ROLES.map((role) => ({
    role,
    sub: `${role.replace('_', '-')}-operator`,
    can: {
      viewer: 'sees everything, changes nothing',
      on_call: 'also rolls mitigations back, marks false positives, acknowledges findings',
      owner: 'also changes the guardrails (dry-run, hourly cap, allow-list)',
    }[role],
  }));

export const formBody = express.urlencoded({ extended: false, limit: 4096 });
