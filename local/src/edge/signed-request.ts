import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { ipMatchesCidr } from './cidr.ts';

/**
 * CloudFront's check of signed URLs and signed cookies (trusted key groups): canned policy (`Expires`) or
 * custom policy (`Policy`), CloudFront's URL-safe base64 (`-`→`+`, `_`→`=`, `~`→`/`), RSA-SHA1 unless
 * `Hash-Algorithm=SHA256`, then Resource glob, DateLessThan, DateGreaterThan and IpAddress. A signed URL wins
 * over signed cookies when a request carries both, as in CloudFront.
 */
export type SignedRefusal =
  | 'signature_missing'
  | 'signature_unknown_key'
  | 'signature_malformed'
  | 'signature_invalid'
  | 'signature_expired'
  | 'signature_not_yet_valid'
  | 'signature_ip'
  | 'signature_resource';

export type SignedCheck =
  | { ok: true; via: 'url' | 'cookie'; keyPairId: string }
  | { ok: false; reason: SignedRefusal };

export interface SignedRequest {
  /** `<scheme>://<host><path>[?<query without the signing parameters>]`, the string a Resource is matched against. */
  resourceUrl: string;
  /** Raw query parameters as the viewer sent them. */
  query: Record<string, string>;
  cookies: Record<string, string>;
  viewerIp: string;
  nowSeconds: number;
}

/** Query parameters CloudFront consumes and strips before the cache key and the origin. */
export const SIGNING_QUERY_PARAMETERS = [
  'Expires',
  'Policy',
  'Signature',
  'Key-Pair-Id',
  'Hash-Algorithm',
] as const;

interface SigningMaterial {
  via: 'url' | 'cookie';
  keyPairId?: string | undefined;
  signature?: string | undefined;
  expires?: string | undefined;
  policy?: string | undefined;
  hashAlgorithm?: string | undefined;
}

interface PolicyStatement {
  resource: string | undefined;
  dateLessThan: number;
  dateGreaterThan: number | undefined;
  sourceIp: string | undefined;
}

function fromCloudFrontBase64(value: string): Buffer {
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
}

function material(request: SignedRequest): SigningMaterial {
  const q = request.query;
  if (
    q.Signature !== undefined ||
    q['Key-Pair-Id'] !== undefined ||
    q.Policy !== undefined ||
    q.Expires !== undefined
  ) {
    return {
      via: 'url',
      keyPairId: q['Key-Pair-Id'],
      signature: q.Signature,
      expires: q.Expires,
      policy: q.Policy,
      hashAlgorithm: q['Hash-Algorithm'],
    };
  }
  const c = request.cookies;
  return {
    via: 'cookie',
    keyPairId: c['CloudFront-Key-Pair-Id'],
    signature: c['CloudFront-Signature'],
    expires: c['CloudFront-Expires'],
    policy: c['CloudFront-Policy'],
    hashAlgorithm: c['CloudFront-Hash-Algorithm'],
  };
}

function cannedPolicy(resourceUrl: string, expires: string): string | undefined {
  if (!/^[0-9]{1,12}$/.test(expires)) return undefined;
  return JSON.stringify({
    Statement: [{ Resource: resourceUrl, Condition: { DateLessThan: { 'AWS:EpochTime': Number(expires) } } }],
  });
}

function epoch(condition: unknown): number | undefined {
  const value = (condition as Record<string, unknown> | undefined)?.['AWS:EpochTime'];
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function parsePolicy(json: string): PolicyStatement | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  const statements = (parsed as { Statement?: unknown })?.Statement;
  if (!Array.isArray(statements) || statements.length !== 1) return undefined;
  const statement = statements[0] as { Resource?: unknown; Condition?: Record<string, unknown> };
  const condition = statement?.Condition;
  if (!condition || typeof condition !== 'object') return undefined;
  const dateLessThan = epoch(condition.DateLessThan);
  if (dateLessThan === undefined) return undefined;
  const resource = statement.Resource;
  if (resource !== undefined && typeof resource !== 'string') return undefined;
  const sourceIp = (condition.IpAddress as Record<string, unknown> | undefined)?.['AWS:SourceIp'];
  if (sourceIp !== undefined && typeof sourceIp !== 'string') return undefined;
  const dateGreaterThan =
    condition.DateGreaterThan === undefined ? undefined : epoch(condition.DateGreaterThan);
  if (condition.DateGreaterThan !== undefined && dateGreaterThan === undefined) return undefined;
  return { resource, dateLessThan, dateGreaterThan, sourceIp };
}

const globCache = new Map<string, RegExp>();

/** CloudFront Resource wildcards: `*` any run of characters (including none), `?` exactly one. */
export function resourceMatches(pattern: string, url: string): boolean {
  let regex = globCache.get(pattern);
  if (!regex) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    regex = new RegExp(`^${body}$`, 's');
    if (globCache.size > 1000) globCache.clear();
    globCache.set(pattern, regex);
  }
  return regex.test(url);
}

export class SignedRequestVerifier {
  readonly #keys = new Map<string, KeyObject>();
  // An RSA verify costs ~50 µs and a reader sends the same cookies with every asset request. The result is a
  // pure function of (key, algorithm, policy, signature) and the key set never changes, so a successful
  // verification is remembered; only valid signatures enter, so viewers cannot grow it with garbage.
  readonly #verified = new LRUCache<string, PolicyStatement>({ max: 10_000 });

  /** `trustedKeys`: key pair id (public key id) → PEM public key; each key is parsed once. */
  constructor(trustedKeys: Record<string, string>) {
    for (const [id, pem] of Object.entries(trustedKeys)) this.#keys.set(id, createPublicKey(pem));
  }

  verify(request: SignedRequest): SignedCheck {
    const m = material(request);
    if (!m.keyPairId) return { ok: false, reason: 'signature_missing' };
    const key = this.#keys.get(m.keyPairId);
    if (!key) return { ok: false, reason: 'signature_unknown_key' };
    if (!m.signature) return { ok: false, reason: 'signature_missing' };
    const hash = m.hashAlgorithm ?? 'SHA1';
    if (hash !== 'SHA1' && hash !== 'SHA256') return { ok: false, reason: 'signature_malformed' };
    const policy = this.#verifiedPolicy(m, key, hash, request.resourceUrl);
    if (typeof policy === 'string') return { ok: false, reason: policy };
    const refusal = this.#conditions(policy, request);
    return refusal ? { ok: false, reason: refusal } : { ok: true, via: m.via, keyPairId: m.keyPairId };
  }

  /** The signed policy statement, or why there is none; successful results are memoised (see #verified). */
  #verifiedPolicy(m: SigningMaterial, key: KeyObject, hash: string, resourceUrl: string) {
    const policyJson =
      m.policy === undefined && m.expires !== undefined ? cannedPolicy(resourceUrl, m.expires) : undefined;
    if (m.policy === undefined && policyJson === undefined) return 'signature_malformed' as const;
    const memo = `${m.keyPairId}\n${hash}\n${m.signature}\n${m.policy ?? policyJson}`;
    const known = this.#verified.get(memo);
    if (known) return known;
    const json = policyJson ?? fromCloudFrontBase64(m.policy as string).toString('utf8');
    const signature = fromCloudFrontBase64(m.signature as string);
    if (!verify(`RSA-${hash}`, Buffer.from(json, 'utf8'), key, signature))
      return 'signature_invalid' as const;
    const statement = parsePolicy(json);
    if (!statement) return 'signature_malformed' as const;
    this.#verified.set(memo, statement);
    return statement;
  }

  #conditions(policy: PolicyStatement, request: SignedRequest): SignedRefusal | undefined {
    if (policy.resource !== undefined && !resourceMatches(policy.resource, request.resourceUrl)) {
      return 'signature_resource';
    }
    if (request.nowSeconds >= policy.dateLessThan) return 'signature_expired';
    if (policy.dateGreaterThan !== undefined && request.nowSeconds < policy.dateGreaterThan) {
      return 'signature_not_yet_valid';
    }
    if (policy.sourceIp !== undefined && !ipMatchesCidr(request.viewerIp, policy.sourceIp))
      return 'signature_ip';
    return undefined;
  }
}
