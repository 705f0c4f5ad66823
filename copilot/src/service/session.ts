import type { Request, Response } from 'express';
import { CopilotServiceError } from './errors.ts';

/**
 * Browser sessions. The dashboard never holds a token: after the sign-in code flow the service keeps the
 * operator's access token in an httpOnly cookie, out of reach of any script (ours included), and SameSite=Strict,
 * so no other site's page can make the browser send it. Requests that change something and arrive with that
 * cookie must also come from our own origin (Sec-Fetch-Site / Origin), and the API accepts only JSON bodies,
 * which a cross-site form cannot send without a CORS preflight that the service never grants. Scripts and
 * command-line clients send `Authorization: Bearer`, which no browser attaches on its own.
 */
const SESSION_COOKIE = 'bb_session';
/** Short-lived: the sign-in's state and PKCE verifier between the redirect out and the callback. */
export const SIGN_IN_COOKIE = 'bb_sign_in';

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      out[name] = decodeURIComponent(raw);
    } catch (error) {
      // A cookie someone else set with a stray % is not ours to read; keep it raw rather than fail the request.
      if (!(error instanceof URIError)) throw error;
      out[name] = raw;
    }
  }
  return out;
}

export interface PresentedToken {
  token: string;
  via: 'bearer' | 'cookie';
}

/** The bearer header first (scripts), else the session cookie (the dashboard); undefined when neither. */
export function presentedToken(headers: Request['headers']): PresentedToken | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (match?.[1]) return { token: match[1], via: 'bearer' };
  if (headers.authorization)
    throw new CopilotServiceError('unauthorized', 'send Authorization: Bearer <JWT>');
  const cookie = parseCookies(headers.cookie)[SESSION_COOKIE];
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}

/** Is the request from a page of our own origin? Fetch metadata first, then Origin against Host. */
export function sameOrigin(headers: Request['headers'], secure: boolean): boolean {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin';
  const origin = headers.origin;
  if (typeof origin !== 'string' || !headers.host) return false;
  return origin === `${secure ? 'https' : 'http'}://${headers.host}`;
}

export function isSecure(req: Request): boolean {
  return req.secure || req.headers['x-forwarded-proto'] === 'https';
}

export function setSessionCookie(
  req: Request,
  res: Response,
  token: string,
  expiresAtMs: number,
  nowMs: number,
): void {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: isSecure(req),
    path: '/',
    maxAge: Math.max(0, expiresAtMs - nowMs),
  });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: isSecure(req), path: '/' });
}
