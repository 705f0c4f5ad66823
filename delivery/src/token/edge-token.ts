import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The device-bound edge access token of DESIGN §4.1 (a contract: the CloudFront Function, the simulator and the
 * copilot's detectors all read this format):
 *   v1.<kid>.<tokenId>.<accountId>.<deviceHash>.<iat>.<exp>.<scope>.<sig>
 * The viewer-request function re-implements verification in the CloudFront Functions dialect; this module is
 * the issuing side and the reference verifier the function is tested against.
 */
export interface EdgeTokenClaims {
  kid: string;
  tokenId: string;
  accountId: string;
  deviceHash: string;
  /** Issued at, unix seconds. */
  iat: number;
  /** Expires at, unix seconds. */
  exp: number;
  /** The path prefix the token opens, e.g. `/titles/t-123/`. */
  scope: string;
}

export const KID_PATTERN = /^[A-Za-z0-9]{1,8}$/;
export const TOKEN_ID_PATTERN = /^[A-Za-z0-9_-]{8,40}$/;
export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const DEVICE_HASH_PATTERN = /^[0-9a-f]{16}$/;
const SECONDS_PATTERN = /^[0-9]{1,12}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

class EdgeTokenError extends Error {
  constructor(
    readonly code: EdgeTokenFailure,
    message: string,
  ) {
    super(message);
    this.name = 'EdgeTokenError';
  }
}

type EdgeTokenFailure = 'malformed' | 'unknown_kid' | 'bad_signature' | 'expired' | 'not_yet_valid';

export function deviceHashOf(accountId: string, deviceId: string): string {
  return createHash('sha256').update(`${accountId}:${deviceId}`).digest('hex').slice(0, 16);
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

function signature(secret: string | Buffer, signed: string): string {
  return createHmac('sha256', secret).update(signed).digest('base64url');
}

export function issueEdgeToken(claims: EdgeTokenClaims, secret: string | Buffer): string {
  assertClaims(claims);
  const signed = [
    'v1',
    claims.kid,
    claims.tokenId,
    claims.accountId,
    claims.deviceHash,
    String(claims.iat),
    String(claims.exp),
    base64url(claims.scope),
  ].join('.');
  return `${signed}.${signature(secret, signed)}`;
}

function assertClaims(claims: EdgeTokenClaims): void {
  const problems: string[] = [];
  if (!KID_PATTERN.test(claims.kid)) problems.push(`kid "${claims.kid}" must match ${KID_PATTERN}`);
  if (!TOKEN_ID_PATTERN.test(claims.tokenId)) problems.push(`tokenId must match ${TOKEN_ID_PATTERN}`);
  if (!ACCOUNT_ID_PATTERN.test(claims.accountId)) problems.push(`accountId must match ${ACCOUNT_ID_PATTERN}`);
  if (!DEVICE_HASH_PATTERN.test(claims.deviceHash))
    problems.push('deviceHash must be 16 lowercase hex chars');
  if (!Number.isInteger(claims.iat) || !Number.isInteger(claims.exp) || claims.exp <= claims.iat) {
    problems.push('iat and exp must be integer unix seconds with exp > iat');
  }
  if (!claims.scope.startsWith('/')) problems.push('scope must be a path prefix starting with "/"');
  if (problems.length > 0)
    throw new EdgeTokenError('malformed', `invalid edge token claims: ${problems.join('; ')}`);
}

/** Splits a token into its claims without checking the signature (what the copilot does: it holds no secrets). */
export function parseEdgeToken(token: string): (EdgeTokenClaims & { signature: string }) | undefined {
  const parts = token.split('.');
  if (parts.length !== 9 || parts[0] !== 'v1') return undefined;
  const [, kid, tokenId, accountId, deviceHash, iat, exp, scope, sig] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (
    !KID_PATTERN.test(kid) ||
    !TOKEN_ID_PATTERN.test(tokenId) ||
    !ACCOUNT_ID_PATTERN.test(accountId) ||
    !DEVICE_HASH_PATTERN.test(deviceHash) ||
    !SECONDS_PATTERN.test(iat) ||
    !SECONDS_PATTERN.test(exp) ||
    !BASE64URL_PATTERN.test(scope) ||
    !BASE64URL_PATTERN.test(sig)
  ) {
    return undefined;
  }
  return {
    kid,
    tokenId,
    accountId,
    deviceHash,
    iat: Number(iat),
    exp: Number(exp),
    scope: Buffer.from(scope, 'base64url').toString('utf8'),
    signature: sig,
  };
}

/**
 * Reference verification: structure, kid, HMAC (constant time), time window. Device, scope and revocation
 * checks need the request and the KeyValueStore; the viewer-request function does those.
 */
export function verifyEdgeToken(
  token: string,
  secretForKid: (kid: string) => string | Buffer | undefined,
  nowSeconds: number,
): EdgeTokenClaims {
  const claims = parseEdgeToken(token);
  if (!claims) throw new EdgeTokenError('malformed', 'edge token is malformed');
  const secret = secretForKid(claims.kid);
  if (secret === undefined) throw new EdgeTokenError('unknown_kid', `unknown signing key id "${claims.kid}"`);
  const signed = token.slice(0, token.lastIndexOf('.'));
  const expected = Buffer.from(signature(secret, signed));
  const actual = Buffer.from(claims.signature);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new EdgeTokenError('bad_signature', 'edge token signature does not match');
  }
  if (claims.exp <= nowSeconds) throw new EdgeTokenError('expired', 'edge token has expired');
  if (claims.iat > nowSeconds + 300)
    throw new EdgeTokenError('not_yet_valid', 'edge token is issued in the future');
  const { signature: _sig, ...rest } = claims;
  return rest;
}
