import { getSignedCookies } from '@aws-sdk/cloudfront-signer';

export const COOKIE_NAMES = ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id'] as const;
export type SignedCookies = Record<(typeof COOKIE_NAMES)[number], string>;

export interface CookieGrant {
  edgeBaseUrl: string;
  /** Path prefix, e.g. `/titles/t-001/`. */
  scope: string;
  expiresAt: number;
  keyPairId: string;
  privateKeyPem: string;
  cookieDomain?: string;
}

/**
 * One custom policy covering the title's whole prefix: RSA signing costs about a millisecond, so it happens
 * once per session here rather than once per asset URL.
 */
export function signTitleCookies(grant: CookieGrant): { cookies: SignedCookies; setCookie: string[] } {
  const policy = JSON.stringify({
    Statement: [
      {
        Resource: `${grant.edgeBaseUrl}${grant.scope}*`,
        Condition: { DateLessThan: { 'AWS:EpochTime': grant.expiresAt } },
      },
    ],
  });
  const signed = getSignedCookies({ policy, keyPairId: grant.keyPairId, privateKey: grant.privateKeyPem });
  const cookies: SignedCookies = {
    'CloudFront-Policy': signed['CloudFront-Policy'] ?? '',
    'CloudFront-Signature': signed['CloudFront-Signature'],
    'CloudFront-Key-Pair-Id': signed['CloudFront-Key-Pair-Id'],
  };
  const secure = grant.edgeBaseUrl.startsWith('https:');
  const attributes = [
    `Path=${grant.scope}`,
    `Expires=${new Date(grant.expiresAt * 1000).toUTCString()}`,
    'HttpOnly',
    ...(secure ? ['Secure', 'SameSite=None'] : ['SameSite=Lax']),
    ...(grant.cookieDomain ? [`Domain=${grant.cookieDomain}`] : []),
  ].join('; ');
  const setCookie = COOKIE_NAMES.map((name) => `${name}=${cookies[name]}; ${attributes}`);
  return { cookies, setCookie };
}
