import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceHashOf, type EdgeTokenClaims, issueEdgeToken, verifyEdgeToken } from '@boundless/delivery';
import {
  EDGE_TOKEN_VECTOR_NOW,
  EDGE_TOKEN_VECTOR_SECRETS,
  EDGE_TOKEN_VECTORS,
} from '@boundless/delivery/token-vectors';
import { buildViewerRequestEvent } from './function-event.ts';
import {
  DEFAULT_VIEWER_REQUEST_SOURCE,
  type FunctionOutcome,
  loadViewerRequestFunction,
  MAX_FUNCTION_BYTES,
  toScript,
} from './function-runner.ts';
import { LocalKeyValueStore } from './local-kvs.ts';

const NOW = 1_800_000_000;
const SECRETS: Record<string, string> = { k1: 'first-secret-0123456789', k2: 'second-secret-9876543210' };
const DEVICE = 'device-42';

function claims(overrides: Partial<EdgeTokenClaims> = {}): EdgeTokenClaims {
  return {
    kid: 'k2',
    tokenId: 'tok_0001abcd',
    accountId: 'acct-7',
    deviceHash: deviceHashOf('acct-7', DEVICE),
    iat: NOW - 60,
    exp: NOW + 3600,
    scope: '/titles/t-1/',
    ...overrides,
  };
}

function setup(extra: Record<string, string> = {}) {
  const kvs = new LocalKeyValueStore({ initial: { 'k:k1': SECRETS.k1!, 'k:k2': SECRETS.k2!, ...extra } });
  let nowMs = NOW * 1000;
  const fn = loadViewerRequestFunction({ kvs, clock: () => nowMs });
  const run = (opts: { uri?: string; query?: string; device?: string | null }): Promise<FunctionOutcome> => {
    const headers: Record<string, string> = { host: 'edge.local' };
    if (opts.device !== null) headers['x-bb-device'] = opts.device ?? DEVICE;
    return fn.invoke(
      buildViewerRequestEvent({
        method: 'GET',
        uri: opts.uri ?? '/titles/t-1/book.epub',
        rawQuery: opts.query ?? '',
        headers,
        viewerIp: '192.0.2.1',
        distributionId: 'ELOCAL',
        distributionDomainName: 'edge.local',
        requestId: 'r1',
      }),
    );
  };
  return { kvs, fn, run, setNow: (s: number) => (nowMs = s * 1000) };
}

function reason(outcome: FunctionOutcome): string {
  if (outcome.kind === 'request') return 'allowed';
  if (outcome.kind === 'error') return `error:${outcome.code}`;
  return outcome.response.headers?.['x-bb-refused']?.value ?? `status:${outcome.response.statusCode}`;
}

const tokenWith = (overrides: Partial<EdgeTokenClaims> = {}, kid = overrides.kid ?? 'k2') =>
  issueEdgeToken(claims({ ...overrides, kid }), SECRETS[kid] ?? 'not-a-stored-secret');

describe('Function: viewer-request (cloudfront-js-2.0 in node:vm)', () => {
  describe('Source', () => {
    it('fits CloudFront size limit and imports only runtime modules', () => {
      const source = readFileSync(DEFAULT_VIEWER_REQUEST_SOURCE, 'utf8');
      expect(Buffer.byteLength(source)).toBeLessThanOrEqual(MAX_FUNCTION_BYTES);
      expect(() => toScript("import fs from 'fs';\n")).toThrow(/fs/);
    });

    it('keeps to the 2.0 dialect', () => {
      const code = readFileSync(DEFAULT_VIEWER_REQUEST_SOURCE, 'utf8').replace(/\/\/.*$/gm, '');
      for (const forbidden of [
        /\?\./,
        /\?\?/,
        /\bclass\s/,
        /\.\.\.\w/,
        /\bfor\s*\([^)]*\bof\b/,
        /\brequire\(/,
      ]) {
        expect(code).not.toMatch(forbidden);
      }
    });
  });

  describe('Test vectors', () => {
    it.each(EDGE_TOKEN_VECTORS)('answers "$name" as the codec does ($expect)', async (vector) => {
      const kvs = new LocalKeyValueStore({
        initial: Object.fromEntries(
          Object.entries(EDGE_TOKEN_VECTOR_SECRETS).map(([kid, secret]) => [`k:${kid}`, secret]),
        ),
      });
      const fn = loadViewerRequestFunction({ kvs, clock: () => EDGE_TOKEN_VECTOR_NOW * 1000 });
      const valid = vector.expect === 'valid';
      const outcome = await fn.invoke(
        buildViewerRequestEvent({
          method: 'GET',
          uri: valid ? vector.path : '/titles/t-1/book.epub',
          rawQuery: `bbt=${vector.token}`,
          headers: { host: 'edge.local', 'x-bb-device': valid ? vector.deviceId : 'device-a' },
          viewerIp: '192.0.2.1',
          distributionId: 'ELOCAL',
          distributionDomainName: 'edge.local',
          requestId: 'r1',
        }),
      );
      expect(reason(outcome)).toBe(valid ? 'allowed' : vector.expect);
    });
  });

  describe('Method: handler', () => {
    it('allows a valid token and strips bbt before the cache key and origin', async () => {
      const { run } = setup();
      const outcome = await run({ query: `bbt=${tokenWith()}&lang=en` });
      expect(outcome.kind).toBe('request');
      if (outcome.kind !== 'request') return;
      expect(outcome.request.querystring.bbt).toBeUndefined();
      expect(outcome.request.querystring.lang?.value).toBe('en');
    });

    it('refuses every single-field tampering with the reference verifier agreeing', async () => {
      const { run } = setup();
      const token = tokenWith();
      const parts = token.split('.');
      for (let i = 1; i < parts.length; i++) {
        const copy = [...parts];
        const field = copy[i]!;
        copy[i] = field.slice(0, -1) + (field.endsWith('1') ? '2' : '1');
        const tampered = copy.join('.');
        const got = reason(await run({ query: `bbt=${tampered}` }));
        expect(got, `field ${i}`).not.toBe('allowed');
        expect(() => verifyEdgeToken(tampered, (kid) => SECRETS[kid], NOW)).toThrow();
      }
    });

    it.each([
      ['expired', { exp: NOW }],
      ['not_yet_valid', { iat: NOW + 301, exp: NOW + 4000 }],
      ['wrong_scope', { scope: '/titles/t-2/' }],
      ['wrong_scope', { scope: '/titles/t' }],
      ['wrong_device', { deviceHash: deviceHashOf('acct-7', 'other-device') }],
    ])('refuses with %s', async (expected, overrides) => {
      const { run } = setup();
      expect(reason(await run({ query: `bbt=${tokenWith(overrides)}` }))).toBe(expected);
    });

    it('agrees with the reference verifier on the codes they share', async () => {
      const { run } = setup();
      const cases = [
        tokenWith(),
        tokenWith({ exp: NOW - 1, iat: NOW - 100 }),
        tokenWith({ kid: 'k9' }),
        'v1.x',
      ];
      for (const token of cases) {
        let expected = 'allowed';
        try {
          verifyEdgeToken(token, (kid) => SECRETS[kid], NOW);
        } catch (error) {
          expected = (error as { code: string }).code;
        }
        expect(reason(await run({ query: `bbt=${token}` }))).toBe(expected);
      }
    });

    it('refuses a missing token, a missing device header and unsafe paths', async () => {
      const { run } = setup();
      expect(reason(await run({}))).toBe('missing_token');
      expect(reason(await run({ query: `bbt=${tokenWith()}`, device: null }))).toBe('missing_device');
      for (const uri of ['/titles/t-1/../t-2/book.epub', '/public/../titles/t-2/a', '/titles/t-1/%2e%2e/x']) {
        expect(reason(await run({ uri, query: `bbt=${tokenWith()}` }))).toBe('bad_path');
      }
    });

    it('lets public paths through without a token', async () => {
      const { run } = setup();
      expect(reason(await run({ uri: '/robots.txt', device: null }))).toBe('allowed');
      expect(reason(await run({ uri: '/public/cover.png', query: 'bbt=junk' }))).toBe('allowed');
    });

    it('refuses a revoked token on the next request after the KVS write', async () => {
      const { run, kvs } = setup();
      const token = tokenWith();
      expect(reason(await run({ query: `bbt=${token}` }))).toBe('allowed');
      await kvs.put('rv:tok_0001abcd', '1');
      expect(reason(await run({ query: `bbt=${token}` }))).toBe('revoked');
    });

    it('forces re-auth for tokens issued before the account mark only', async () => {
      const { run, kvs } = setup();
      await kvs.put('ra:acct-7', String(NOW - 30));
      expect(reason(await run({ query: `bbt=${tokenWith({ iat: NOW - 60 })}` }))).toBe('reauth_required');
      expect(reason(await run({ query: `bbt=${tokenWith({ iat: NOW - 10 })}` }))).toBe('allowed');
      for (const unreadable of ['garbage', '', ' 5']) {
        await kvs.put('ra:acct-7', unreadable);
        expect(reason(await run({ query: `bbt=${tokenWith({ iat: NOW - 10 })}` }))).toBe('reauth_required');
      }
      await kvs.put('ra:acct-7', 'garbage');
      expect(reason(await run({ query: `bbt=${tokenWith({ iat: NOW - 10 })}` }))).toBe('reauth_required');
    });

    it('keeps the old kid valid after rotation until its tokens expire, then refuses it once retired', async () => {
      const { run, kvs, setNow } = setup();
      const old = tokenWith({ kid: 'k1', exp: NOW + 100 });
      expect(reason(await run({ query: `bbt=${old}` }))).toBe('allowed');
      setNow(NOW + 100);
      expect(reason(await run({ query: `bbt=${old}` }))).toBe('expired');
      await kvs.delete('k:k1');
      setNow(NOW);
      expect(reason(await run({ query: `bbt=${old}` }))).toBe('unknown_kid');
      expect(reason(await run({ query: `bbt=${tokenWith({ kid: 'k2' })}` }))).toBe('allowed');
    });

    it('refuses malformed, oversized and repeated tokens', async () => {
      const { run } = setup();
      const good = tokenWith();
      for (const query of ['bbt=', 'bbt=v2.a.b', `bbt=${good}.x`, `bbt=${good}&bbt=${good}`]) {
        expect(reason(await run({ query }))).toBe('malformed');
      }
      const huge = tokenWith({ scope: `/titles/${'x'.repeat(600)}/` });
      expect(reason(await run({ uri: `/titles/${'x'.repeat(600)}/a`, query: `bbt=${huge}` }))).toBe(
        'malformed',
      );
    });
  });

  describe('Property: fuzzed input', () => {
    it('never allows a token not signed with a stored secret', async () => {
      const { run } = setup();
      const segment = fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/);
      const forged = fc
        .tuple(fc.constantFrom('k1', 'k2', 'k3'), segment, segment, fc.string({ maxLength: 16 }), segment)
        .map(([kid, a, b, c, sig]) => {
          const signed = `v1.${kid}.tok_${a}xxxxxxxx.acct-${b}.${deviceHashOf(`acct-${b}`, DEVICE)}.${NOW - 5}.${NOW + 500}.L3RpdGxlcy90LTEv`;
          return `${signed}.${sig}${c.length}`;
        });
      await fc.assert(
        fc.asyncProperty(fc.oneof(forged, fc.string({ maxLength: 700 })), async (token) => {
          expect(reason(await run({ query: `bbt=${token}` }))).not.toBe('allowed');
        }),
        { numRuns: 400 },
      );
    });

    it('never throws, whatever the token, device header and path', async () => {
      const { run } = setup();
      const text = fc.string({ unit: 'binary', maxLength: 120 });
      await fc.assert(
        fc.asyncProperty(text, text, text, async (token, device, path) => {
          const outcome = await run({ uri: `/${path}`, query: `bbt=${token}`, device });
          expect(outcome.kind).not.toBe('error');
        }),
        { numRuns: 400 },
      );
    });

    it('opens exactly the paths under the signed scope', async () => {
      const { run } = setup();
      const scope = fc
        .stringMatching(/^\/[A-Za-z0-9._~-]{1,24}\/([A-Za-z0-9_-]{1,8}\/)?$/)
        .filter((s) => !/\/\.\.?\//.test(s));
      await fc.assert(
        fc.asyncProperty(scope, fc.stringMatching(/^[a-z0-9]{1,6}$/), async (prefix, name) => {
          const query = `bbt=${tokenWith({ scope: prefix })}`;
          expect(reason(await run({ uri: `${prefix}${name}.epub`, query }))).toBe('allowed');
          expect(reason(await run({ uri: `${prefix.slice(0, -1)}x/${name}`, query }))).toBe('wrong_scope');
        }),
        { numRuns: 200 },
      );
    });

    it('allows exactly the tokens the reference verifier accepts for this request', async () => {
      const { run } = setup();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('k1', 'k2', 'k7'),
          fc.integer({ min: NOW - 1000, max: NOW + 1000 }),
          fc.integer({ min: 1, max: 2000 }),
          async (kid, iat, ttl) => {
            const token = issueEdgeToken(claims({ kid, iat, exp: iat + ttl }), SECRETS[kid] ?? 'unknown');
            let referenceAllows = true;
            try {
              verifyEdgeToken(token, (k) => SECRETS[k], NOW);
            } catch {
              referenceAllows = false;
            }
            expect(reason(await run({ query: `bbt=${token}` })) === 'allowed').toBe(referenceAllows);
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
