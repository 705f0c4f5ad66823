import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, type JSONWebKeySet, SignJWT } from 'jose';
import type { Role } from '../domain/principal.ts';
import { generateRsaKeyPairPem } from '../rsa-key-pair.ts';
import type { IdentitySettings } from './verifier.ts';

export interface LocalUser {
  sub: string;
  groups?: Role[];
  orgId?: string;
  tokenUse?: 'access' | 'id';
  /** Unix seconds; defaults to the issuer's clock. */
  issuedAt?: number;
  expiresInSeconds?: number;
}

export interface LocalIssuerOptions {
  issuer?: string;
  audience?: string;
  /** Persist the key pair here so tokens survive restarts; omitted: a fresh key per process. */
  keyDir?: string;
  nowMs?: () => number;
}

const PRIVATE_KEY_FILE = 'identity-private.pem';

/**
 * Stands in for the Cognito user pool on one machine: an RS256 key pair, a JWKS, and Cognito-shaped tokens
 * (token_use, client_id/aud, cognito:groups, custom:org_id) so the verifier runs exactly as in AWS.
 */
export class LocalIdentityIssuer {
  readonly kid: string;

  private constructor(
    readonly issuer: string,
    readonly audience: string,
    private readonly privateKey: KeyObject,
    private readonly publicJwks: JSONWebKeySet,
    private readonly nowMs: () => number,
  ) {
    this.kid = publicJwks.keys[0]?.kid ?? 'local';
  }

  static async create(options: LocalIssuerOptions = {}): Promise<LocalIdentityIssuer> {
    const privateKey = await loadOrCreateKey(options.keyDir);
    const jwk = await exportJWK(createPublicKey(privateKey));
    const kid = `local-${(jwk.n ?? '').slice(0, 8)}`;
    return new LocalIdentityIssuer(
      options.issuer ?? 'http://localhost/identity',
      options.audience ?? 'boundless-local',
      privateKey,
      { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] },
      options.nowMs ?? Date.now,
    );
  }

  jwks(): JSONWebKeySet {
    return structuredClone(this.publicJwks);
  }

  publicKeyPem(): string {
    return createPublicKey(this.privateKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  settings(): IdentitySettings {
    return { issuer: this.issuer, audience: this.audience, jwks: this.jwks() };
  }

  async issue(user: LocalUser): Promise<string> {
    const iat = user.issuedAt ?? Math.floor(this.nowMs() / 1000);
    const tokenUse = user.tokenUse ?? 'access';
    const claims: Record<string, unknown> = { token_use: tokenUse, auth_time: iat };
    if (tokenUse === 'access') claims.client_id = this.audience;
    if (user.groups && user.groups.length > 0) claims['cognito:groups'] = user.groups;
    if (user.orgId) claims['custom:org_id'] = user.orgId;
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setSubject(user.sub)
      .setIssuer(this.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (user.expiresInSeconds ?? 3600));
    if (tokenUse === 'id') jwt.setAudience(this.audience);
    return jwt.sign(this.privateKey);
  }

  /** Cognito's client-credentials access token: `sub` and `client_id` are the client, no groups, the scopes. */
  async issueClientCredentials(grant: LocalClientCredentials): Promise<string> {
    const iat = grant.issuedAt ?? Math.floor(this.nowMs() / 1000);
    return new SignJWT({
      token_use: 'access',
      client_id: grant.clientId,
      scope: grant.scopes.join(' '),
      auth_time: iat,
      version: 2,
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setSubject(grant.clientId)
      .setIssuer(this.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (grant.expiresInSeconds ?? 3600))
      .setJti(`${grant.clientId}-${iat}`)
      .sign(this.privateKey);
  }
}

/** A client-credentials grant's token, as Cognito issues it to a machine client. */
export interface LocalClientCredentials {
  clientId: string;
  /** The granted scopes, space-separated in the token. */
  scopes: readonly string[];
  issuedAt?: number;
  expiresInSeconds?: number;
}

async function loadOrCreateKey(keyDir: string | undefined): Promise<KeyObject> {
  if (keyDir) {
    const file = join(keyDir, PRIVATE_KEY_FILE);
    const existing = await readFile(file, 'utf8').catch(() => undefined);
    if (existing) return createPrivateKey(existing);
  }
  const { privateKeyPem } = generateRsaKeyPairPem();
  if (keyDir) {
    await mkdir(keyDir, { recursive: true });
    await writeFile(join(keyDir, PRIVATE_KEY_FILE), privateKeyPem, { mode: 0o600 });
  }
  return createPrivateKey(privateKeyPem);
}
