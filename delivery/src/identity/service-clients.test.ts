import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../errors.ts';
import { LocalIdentityIssuer } from './local-issuer.ts';
import { serviceClientGrantsJson } from './service-clients.ts';
import { createIdentityVerifier, type IdentityVerifier } from './verifier.ts';

const NOW_MS = Date.UTC(2026, 10, 21, 12);
const NOW = NOW_MS / 1000;
const COPILOT_CLIENT = '4s7d2kq9vbn1copilotclient0';
const SCOPE = 'boundless-delivery/admin';
const keyDir = mkdtempSync(join(tmpdir(), 'boundless-service-clients-'));
let issuer: LocalIdentityIssuer;
let verifier: IdentityVerifier;

beforeAll(async () => {
  issuer = await LocalIdentityIssuer.create({
    keyDir,
    issuer: 'https://idp.test/pool',
    audience: 'readerapp',
    nowMs: () => NOW_MS,
  });
  verifier = createIdentityVerifier(
    { ...issuer.settings(), serviceClients: [{ clientId: COPILOT_CLIENT, scope: SCOPE, role: 'copilot' }] },
    () => NOW_MS,
  );
});
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

/** Signed with the pool's own key: what the issuer could mint, shaped as the test needs. */
const signedByPool = (claims: Record<string, unknown>, sub: string) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: issuer.kid })
    .setSubject(sub)
    .setIssuer(issuer.issuer)
    .setIssuedAt(NOW)
    .setExpirationTime(NOW + 60)
    .sign(createPrivateKey(readFileSync(join(keyDir, 'identity-private.pem'), 'utf8')));

async function rejection(token: string, by: IdentityVerifier = verifier): Promise<string> {
  const error = await by.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  expect((error as DeliveryError).code).toBe('unauthorized');
  return String((error as DeliveryError).details?.reason);
}

describe('Client-credentials tokens of a granted service client', () => {
  it('act with the granted role, named by the client id', async () => {
    const token = await issuer.issueClientCredentials({ clientId: COPILOT_CLIENT, scopes: [SCOPE] });
    expect(await verifier.verify(token)).toEqual({
      accountId: COPILOT_CLIENT,
      roles: ['copilot'],
      authenticatedAt: NOW,
      clientId: COPILOT_CLIENT,
    });
  });

  it('find the granted scope among several', async () => {
    const token = await issuer.issueClientCredentials({
      clientId: COPILOT_CLIENT,
      scopes: ['boundless-delivery/read', SCOPE],
    });
    expect((await verifier.verify(token)).roles).toEqual(['copilot']);
  });

  it('refuse another client, even one with the right scope', async () => {
    const token = await issuer.issueClientCredentials({ clientId: 'someotherclient', scopes: [SCOPE] });
    expect(await rejection(token)).toBe('invalid aud claim');
  });

  it('refuse a token without the granted scope, or with a scope that only contains it', async () => {
    for (const scopes of [
      [],
      ['boundless-delivery/read'],
      [`${SCOPE}x`],
      ['boundless-delivery/admin/more'],
    ]) {
      const token = await issuer.issueClientCredentials({ clientId: COPILOT_CLIENT, scopes });
      expect(await rejection(token)).toBe('invalid scope claim');
    }
  });

  it('refuse an expired token', async () => {
    const token = await issuer.issueClientCredentials({
      clientId: COPILOT_CLIENT,
      scopes: [SCOPE],
      issuedAt: NOW - 7200,
      expiresInSeconds: 3600,
    });
    expect(await rejection(token)).toBe('expired');
  });

  it('refuse a token signed by another key (forged), and a tampered one', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new SignJWT({ token_use: 'access', client_id: COPILOT_CLIENT, scope: SCOPE })
      .setProtectedHeader({ alg: 'RS256', kid: issuer.kid })
      .setSubject(COPILOT_CLIENT)
      .setIssuer(issuer.issuer)
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 60)
      .sign(privateKey);
    expect(await rejection(forged)).toBe('bad signature');
    const [header, , signature] = (
      await issuer.issueClientCredentials({ clientId: 'someotherclient', scopes: [SCOPE] })
    ).split('.');
    const payload = Buffer.from(
      JSON.stringify({
        sub: COPILOT_CLIENT,
        iss: issuer.issuer,
        client_id: COPILOT_CLIENT,
        token_use: 'access',
        scope: SCOPE,
        iat: NOW,
        exp: NOW + 60,
      }),
    ).toString('base64url');
    expect(await rejection(`${header}.${payload}.${signature}`)).toBe('bad signature');
  });

  it("refuse a user's token issued to the service client (its sub is the user, not the client)", async () => {
    const userToken = await signedByPool(
      { token_use: 'access', client_id: COPILOT_CLIENT, scope: SCOPE, username: 'mallory' },
      'user-7',
    );
    expect(await rejection(userToken)).toBe('invalid sub claim');
  });

  it('take the role from the grant, never from groups in the token', async () => {
    const token = await signedByPool(
      { token_use: 'access', client_id: COPILOT_CLIENT, scope: SCOPE, 'cognito:groups': ['admin'] },
      COPILOT_CLIENT,
    );
    expect((await verifier.verify(token)).roles).toEqual(['copilot']);
  });

  it('refuse an ID token whose audience is the service client', async () => {
    const idToken = await signedByPool({ token_use: 'id', aud: COPILOT_CLIENT }, COPILOT_CLIENT);
    expect(await rejection(idToken)).toBe('invalid aud claim');
  });

  it("leave the readers' tokens as they were", async () => {
    const reader = await issuer.issue({ sub: 'reader-1', groups: ['org_admin'], orgId: 'org-9' });
    expect((await verifier.verify(reader)).roles).toEqual(['org_admin']);
    // A reader's token never becomes a service's, whatever scope it might carry.
    expect((await verifier.verify(reader)).clientId).toBe('readerapp');
  });

  it('are refused by a verifier without grants', async () => {
    const bare = createIdentityVerifier(issuer.settings(), () => NOW_MS);
    const token = await issuer.issueClientCredentials({ clientId: COPILOT_CLIENT, scopes: [SCOPE] });
    expect(await rejection(token, bare)).toBe('invalid aud claim');
  });
});

describe('Service client grants (configuration)', () => {
  const configError = (serviceClients: unknown) => {
    try {
      createIdentityVerifier(
        // biome-ignore lint/suspicious/noExplicitAny: malformed grants on purpose
        { ...issuer.settings(), serviceClients: serviceClients as any },
        () => NOW_MS,
      );
    } catch (error) {
      expect(error).toBeInstanceOf(DeliveryError);
      return (error as DeliveryError).message;
    }
    throw new Error('accepted');
  };

  it('refuses a reader role, a scope with spaces, a bad client id, unknown keys and duplicates', () => {
    expect(configError([{ clientId: COPILOT_CLIENT, scope: SCOPE, role: 'reader' }])).toMatch(/0\.role/);
    expect(configError([{ clientId: COPILOT_CLIENT, scope: 'a b', role: 'copilot' }])).toMatch(/0\.scope/);
    expect(configError([{ clientId: 'has space', scope: SCOPE, role: 'copilot' }])).toMatch(/0\.clientId/);
    expect(
      configError([{ clientId: COPILOT_CLIENT, scope: SCOPE, role: 'copilot', groups: ['admin'] }]),
    ).toMatch(/unrecognized/i);
    const grant = { clientId: COPILOT_CLIENT, scope: SCOPE, role: 'copilot' };
    expect(configError([grant, grant])).toMatch(/granted once/);
  });

  it("refuses a grant to the readers' own app client", () => {
    expect(configError([{ clientId: 'readerapp', scope: SCOPE, role: 'copilot' }])).toMatch(/readers/);
  });

  it('parses the environment form and names what is wrong', () => {
    expect(
      serviceClientGrantsJson.parse(
        JSON.stringify([{ clientId: COPILOT_CLIENT, scope: SCOPE, role: 'copilot' }]),
      ),
    ).toEqual([{ clientId: COPILOT_CLIENT, scope: SCOPE, role: 'copilot' }]);
    const bad = serviceClientGrantsJson.safeParse('{not json');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/JSON array/);
  });
});
