import { describe, expect, it } from 'vitest';
import { deviceHashOf, issueEdgeToken, parseEdgeToken, verifyEdgeToken } from './edge-token.ts';
import { EDGE_TOKEN_VECTOR_NOW, EDGE_TOKEN_VECTOR_SECRETS, EDGE_TOKEN_VECTORS } from './vectors.ts';

const SECRET = 'test-secret-k1';
const claims = {
  kid: 'k1',
  tokenId: 'tok_0123456789',
  accountId: 'acct-42',
  deviceHash: deviceHashOf('acct-42', 'device-a'),
  iat: 1_800_000_000,
  exp: 1_800_003_600,
  scope: '/titles/t-1/',
};
const secrets = (kid: string) => (kid === 'k1' ? SECRET : undefined);

describe('Module: edge-token', () => {
  it('round-trips claims through issue and verify', () => {
    const token = issueEdgeToken(claims, SECRET);
    expect(token.split('.')).toHaveLength(9);
    expect(verifyEdgeToken(token, secrets, claims.iat + 10)).toEqual(claims);
  });

  it('hashes the device as the first 16 hex chars of sha256(account:device)', () => {
    expect(deviceHashOf('acct-42', 'device-a')).toMatch(/^[0-9a-f]{16}$/);
    expect(deviceHashOf('acct-42', 'device-a')).not.toBe(deviceHashOf('acct-42', 'device-b'));
  });

  it('rejects a token whose any signed field was changed', () => {
    const parts = issueEdgeToken(claims, SECRET).split('.');
    for (const index of [2, 3, 4, 5, 6, 7]) {
      const tampered = [...parts];
      tampered[index] = index === 7 ? Buffer.from('/titles/').toString('base64url') : `${tampered[index]}0`;
      expect(() => verifyEdgeToken(tampered.join('.'), secrets, claims.iat + 10)).toThrow(
        /signature|malformed/,
      );
    }
  });

  it('rejects expired, unknown-kid and malformed tokens with distinct codes', () => {
    const token = issueEdgeToken(claims, SECRET);
    expect(() => verifyEdgeToken(token, secrets, claims.exp)).toThrow(
      expect.objectContaining({ code: 'expired' }),
    );
    expect(() => verifyEdgeToken(token, () => undefined, claims.iat)).toThrow(
      expect.objectContaining({ code: 'unknown_kid' }),
    );
    expect(() => verifyEdgeToken('v1.k1.short', secrets, claims.iat)).toThrow(
      expect.objectContaining({ code: 'malformed' }),
    );
  });

  it('parses claims without a secret, as the copilot does', () => {
    const parsed = parseEdgeToken(issueEdgeToken(claims, SECRET));
    expect(parsed?.tokenId).toBe(claims.tokenId);
    expect(parsed?.scope).toBe('/titles/t-1/');
    expect(parseEdgeToken('v2.k1.a.b.c.1.2.x.y')).toBeUndefined();
  });

  it('refuses to issue a token with invalid claims', () => {
    expect(() => issueEdgeToken({ ...claims, kid: 'bad kid!' }, SECRET)).toThrow(/kid/);
  });
});

describe('Test vectors: the codec', () => {
  const secretFor = (kid: string) => EDGE_TOKEN_VECTOR_SECRETS[kid];

  it.each(EDGE_TOKEN_VECTORS.filter((v) => v.expect === 'valid'))('issues and verifies "$name"', (vector) => {
    if (vector.expect !== 'valid') return;
    const secret = secretFor(vector.claims.kid)!;
    expect(issueEdgeToken(vector.claims, secret)).toBe(vector.token);
    expect(verifyEdgeToken(vector.token, secretFor, EDGE_TOKEN_VECTOR_NOW)).toEqual(vector.claims);
    expect(deviceHashOf(vector.claims.accountId, vector.deviceId)).toBe(vector.claims.deviceHash);
    expect(parseEdgeToken(vector.token)).toMatchObject(vector.claims);
  });

  it.each(EDGE_TOKEN_VECTORS.filter((v) => v.expect !== 'valid'))('refuses "$name" as $expect', (vector) => {
    expect(() => verifyEdgeToken(vector.token, secretFor, EDGE_TOKEN_VECTOR_NOW)).toThrow(
      expect.objectContaining({ code: vector.expect }),
    );
    if (vector.expect === 'malformed') expect(parseEdgeToken(vector.token)).toBeUndefined();
  });
});
