/**
 * Reads the claims of the DESIGN §4.1 edge token (`bbt=v1.<kid>.<tokenId>.<accountId>.<deviceHash>.<iat>.<exp>.
 * <scope>.<sig>`) from a query string without verifying it: the copilot holds no secrets, and a forged token
 * is the edge's problem (it answers 403, which the detectors count). Indexes only, no regex: hot path.
 */
export interface TokenClaims {
  tokenId: string;
  accountId: string;
  deviceHash: string;
  /** Expiry, unix seconds (NaN when unreadable). */
  exp: number;
  /** The path prefix the token opens, still base64url-encoded: decoded only when a refusal needs it. */
  scopeEncoded: string;
}

/**
 * Why the edge most likely refused (403) a request, judged from the token and who answered. `refused_upstream`:
 * a current, in-scope token refused before the viewer-request function ran (the web ACL, the signed-cookie check).
 */
export type Refusal = 'missing_token' | 'expired' | 'out_of_scope' | 'device_mismatch' | 'refused_upstream';

export function refusalOf(
  claims: TokenClaims | undefined,
  path: string,
  timestampMs: number,
  edgeResultType: string,
): Refusal {
  if (claims === undefined) return 'missing_token';
  if (claims.exp * 1000 <= timestampMs) return 'expired';
  const scope = Buffer.from(claims.scopeEncoded, 'base64url').toString('utf8');
  if (!path.startsWith(scope)) return 'out_of_scope';
  // What is left when the token is valid, current and in scope is the device check: a copied token. Only the
  // viewer-request function checks devices, and CloudFront logs its answers as FunctionGeneratedResponse; a
  // WAF block of a rate-limited address (`Error`) says nothing about the devices behind it.
  return edgeResultType === 'FunctionGeneratedResponse' ? 'device_mismatch' : 'refused_upstream';
}

/** Value of `bbt` in a raw (still percent-encoded) query string, or '' when absent. */
export function bbtOf(query: string): string {
  if (query.length === 0) return '';
  let at = 4;
  if (!query.startsWith('bbt=')) {
    const param = query.indexOf('&bbt=');
    if (param < 0) return '';
    at = param + 5;
  }
  const end = query.indexOf('&', at);
  return end < 0 ? query.slice(at) : query.slice(at, end);
}

export function tokenClaimsOf(query: string): TokenClaims | undefined {
  const token = bbtOf(query);
  if (!token.startsWith('v1.')) return undefined;
  const kidEnd = token.indexOf('.', 3);
  const tokenEnd = kidEnd < 0 ? -1 : token.indexOf('.', kidEnd + 1);
  const accountEnd = tokenEnd < 0 ? -1 : token.indexOf('.', tokenEnd + 1);
  const deviceEnd = accountEnd < 0 ? -1 : token.indexOf('.', accountEnd + 1);
  if (deviceEnd < 0) return undefined;
  const tokenId = token.slice(kidEnd + 1, tokenEnd);
  const accountId = token.slice(tokenEnd + 1, accountEnd);
  if (tokenId.length < 8 || tokenId.length > 40 || accountId.length === 0 || accountId.length > 64) {
    return undefined;
  }
  const iatEnd = token.indexOf('.', deviceEnd + 1);
  const expEnd = iatEnd < 0 ? -1 : token.indexOf('.', iatEnd + 1);
  const scopeEnd = expEnd < 0 ? -1 : token.indexOf('.', expEnd + 1);
  return {
    tokenId,
    accountId,
    deviceHash: token.slice(accountEnd + 1, deviceEnd),
    exp: scopeEnd < 0 ? Number.NaN : Number(token.slice(iatEnd + 1, expEnd)),
    scopeEncoded: scopeEnd < 0 ? '' : token.slice(expEnd + 1, scopeEnd),
  };
}

/** True when the query carries parameters besides `bbt` (cache busters vary them per request). */
export function hasExtraParams(query: string): boolean {
  if (query.length === 0) return false;
  const token = bbtOf(query);
  return token.length === 0 ? true : query.length > token.length + 4;
}
