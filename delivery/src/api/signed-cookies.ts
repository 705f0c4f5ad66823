import { createPrivateKey, type KeyObject } from 'node:crypto';
import { getSignedCookies } from '@aws-sdk/cloudfront-signer';
import { LRUCache } from 'lru-cache';

const COOKIE_NAMES = ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id'] as const;
type SignedCookies = Record<(typeof COOKIE_NAMES)[number], string>;

export interface CookieSignerOptions {
  keyPairId: string;
  privateKeyPem: string;
  /** The distribution's origin; policies cover `<edgeBaseUrl><scope>*`. */
  edgeBaseUrl: string;
  cookieDomain?: string;
}

export interface CookieSigner {
  sign(scope: string, expiresAt: number): { cookies: SignedCookies; setCookie: string[] };
}

/**
 * Signed cookies for a title's whole prefix (one custom policy: resource wildcard + DateLessThan), so RSA
 * signing happens once per session rather than once per asset. The policy names no user, and PKCS#1 v1.5
 * signatures are deterministic, so every session of one title expiring in the same second carries the very
 * same cookies: they are cached, and the private key is parsed once (PEM parsing costs more than signing).
 */
export function createCookieSigner(options: CookieSignerOptions): CookieSigner {
  // The signer hands the key to node's Sign.sign, which takes a KeyObject as readily as PEM text.
  const privateKey = createPrivateKey(options.privateKeyPem) as KeyObject & string;
  const cache = new LRUCache<string, SignedCookies>({ max: 5000 });
  const secure = options.edgeBaseUrl.startsWith('https:');

  const signPolicy = (scope: string, expiresAt: number): SignedCookies => {
    const key = `${scope}|${expiresAt}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const policy = JSON.stringify({
      Statement: [
        {
          Resource: `${options.edgeBaseUrl}${scope}*`,
          Condition: { DateLessThan: { 'AWS:EpochTime': expiresAt } },
        },
      ],
    });
    const signed = getSignedCookies({ policy, keyPairId: options.keyPairId, privateKey });
    const cookies: SignedCookies = {
      'CloudFront-Policy': signed['CloudFront-Policy'] ?? '',
      'CloudFront-Signature': signed['CloudFront-Signature'],
      'CloudFront-Key-Pair-Id': signed['CloudFront-Key-Pair-Id'],
    };
    cache.set(key, cookies);
    return cookies;
  };

  return {
    sign(scope, expiresAt) {
      const cookies = signPolicy(scope, expiresAt);
      const attributes = [
        `Path=${scope}`,
        `Expires=${new Date(expiresAt * 1000).toUTCString()}`,
        'HttpOnly',
        ...(secure ? ['Secure', 'SameSite=None'] : ['SameSite=Lax']),
        ...(options.cookieDomain ? [`Domain=${options.cookieDomain}`] : []),
      ].join('; ');
      return { cookies, setCookie: COOKIE_NAMES.map((name) => `${name}=${cookies[name]}; ${attributes}`) };
    },
  };
}
