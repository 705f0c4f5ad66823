import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../errors.ts';
import { LocalIdentityIssuer } from './local-issuer.ts';
import { createIdentityVerifier, type IdentityVerifier } from './verifier.ts';

const NOW_MS = Date.UTC(2026, 10, 21, 12);
const NOW = NOW_MS / 1000;
const keyDir = mkdtempSync(join(tmpdir(), 'boundless-identity-'));
let issuer: LocalIdentityIssuer;
let verifier: IdentityVerifier;

beforeAll(async () => {
  issuer = await LocalIdentityIssuer.create({
    keyDir,
    issuer: 'https://idp.test/pool',
    audience: 'app-client',
    nowMs: () => NOW_MS,
  });
  verifier = createIdentityVerifier(issuer.settings(), () => NOW_MS);
});
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

async function rejection(token: string): Promise<string> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  expect((error as DeliveryError).code).toBe('unauthorized');
  return String((error as DeliveryError).details?.reason);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('Class: LocalIdentityIssuer', () => {
  it('reloads the same key pair from its key directory', async () => {
    const again = await LocalIdentityIssuer.create({ keyDir });
    expect(again.jwks()).toEqual(issuer.jwks());
  });
});

describe('Function: createIdentityVerifier', () => {
  it('accepts access and ID tokens and maps groups and organisation', async () => {
    const access = await issuer.issue({ sub: 'reader-1', groups: ['org_admin'], orgId: 'org-9' });
    expect(await verifier.verify(access)).toEqual({
      accountId: 'reader-1',
      orgId: 'org-9',
      roles: ['org_admin'],
      authenticatedAt: NOW,
      clientId: 'app-client',
    });
    const id = await issuer.issue({ sub: 'reader-1', tokenUse: 'id' });
    expect((await verifier.verify(id)).roles).toEqual([]);
  });

  it('accepts the public key as PEM instead of a JWKS', async () => {
    const pemVerifier = createIdentityVerifier(
      { issuer: issuer.issuer, audience: issuer.audience, publicKeyPem: issuer.publicKeyPem() },
      () => NOW_MS,
    );
    expect((await pemVerifier.verify(await issuer.issue({ sub: 'r' }))).accountId).toBe('r');
  });

  it('rejects a wrong audience in either claim', async () => {
    const other = await LocalIdentityIssuer.create({
      keyDir,
      issuer: issuer.issuer,
      audience: 'other-client',
      nowMs: () => NOW_MS,
    });
    expect(await rejection(await other.issue({ sub: 'r' }))).toBe('invalid aud claim');
    expect(await rejection(await other.issue({ sub: 'r', tokenUse: 'id' }))).toBe('invalid aud claim');
  });

  it('rejects a wrong issuer', async () => {
    const other = await LocalIdentityIssuer.create({
      keyDir,
      issuer: 'https://evil.test',
      audience: 'app-client',
      nowMs: () => NOW_MS,
    });
    expect(await rejection(await other.issue({ sub: 'r' }))).toBe('invalid iss claim');
  });

  it('rejects an expired token', async () => {
    expect(
      await rejection(await issuer.issue({ sub: 'r', issuedAt: NOW - 7200, expiresInSeconds: 3600 })),
    ).toBe('expired');
  });

  it('rejects alg none', async () => {
    const payload = {
      sub: 'r',
      iss: issuer.issuer,
      client_id: 'app-client',
      token_use: 'access',
      iat: NOW,
      exp: NOW + 60,
    };
    expect(await rejection(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`)).toBe(
      'algorithm not allowed',
    );
  });

  it('rejects HS256 signed with the public key (algorithm confusion)', async () => {
    const forged = await new SignJWT({ token_use: 'access', client_id: 'app-client' })
      .setProtectedHeader({ alg: 'HS256', kid: issuer.kid })
      .setSubject('r')
      .setIssuer(issuer.issuer)
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 60)
      .sign(new TextEncoder().encode(issuer.publicKeyPem()));
    expect(await rejection(forged)).toBe('algorithm not allowed');
  });

  it('rejects a tampered payload', async () => {
    const [header, , signature] = (await issuer.issue({ sub: 'reader-1' })).split('.');
    const tampered = b64({
      sub: 'admin',
      iss: issuer.issuer,
      client_id: 'app-client',
      token_use: 'access',
      iat: NOW,
      exp: NOW + 60,
      'cognito:groups': ['admin'],
    });
    expect(await rejection(`${header}.${tampered}.${signature}`)).toBe('bad signature');
  });

  it('rejects a subject that cannot be an account id', async () => {
    const signer = await LocalIdentityIssuer.create({
      keyDir,
      issuer: issuer.issuer,
      audience: 'app-client',
      nowMs: () => NOW_MS,
    });
    expect(await rejection(await signer.issue({ sub: 'has spaces' }))).toBe('invalid sub claim');
  });
});

describe('Verified-token cache', () => {
  it('still rejects a cached token once it expires', async () => {
    let now = NOW_MS;
    const clocked = createIdentityVerifier(issuer.settings(), () => now);
    const token = await issuer.issue({ sub: 'r', expiresInSeconds: 60 });
    expect((await clocked.verify(token)).accountId).toBe('r');
    now += 61_000;
    await expect(clocked.verify(token)).rejects.toMatchObject({
      code: 'unauthorized',
      details: { reason: 'expired' },
    });
  });
});
