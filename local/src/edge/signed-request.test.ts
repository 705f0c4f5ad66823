import { getSignedCookies, getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { describe, expect, it } from 'vitest';
import { generateRsaKeyPairPem } from '@boundless/delivery';
import { ipMatchesCidr } from './cidr.ts';
import { type SignedRequest, SignedRequestVerifier, resourceMatches } from './signed-request.ts';

const { privateKeyPem: PRIVATE, publicKeyPem: PUBLIC } = generateRsaKeyPairPem({ privateKeyType: 'pkcs1' });
const other = generateRsaKeyPairPem({ privateKeyType: 'pkcs1' });
const NOW = 1_800_000_000;
const BASE = 'http://edge.local:8080';
const verifier = new SignedRequestVerifier({ K1: PUBLIC });

function cookieRequest(
  cookies: Record<string, string>,
  path = '/titles/t-1/book.epub',
  ip = '192.0.2.10',
): SignedRequest {
  return { resourceUrl: `${BASE}${path}`, query: {}, cookies, viewerIp: ip, nowSeconds: NOW };
}

function customCookies(
  options: { resource?: string; ip?: string; notBefore?: number; algorithm?: 'SHA256' } = {},
) {
  const policy = {
    Statement: [
      {
        Resource: options.resource ?? `${BASE}/titles/t-1/*`,
        Condition: {
          DateLessThan: { 'AWS:EpochTime': NOW + 600 },
          ...(options.ip ? { IpAddress: { 'AWS:SourceIp': options.ip } } : {}),
          ...(options.notBefore ? { DateGreaterThan: { 'AWS:EpochTime': options.notBefore } } : {}),
        },
      },
    ],
  };
  return getSignedCookies({
    keyPairId: 'K1',
    privateKey: PRIVATE,
    policy: JSON.stringify(policy),
    ...(options.algorithm ? { algorithm: options.algorithm } : {}),
  }) as unknown as Record<string, string>;
}

describe('Class: SignedRequestVerifier', () => {
  describe('Method: verify (signed cookies)', () => {
    it('accepts a custom-policy cookie under its wildcard resource, SHA1 and SHA256', () => {
      expect(verifier.verify(cookieRequest(customCookies()))).toEqual({
        ok: true,
        via: 'cookie',
        keyPairId: 'K1',
      });
      expect(verifier.verify(cookieRequest(customCookies({ algorithm: 'SHA256' }))).ok).toBe(true);
    });

    it('refuses outside the resource, after DateLessThan, before DateGreaterThan', () => {
      const cookies = customCookies({ notBefore: NOW - 10 });
      expect(verifier.verify(cookieRequest(cookies, '/titles/t-2/book.epub'))).toMatchObject({
        reason: 'signature_resource',
      });
      expect(verifier.verify({ ...cookieRequest(cookies), nowSeconds: NOW + 600 })).toMatchObject({
        reason: 'signature_expired',
      });
      expect(verifier.verify({ ...cookieRequest(cookies), nowSeconds: NOW - 11 })).toMatchObject({
        reason: 'signature_not_yet_valid',
      });
    });

    it('enforces the IpAddress condition by CIDR', () => {
      const cookies = customCookies({ ip: '192.0.2.0/24' });
      expect(verifier.verify(cookieRequest(cookies, undefined, '192.0.2.77')).ok).toBe(true);
      expect(verifier.verify(cookieRequest(cookies, undefined, '::ffff:192.0.2.77')).ok).toBe(true);
      expect(verifier.verify(cookieRequest(cookies, undefined, '198.51.100.1'))).toMatchObject({
        reason: 'signature_ip',
      });
    });

    it('refuses a tampered policy, a foreign key, an unknown key pair id and missing cookies', () => {
      const cookies = customCookies();
      const widened = Buffer.from(
        JSON.stringify({
          Statement: [{ Resource: `${BASE}/*`, Condition: { DateLessThan: { 'AWS:EpochTime': NOW + 600 } } }],
        }),
      )
        .toString('base64')
        .replace(/\+/g, '-')
        .replace(/=/g, '_')
        .replace(/\//g, '~');
      expect(verifier.verify(cookieRequest({ ...cookies, 'CloudFront-Policy': widened }))).toMatchObject({
        reason: 'signature_invalid',
      });
      const foreign = getSignedCookies({
        keyPairId: 'K1',
        privateKey: other.privateKeyPem,
        url: `${BASE}/titles/t-1/*`,
        dateLessThan: new Date((NOW + 600) * 1000).toISOString(),
        ipAddress: '0.0.0.0/0',
      }) as unknown as Record<string, string>;
      expect(verifier.verify(cookieRequest(foreign))).toMatchObject({ reason: 'signature_invalid' });
      expect(verifier.verify(cookieRequest({ ...cookies, 'CloudFront-Key-Pair-Id': 'K9' }))).toMatchObject({
        reason: 'signature_unknown_key',
      });
      expect(verifier.verify(cookieRequest({}))).toMatchObject({ reason: 'signature_missing' });
    });
  });

  describe('Method: verify (signed URLs)', () => {
    function urlRequest(signed: string): SignedRequest {
      const url = new URL(signed);
      const query = Object.fromEntries(url.searchParams);
      const kept = [...url.searchParams].filter(
        ([k]) => !['Expires', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm', 'Policy'].includes(k),
      );
      const rest = kept.map(([k, v]) => `${k}=${v}`).join('&');
      return {
        resourceUrl: `${url.origin}${url.pathname}${rest ? `?${rest}` : ''}`,
        query,
        cookies: {},
        viewerIp: '192.0.2.1',
        nowSeconds: NOW,
      };
    }

    it('accepts a canned-policy URL for exactly that URL and refuses it for another', () => {
      const signed = getSignedUrl({
        url: `${BASE}/titles/t-1/book.epub?lang=en`,
        keyPairId: 'K1',
        privateKey: PRIVATE,
        dateLessThan: new Date((NOW + 60) * 1000).toISOString(),
        algorithm: 'SHA256',
      });
      expect(verifier.verify(urlRequest(signed))).toEqual({ ok: true, via: 'url', keyPairId: 'K1' });
      expect(verifier.verify(urlRequest(signed.replace('lang=en', 'lang=fr')))).toMatchObject({
        reason: 'signature_invalid',
      });
      expect(verifier.verify({ ...urlRequest(signed), nowSeconds: NOW + 60 })).toMatchObject({
        reason: 'signature_expired',
      });
    });

    it('prefers the signed URL over cookies when both are present', () => {
      const signed = getSignedUrl({
        url: `${BASE}/titles/t-1/book.epub`,
        keyPairId: 'K1',
        privateKey: PRIVATE,
        dateLessThan: new Date((NOW - 1) * 1000).toISOString(),
      });
      const request = { ...urlRequest(signed), cookies: customCookies() };
      expect(verifier.verify(request)).toMatchObject({ reason: 'signature_expired' });
    });
  });
});

describe('Function: resourceMatches', () => {
  it('treats * as any run and ? as one character, everything else literally', () => {
    expect(resourceMatches('http*://edge/titles/t-1/*', 'https://edge/titles/t-1/a/b.epub?x=1')).toBe(true);
    expect(resourceMatches('http://edge/titles/t-?/a', 'http://edge/titles/t-1/a')).toBe(true);
    expect(resourceMatches('http://edge/titles/t-?/a', 'http://edge/titles/t-10/a')).toBe(false);
    expect(resourceMatches('http://edge/t.1/*', 'http://edge/tx1/a')).toBe(false);
  });
});

describe('Function: ipMatchesCidr', () => {
  it('matches IPv4 prefixes and refuses what it cannot read', () => {
    expect(ipMatchesCidr('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(ipMatchesCidr('11.1.2.3', '10.0.0.0/8')).toBe(false);
    expect(ipMatchesCidr('10.1.2.3', '10.1.2.3')).toBe(true);
    expect(ipMatchesCidr('1.2.3.4', '0.0.0.0/0')).toBe(true);
    expect(ipMatchesCidr('2001:db8::1', '10.0.0.0/8')).toBe(false);
    expect(ipMatchesCidr('10.1.2.3', '10.0.0.0/33')).toBe(false);
  });
});
