import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  importSPKI,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { DeliveryError } from '../errors.ts';
import { type Principal, ROLES, type Role } from '../domain/principal.ts';
import { ACCOUNT_ID_PATTERN } from '../token/edge-token.ts';
import { type ServiceClientGrant, scopesOf, serviceClientGrantsSchema } from './service-clients.ts';

/** Where trusted identity tokens come from: a Cognito user pool in AWS, the local issuer on one machine. */
export interface IdentitySettings {
  issuer: string;
  /** The app client id: Cognito puts it in `aud` of ID tokens and in `client_id` of access tokens. */
  audience: string;
  jwksUrl?: string;
  jwks?: JSONWebKeySet;
  publicKeyPem?: string;
  /**
   * Client-credentials clients (the copilot's service client) whose access tokens act with a fixed role once
   * they carry the granted scope. Their tokens are refused without a grant, whatever they claim.
   */
  serviceClients?: readonly ServiceClientGrant[];
}

export interface IdentityVerifier {
  verify(bearerToken: string): Promise<Principal>;
}

type CognitoClaims = JWTPayload & {
  token_use?: unknown;
  scope?: unknown;
  client_id?: unknown;
  auth_time?: unknown;
  'cognito:groups'?: unknown;
  'custom:org_id'?: unknown;
};

function keySource(settings: IdentitySettings): JWTVerifyGetKey | (() => Promise<CryptoKey>) {
  if (settings.jwks) return createLocalJWKSet(settings.jwks);
  if (settings.publicKeyPem) {
    const key = importSPKI(settings.publicKeyPem, 'RS256');
    return () => key;
  }
  const url = settings.jwksUrl ?? `${settings.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
  return createRemoteJWKSet(new URL(url));
}

const unauthorized = (reason: string, cause?: unknown) =>
  new DeliveryError('unauthorized', `bearer token rejected: ${reason}`, { cause, details: { reason } });

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `invalid ${error.claim} claim`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown signing key';
  return 'malformed token';
}

/**
 * Verifies Cognito-style JWTs: RS256 only (so `alg: none` and HMAC confusion are refused), issuer, expiry
 * against the injected clock, and the audience in whichever claim the token type carries it.
 */
export function createIdentityVerifier(settings: IdentitySettings, nowMs: () => number): IdentityVerifier {
  const grants = serviceGrants(settings);
  const getKey = keySource(settings);
  // A reader's app sends the same token on every call until it refreshes it; an exact-string hit has had its
  // signature and claims checked already, so only expiry needs re-checking against the clock.
  const verified = new LRUCache<string, { principal: Principal; exp: number }>({ max: 10_000 });
  return {
    async verify(bearerToken) {
      const hit = verified.get(bearerToken);
      if (hit) {
        if (hit.exp * 1000 > nowMs()) return hit.principal;
        verified.delete(bearerToken);
      }
      let claims: CognitoClaims;
      try {
        const result = await jwtVerify(bearerToken, getKey as JWTVerifyGetKey, {
          issuer: settings.issuer,
          algorithms: ['RS256'],
          currentDate: new Date(nowMs()),
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        claims = result.payload as CognitoClaims;
      } catch (error) {
        throw unauthorized(reasonOf(error), error);
      }
      const principal = principalOf(claims, settings.audience, grants);
      verified.set(bearerToken, { principal, exp: claims.exp as number });
      return principal;
    },
  };
}

/** The grants, checked once: a malformed grant, or one naming the readers' own client, is a configuration error. */
function serviceGrants(settings: IdentitySettings): ReadonlyMap<string, ServiceClientGrant> {
  const parsed = serviceClientGrantsSchema.safeParse(settings.serviceClients ?? []);
  if (!parsed.success)
    throw new DeliveryError(
      'config_invalid',
      `invalid service client grants: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  if (parsed.data.some((grant) => grant.clientId === settings.audience))
    throw new DeliveryError(
      'config_invalid',
      "a service client grant names the readers' app client: its users would all act as a service",
    );
  return new Map(parsed.data.map((grant) => [grant.clientId, grant]));
}

/**
 * A client-credentials access token: Cognito sets `sub` to the client id (a user's token from the same client
 * has the user's sub, and is refused), lists the granted scopes in `scope`, and carries no groups; the role is
 * the grant's, never the token's.
 */
function servicePrincipal(claims: CognitoClaims, grant: ServiceClientGrant): Principal {
  if (!scopesOf(claims.scope).includes(grant.scope)) throw unauthorized('invalid scope claim');
  if (claims.sub !== grant.clientId) throw unauthorized('invalid sub claim');
  return {
    accountId: grant.clientId,
    roles: [grant.role],
    authenticatedAt: claims.iat as number,
    clientId: grant.clientId,
  };
}

function principalOf(
  claims: CognitoClaims,
  audience: string,
  grants: ReadonlyMap<string, ServiceClientGrant>,
): Principal {
  const tokenUse = claims.token_use;
  if (tokenUse !== 'access' && tokenUse !== 'id') throw unauthorized('invalid token_use claim');
  const grant =
    tokenUse === 'access' && typeof claims.client_id === 'string' && claims.client_id !== audience
      ? grants.get(claims.client_id)
      : undefined;
  if (grant) return servicePrincipal(claims, grant);
  const audiences = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
  const clientId = tokenUse === 'access' ? claims.client_id : audiences[0];
  const matches = tokenUse === 'access' ? claims.client_id === audience : audiences.includes(audience);
  if (!matches || typeof clientId !== 'string') throw unauthorized('invalid aud claim');
  const accountId = claims.sub ?? '';
  if (!ACCOUNT_ID_PATTERN.test(accountId)) throw unauthorized('invalid sub claim');
  const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'] : [];
  const roles = groups.filter((g): g is Role => (ROLES as readonly unknown[]).includes(g));
  const orgId = typeof claims['custom:org_id'] === 'string' ? claims['custom:org_id'] : undefined;
  const authTime = typeof claims.auth_time === 'number' ? claims.auth_time : undefined;
  return {
    accountId,
    ...(orgId ? { orgId } : {}),
    roles,
    authenticatedAt: authTime ?? (claims.iat as number),
    clientId,
  };
}
