import type { IncomingHttpHeaders } from 'node:http';
import { assertContentKey, type ByteRange, type ContentObject, type ContentStore } from '@boundless/delivery';
import type { CacheResult, DetailedCacheResult, EdgeCache } from './edge-cache.ts';
import {
  buildViewerRequestEvent,
  type CfResponse,
  type CfValueMap,
  parseCookieHeader,
  parseQueryString,
  serializeQueryString,
} from './function-event.ts';
import type { KeyValueReader, ViewerRequestFunction } from './function-runner.ts';
import { parseRangeHeader } from './http-range.ts';
import { SIGNING_QUERY_PARAMETERS, type SignedRequestVerifier } from './signed-request.ts';
import type { WafVerdict } from '../waf/web-acl.ts';
import {
  type EdgeFaultHooks,
  inflate,
  OriginFailure,
  type RequestFaults,
  requestFaults,
} from './edge-faults.ts';

type EdgeResultType = CacheResult | 'Error' | 'FunctionGeneratedResponse';

export interface ViewerRequest {
  method: string;
  /** Raw path as sent, without the query string. */
  path: string;
  rawQuery: string;
  headers: NodeJS.Dict<string[]> | IncomingHttpHeaders;
  host: string;
  protocol: 'http' | 'https';
  viewerIp: string;
  requestId: string;
}

export interface EdgeResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  result: EdgeResultType;
  detailed: DetailedCacheResult | EdgeResultType | string;
  /** Reason code when access was refused (signed URL/cookie check or the viewer-request function). */
  refused?: string;
  range?: ByteRange;
  contentLength: number;
  functionCostNs?: number;
  /** Time spent waiting on the origin (or Origin Shield) for this request, in ms; absent when not asked. */
  originMs?: number;
}

export interface EdgePipeline {
  verifier: SignedRequestVerifier;
  fn: ViewerRequestFunction;
  /** The KeyValueStore the function reads (its view under a missing-key fault is per request). */
  keyStore: KeyValueReader;
  cache: EdgeCache;
  origin: ContentStore;
  clock: () => number;
  distributionId: string;
  distributionDomainName: string;
  /** Paths that need a signed URL or signed cookies (the cache behaviour with trusted key groups). */
  protectedPrefixes: readonly string[];
  /** The distribution's web ACL (AWS WAF), evaluated before anything else; none when absent. */
  webAcl?: { evaluate(ip: string, nowMs: number): WafVerdict };
  /**
   * Injected faults (edge-faults.ts): their plan is asked once per request, once it passes the signed check, and
   * that request's key store, cache, origin and response size follow it.
   */
  faults?: EdgeFaultHooks;
}

const SIGNING = new Set<string>(SIGNING_QUERY_PARAMETERS);

function first(headers: ViewerRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function withoutSigning(query: CfValueMap): CfValueMap {
  return Object.fromEntries(Object.entries(query).filter(([name]) => !SIGNING.has(name)));
}

function cloudFrontError(
  status: number,
  code: string,
  message: string,
  result: Partial<EdgeResponse>,
): EdgeResponse {
  const body = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  );
  return {
    status,
    headers: { 'content-type': 'text/xml', 'cache-control': 'no-store' },
    body,
    result: 'Error',
    detailed: 'Error',
    contentLength: body.length,
    ...result,
  };
}

function functionResponse(response: CfResponse, costNs: number): EdgeResponse {
  const headers: Record<string, string> = {};
  for (const [name, entry] of Object.entries(response.headers ?? {})) headers[name] = entry.value;
  const raw = response.body;
  const body =
    raw === undefined
      ? Buffer.alloc(0)
      : typeof raw === 'string'
        ? Buffer.from(raw)
        : Buffer.from(raw.data, raw.encoding === 'base64' ? 'base64' : 'utf8');
  return {
    status: response.statusCode,
    headers,
    body,
    result: 'FunctionGeneratedResponse',
    detailed: 'FunctionGeneratedResponse',
    contentLength: body.length,
    functionCostNs: costNs,
    ...(headers['x-bb-refused'] ? { refused: headers['x-bb-refused'] } : {}),
  };
}

function signedCheck(p: EdgePipeline, req: ViewerRequest, query: CfValueMap): EdgeResponse | undefined {
  if (!p.protectedPrefixes.some((prefix) => req.path.startsWith(prefix))) return undefined;
  const rest = serializeQueryString(withoutSigning(query));
  const check = p.verifier.verify({
    resourceUrl: `${req.protocol}://${req.host}${req.path}${rest ? `?${rest}` : ''}`,
    query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v.value])),
    cookies: Object.fromEntries(
      Object.entries(parseCookieHeader(cookieHeaderOf(req))).map(([k, v]) => [k, v.value]),
    ),
    viewerIp: req.viewerIp,
    nowSeconds: Math.floor(p.clock() / 1000),
  });
  if (check.ok) return undefined;
  const [code, message] =
    check.reason === 'signature_missing'
      ? ['MissingKey', 'Missing Key-Pair-Id query parameter or cookie value']
      : ['AccessDenied', 'Access denied'];
  return cloudFrontError(403, code, message, {
    refused: check.reason,
    headers: refusedHeaders(check.reason),
  });
}

function refusedHeaders(reason: string): Record<string, string> {
  return { 'content-type': 'text/xml', 'cache-control': 'no-store', 'x-bb-refused': reason };
}

function cookieHeaderOf(req: ViewerRequest): string | undefined {
  const cookie = req.headers.cookie;
  return Array.isArray(cookie) ? cookie.join('; ') : cookie;
}

function eventInput(req: ViewerRequest) {
  return {
    method: req.method,
    uri: req.path,
    rawQuery: req.rawQuery,
    headers: req.headers,
    cookieHeader: cookieHeaderOf(req),
    viewerIp: req.viewerIp,
    requestId: req.requestId,
  };
}

/** One viewer request through the edge, in CloudFront's order: signed check, function, cache, origin. */
export async function handleViewerRequest(p: EdgePipeline, req: ViewerRequest): Promise<EdgeResponse> {
  const verdict = p.webAcl?.evaluate(req.viewerIp, p.clock());
  if (verdict?.blocked) {
    // AWS WAF's default block: 403 before the request reaches the signed check, the function or the cache.
    return cloudFrontError(403, 'RequestBlocked', 'Request blocked', {
      refused: verdict.kind === 'rate_limit' ? 'waf_rate_limited' : 'waf_blocked',
      headers: refusedHeaders(verdict.kind === 'rate_limit' ? 'waf_rate_limited' : 'waf_blocked'),
    });
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return cloudFrontError(403, 'MethodNotAllowed', 'This distribution only allows GET and HEAD', {
      detailed: 'InvalidRequestMethod',
    });
  }
  if (!req.path.startsWith('/')) {
    return cloudFrontError(400, 'InvalidRequest', 'The request target must be a path', {
      detailed: 'InvalidRequest',
    });
  }
  const query = parseQueryString(req.rawQuery);
  const refusal = signedCheck(p, req, query);
  if (refusal) return refusal;
  const faults = requestFaults(p.faults, p.clock());
  const event = buildViewerRequestEvent({
    ...eventInput(req),
    distributionId: p.distributionId,
    distributionDomainName: p.distributionDomainName,
  });
  const outcome = await p.fn.invoke(event, faults?.keyStore(p.keyStore));
  if (outcome.kind === 'error') {
    return cloudFrontError(503, 'FunctionError', 'The CloudFront function failed', {
      detailed: outcome.code,
      functionCostNs: outcome.costNs,
    });
  }
  if (outcome.kind === 'response') return functionResponse(outcome.response, outcome.costNs);
  const forwarded = serializeQueryString(withoutSigning(outcome.request.querystring));
  const served = await serveFromCache(p, req, outcome.request.uri, forwarded, faults);
  return { ...served, functionCostNs: outcome.costNs };
}

async function serveFromCache(
  p: EdgePipeline,
  req: ViewerRequest,
  uri: string,
  query: string,
  faults: RequestFaults | undefined,
) {
  let key: string;
  try {
    key = decodeURIComponent(uri.slice(1));
    assertContentKey(key);
  } catch {
    return cloudFrontError(400, 'InvalidRequest', 'The request path is not a valid object key', {
      detailed: 'InvalidRequest',
    });
  }
  const cacheKey = query ? `${uri}?${query}` : uri;
  if (faults?.bypassCache()) p.cache.invalidate(cacheKey);
  const origin = faults ? faults.origin(p.origin) : p.origin;
  let originMs: number | undefined;
  const timed = async <T>(call: () => Promise<T>): Promise<T> => {
    const started = p.clock();
    try {
      return await call();
    } finally {
      originMs = (originMs ?? 0) + (p.clock() - started);
    }
  };
  let lookup: Awaited<ReturnType<EdgeCache['lookup']>>;
  try {
    lookup = await p.cache.lookup(cacheKey, {
      fetch: () => timed(() => origin.get(key)),
      revalidate: (_k, etag) =>
        timed(async () => ((await origin.head(key))?.etag === etag ? 'unchanged' : 'changed')),
    });
  } catch (error) {
    // CloudFront's own names for an origin it could not reach or that did not answer in time.
    const timeout = error instanceof OriginFailure && error.failure === 'timeout';
    return cloudFrontError(
      timeout ? 504 : 502,
      timeout ? 'OriginReadTimeout' : 'OriginConnectError',
      'The origin could not be read',
      {
        detailed: timeout ? 'OriginReadTimeout' : 'OriginConnectError',
        ...(originMs !== undefined ? { originMs } : {}),
      },
    );
  }
  if (!lookup.object) {
    return cloudFrontError(404, 'NoSuchKey', 'The specified key does not exist.', { result: 'Error' });
  }
  const factor = faults?.bytesFactor() ?? 1;
  const object = factor > 1 ? inflate(lookup.object, factor) : lookup.object;
  const answered = objectResponse(req, object, lookup.result, lookup.detailed, lookup.ageSeconds);
  return originMs === undefined ? answered : { ...answered, originMs };
}

function objectResponse(
  req: ViewerRequest,
  object: ContentObject,
  result: CacheResult,
  detailed: DetailedCacheResult,
  age: number,
): EdgeResponse {
  const headers: Record<string, string> = {
    'content-type': object.contentType,
    etag: object.etag,
    'last-modified': object.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
  };
  if (result !== 'Miss') headers.age = String(age);
  const range = parseRangeHeader(first(req.headers, 'range'), object.size);
  if (range.kind === 'unsatisfiable') {
    return cloudFrontError(416, 'InvalidRange', 'The requested range is not satisfiable', {
      headers: { 'content-range': `bytes */${object.size}`, 'content-type': 'text/xml' },
      detailed: 'Error',
    });
  }
  const span = range.kind === 'range' ? range.range : undefined;
  const body = span ? object.body.subarray(span.start, span.end + 1) : object.body;
  if (span) headers['content-range'] = `bytes ${span.start}-${span.end}/${object.size}`;
  return {
    status: span ? 206 : 200,
    headers,
    body: req.method === 'HEAD' ? Buffer.alloc(0) : body,
    contentLength: body.length,
    result,
    detailed,
    ...(span ? { range: span } : {}),
  };
}
