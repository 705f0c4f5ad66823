import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { OPERATOR_ROLES, type OperatorRole } from './auth.ts';
import { CopilotServiceError } from './errors.ts';
import { formBody, LOCAL_OPERATORS, pkceChallenge } from './sign-in.ts';

/** Mints an operator token: the local issuer signing for the copilot's app client. */
export type LocalOperatorIssuer = (role: OperatorRole, sessionSeconds?: number) => Promise<string>;

export interface LocalIssuerRouteOptions {
  issue: LocalOperatorIssuer;
  clientId: string;
  clock: () => number;
  /**
   * Serve callers on other machines too. Off by default: anyone who reaches these routes can mint an owner
   * token, so with `--host 0.0.0.0` they stay loopback-only unless this is set on purpose.
   */
  allowRemote?: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address);
}

interface IssuedCode {
  role: OperatorRole;
  redirectUri: string;
  challenge: string;
  expiresAtMs: number;
  sessionSeconds: number;
}

const SESSION_SECONDS = { min: 5, max: 12 * 3600, default: 3600 };

function sessionSecondsOf(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n)) return SESSION_SECONDS.default;
  return Math.min(SESSION_SECONDS.max, Math.max(SESSION_SECONDS.min, n));
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/**
 * The local stand-in for the user pool's hosted UI and token endpoint (authorization code + PKCE), and the
 * scripted `POST /local/token`. Served only by the local runtime, and only to loopback callers unless allowed.
 */
export function localIssuerRoutes(options: LocalIssuerRouteOptions): Router {
  const router = Router();
  const codes = new Map<string, IssuedCode>();

  router.use((req: Request, _res: Response, next: NextFunction) => {
    if (options.allowRemote || isLoopback(req.socket.remoteAddress)) return next();
    next(
      new CopilotServiceError(
        'local_issuer_off_loopback',
        'the local issuer answers only on this machine (start with --allow-remote-sign-in to change that)',
      ),
    );
  });

  router.post('/token', express.json({ limit: 1024 }), (req, res, next) => {
    const role = (req.body as { role?: unknown } | undefined)?.role;
    if (!OPERATOR_ROLES.includes(role as OperatorRole)) {
      next(new CopilotServiceError('validation_failed', `role must be one of ${OPERATOR_ROLES.join(', ')}`));
      return;
    }
    options.issue(role as OperatorRole).then((token) => res.json({ token, role }), next);
  });

  router.get('/oauth2/authorize', (req, res) => {
    const request = authorizeRequest(req.query, options.clientId);
    res.type('html').send(signInPage(request));
  });

  router.post('/oauth2/authorize', formBody, (req, res) => {
    const body = req.body as Record<string, unknown>;
    const request = authorizeRequest(body, options.clientId);
    const role = body.role;
    if (!OPERATOR_ROLES.includes(role as OperatorRole))
      throw new CopilotServiceError('validation_failed', `role must be one of ${OPERATOR_ROLES.join(', ')}`);
    const code = randomBytes(24).toString('base64url');
    const now = options.clock();
    for (const [key, issued] of codes) if (issued.expiresAtMs <= now) codes.delete(key);
    codes.set(code, {
      role: role as OperatorRole,
      redirectUri: request.redirectUri,
      challenge: request.challenge,
      expiresAtMs: now + 60_000,
      sessionSeconds: request.sessionSeconds,
    });
    const back = new URL(request.redirectUri);
    back.search = new URLSearchParams({ code, state: request.state }).toString();
    res.redirect(302, back.toString());
  });

  router.post('/oauth2/token', formBody, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const code = typeof body.code === 'string' ? body.code : '';
    const issued = codes.get(code);
    codes.delete(code);
    const refuse = (error: string) => res.status(400).json({ error });
    if (body.grant_type !== 'authorization_code') return void refuse('unsupported_grant_type');
    if (body.client_id !== options.clientId) return void refuse('invalid_client');
    if (!issued || issued.expiresAtMs <= options.clock()) return void refuse('invalid_grant');
    if (body.redirect_uri !== issued.redirectUri) return void refuse('invalid_grant');
    const verifier = typeof body.code_verifier === 'string' ? body.code_verifier : '';
    const expected = Buffer.from(issued.challenge);
    const actual = Buffer.from(pkceChallenge(verifier));
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
      return void refuse('invalid_grant');
    const token = await options.issue(issued.role, issued.sessionSeconds);
    res.json({ access_token: token, token_type: 'Bearer', expires_in: issued.sessionSeconds });
  });

  return router;
}

interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  challenge: string;
  sessionSeconds: number;
}

function authorizeRequest(params: Record<string, unknown>, clientId: string): AuthorizeRequest {
  const text = (name: string) => (typeof params[name] === 'string' ? (params[name] as string) : '');
  if (text('response_type') !== 'code')
    throw new CopilotServiceError('validation_failed', 'response_type must be code');
  if (text('client_id') !== clientId) throw new CopilotServiceError('validation_failed', 'unknown client_id');
  if (text('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(text('code_challenge')))
    throw new CopilotServiceError('validation_failed', 'a PKCE code_challenge (S256) is required');
  let redirect: URL;
  try {
    redirect = new URL(text('redirect_uri'));
  } catch (error) {
    throw new CopilotServiceError('validation_failed', 'redirect_uri is not a URL', undefined, {
      cause: error,
    });
  }
  // The only registered callback: the dashboard's own, on a loopback host (this issuer never leaves the machine).
  if (
    redirect.pathname !== '/auth/callback' ||
    !['127.0.0.1', 'localhost', '[::1]'].includes(redirect.hostname)
  )
    throw new CopilotServiceError('validation_failed', 'redirect_uri is not a registered callback');
  return {
    clientId,
    redirectUri: redirect.toString(),
    state: text('state').slice(0, 200),
    challenge: text('code_challenge'),
    sessionSeconds: sessionSecondsOf(params.session_seconds),
  };
}

function signInPage(request: AuthorizeRequest): string {
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const buttons = LOCAL_OPERATORS.map(
    (op) =>
      `<li><button type="submit" name="role" value="${op.role}">Sign in as ${op.role.replace('_', '-')}</button> <span>${escapeHtml(op.can)}</span></li>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in · Boundless operators (local)</title>
<style>body{font:16px system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#111;background:#fff}
ul{list-style:none;padding:0}li{margin:1rem 0}button{font:inherit;padding:.5rem 1rem;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;border-radius:4px;cursor:pointer}
button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}span{color:#374151}</style></head>
<body><main><h1>Sign in to Boundless operations</h1>
<p>Local stand-in for the user pool's hosted sign-in page. In AWS, Cognito asks for a password here.</p>
<form method="post" action="/local/oauth2/authorize">
${hidden('response_type', 'code')}${hidden('client_id', request.clientId)}${hidden('redirect_uri', request.redirectUri)}${hidden('state', request.state)}${hidden('code_challenge', request.challenge)}${hidden('code_challenge_method', 'S256')}${hidden('session_seconds', String(request.sessionSeconds))}
<ul>${buttons}</ul></form></main></body></html>`;
}
