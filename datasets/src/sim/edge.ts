import { type CloudFrontLogRecord, cloudFrontLogTimestamp } from '@boundless/delivery';
import type { Catalog } from './catalog.ts';
import { countryProfile } from './networks.ts';
import { RANGE_CHUNK, type SimulatedRequest } from './request.ts';
import { type Rng, stableHash } from './rng.ts';

const DISTRIBUTION_HOST = 'd2q8b7n5k4m3xa.cloudfront.net';
const VIEWER_HOST = 'media.boundless.example';

/** Why the viewer-request function refused a request (the edge answers 403 for all of them). */
export type Refusal = 'missing_token' | 'expired' | 'device_mismatch' | 'out_of_scope';

const ASSET_TTL_MS = 24 * 3_600_000;
const PAGE_TTL_MS = 5 * 60_000;

/**
 * The edge as the logs see it: the viewer-request function's token checks (DESIGN §4.1), a per-location cache
 * whose key ignores `bbt` but not other query strings, and origin fetches on misses. It is stateful only in its
 * cache, which is bounded by catalog size times edge locations.
 */
export class EdgeModel {
  /** Per edge location: object path -> expiry of the cached copy. */
  private readonly cache = new Map<string, Map<string, number>>();
  private readonly edges = new Map<string, string>();
  private readonly requestId = Buffer.alloc(40);
  private second = -1;
  private stamp = { date: '', time: '' };

  constructor(
    private readonly rng: Rng,
    private readonly catalog: Catalog,
  ) {}

  /** The refusal the viewer-request function would return, if any. */
  static refusal(request: SimulatedRequest): Refusal | undefined {
    if (!request.path.startsWith('/titles/')) return undefined;
    const token = request.token;
    if (!token) return 'missing_token';
    if (token.exp * 1000 <= request.time) return 'expired';
    // Same account, so equal device ids is equal device hashes: no SHA-256 per request.
    if (request.deviceId !== token.grant.deviceId) return 'device_mismatch';
    if (!request.path.startsWith(token.scope)) return 'out_of_scope';
    return undefined;
  }

  serve(request: SimulatedRequest): CloudFrontLogRecord {
    const rng = this.rng;
    let edge = this.edges.get(request.ip);
    if (edge === undefined) {
      edge = edgeFor(request);
      this.edges.set(request.ip, edge);
    }
    const object = this.catalog.objectAt(request.path);
    const size = object?.size;
    let status = 200;
    let result = 'Miss';
    let bodyBytes = size ?? 0;
    let originMs = 0;
    let rangeStart: number | undefined;
    let rangeEnd: number | undefined;
    if (EdgeModel.refusal(request)) {
      status = 403;
      result = 'FunctionGeneratedResponse';
      bodyBytes = 0;
    } else if (size === undefined) {
      status = 404;
      result = 'Error';
      originMs = rng.between(20, 90);
    } else {
      result = this.lookup(edge, request);
      if (result !== 'Hit') originMs = rng.between(result === 'Miss' ? 40 : 15, result === 'Miss' ? 260 : 80);
      if (request.conditional && result !== 'Miss') {
        status = 304;
        bodyBytes = 0;
      } else if (request.rangeStart !== undefined && request.rangeStart < size) {
        status = 206;
        rangeStart = request.rangeStart;
        rangeEnd = Math.min(size, request.rangeStart + RANGE_CHUNK) - 1;
        bodyBytes = rangeEnd - rangeStart + 1;
      }
    }
    const headerBytes = status === 403 ? 410 + rng.int(0, 40) : 380 + rng.int(0, 120);
    const ttfb = (status === 403 ? rng.between(0.3, 1.6) : rng.between(1, 9) + originMs) / 1000;
    const transfer = bodyBytes / (rng.logNormal(4_000_000, 0.7) + 1);
    const second = Math.floor(request.time / 1000);
    if (second !== this.second) {
      this.second = second;
      this.stamp = cloudFrontLogTimestamp(request.time);
    }
    const { date, time } = this.stamp;
    const query = request.token
      ? request.query
        ? `bbt=${request.token.bbt}&${request.query}`
        : `bbt=${request.token.bbt}`
      : request.query;
    const contentType =
      status === 403
        ? 'text/plain'
        : status === 404
          ? 'application/xml'
          : status === 304
            ? undefined
            : object?.contentType;
    return {
      date,
      time,
      'x-edge-location': edge,
      'sc-bytes': headerBytes + bodyBytes + (status === 403 ? 9 : 0),
      'c-ip': request.ip,
      'cs-method': 'GET',
      'cs(Host)': DISTRIBUTION_HOST,
      'cs-uri-stem': request.path,
      'sc-status': status,
      'cs(Referer)': request.referer,
      'cs(User-Agent)': request.userAgent,
      'cs-uri-query': query,
      'x-edge-result-type': result,
      'x-edge-request-id': this.nextRequestId(),
      'x-host-header': VIEWER_HOST,
      'cs-protocol': 'https',
      'cs-bytes': 180 + request.path.length + (query?.length ?? 0) + request.userAgent.length,
      'time-taken': seconds3(ttfb + transfer),
      'ssl-protocol': 'TLSv1.3',
      'ssl-cipher': 'TLS_AES_128_GCM_SHA256',
      'x-edge-response-result-type': result,
      'cs-protocol-version': 'HTTP/2.0',
      'c-port': request.port,
      'time-to-first-byte': seconds3(ttfb),
      'x-edge-detailed-result-type': status === 404 ? 'Error' : result,
      'sc-content-type': contentType,
      'sc-content-len': status === 403 ? 9 : status === 304 ? undefined : bodyBytes,
      'sc-range-start': rangeStart,
      'sc-range-end': rangeEnd,
    };
  }

  /** 40 random bytes in base64url with padding: the shape of CloudFront's request ids. */
  private nextRequestId(): string {
    for (let i = 0; i < 40; i += 4) this.requestId.writeUInt32LE(this.rng.uint32(), i);
    return `${this.requestId.toString('base64url')}==`;
  }

  private lookup(edge: string, request: SimulatedRequest): 'Hit' | 'Miss' | 'RefreshHit' {
    // Cache busters make every key unique; storing them would only grow the map.
    if (request.query) return 'Miss';
    // The health page is served with no-store: every probe goes to the origin.
    if (request.path === '/public/health') return 'Miss';
    const ttl = request.path.startsWith('/titles/') ? ASSET_TTL_MS : PAGE_TTL_MS;
    let cache = this.cache.get(edge);
    if (!cache) {
      cache = new Map();
      this.cache.set(edge, cache);
    }
    const expiry = cache.get(request.path);
    cache.set(request.path, request.time + ttl);
    if (expiry === undefined) return 'Miss';
    return request.time < expiry ? 'Hit' : 'RefreshHit';
  }
}

/** Viewers land on an edge location of their own region; one address always lands on the same one. */
function edgeFor(request: SimulatedRequest): string {
  let edges: readonly string[];
  try {
    edges = countryProfile(request.country).edges;
  } catch {
    edges = ['IAD89-C1'];
  }
  return edges[stableHash(request.ip) % edges.length]!;
}

const MILLIS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Seconds with three decimals, as `time-taken` prints them (toFixed is slow on this hot path). */
function seconds3(value: number): string {
  const ms = Math.round(value * 1000);
  return `${Math.floor(ms / 1000)}.${MILLIS[ms % 1000]}`;
}
