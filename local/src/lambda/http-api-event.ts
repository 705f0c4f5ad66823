import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

/**
 * API Gateway HTTP API, payload format 2.0, as pure functions: route selection, the event a Lambda integration
 * receives, and how its result becomes an HTTP response. The adapter only moves bytes.
 */
export interface RouteDefinition {
  /** `METHOD /path/{param}/{greedy+}`, `ANY /path`, or `$default`. */
  routeKey: string;
}

interface CompiledRoute<R> {
  route: R;
  method: string;
  segments: string[];
  literalCount: number;
}

export interface RouteMatch<R> {
  route: R;
  pathParameters: Record<string, string>;
}

class RouteKeyError extends Error {
  constructor(routeKey: string) {
    super(`route key "${routeKey}" must look like "GET /path/{id}", "ANY /path" or "$default"`);
    this.name = 'RouteKeyError';
  }
}

/** Selects routes as HTTP API does: the most specific path wins, exact method before ANY, `$default` last. */
export class RouteTable<R extends RouteDefinition> {
  private readonly compiled: CompiledRoute<R>[] = [];
  private fallback: R | undefined;

  constructor(routes: readonly R[]) {
    for (const route of routes) {
      if (route.routeKey === '$default') {
        this.fallback = route;
        continue;
      }
      const match = /^([A-Z]+) (\/\S*)$/.exec(route.routeKey);
      if (!match) throw new RouteKeyError(route.routeKey);
      const segments = splitPath(match[2] ?? '/');
      const literalCount = segments.filter((segment) => !segment.startsWith('{')).length;
      this.compiled.push({ route, method: match[1] ?? 'ANY', segments, literalCount });
    }
    this.compiled.sort(
      (a, b) =>
        b.literalCount - a.literalCount ||
        Number(isGreedy(a.segments)) - Number(isGreedy(b.segments)) ||
        Number(a.method === 'ANY') - Number(b.method === 'ANY'),
    );
  }

  match(method: string, path: string): RouteMatch<R> | undefined {
    const requested = splitPath(path);
    for (const candidate of this.compiled) {
      if (candidate.method !== 'ANY' && candidate.method !== method) continue;
      const pathParameters = matchSegments(candidate.segments, requested);
      if (pathParameters) return { route: candidate.route, pathParameters };
    }
    return this.fallback ? { route: this.fallback, pathParameters: {} } : undefined;
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function isGreedy(segments: string[]): boolean {
  return segments.at(-1)?.endsWith('+}') ?? false;
}

function matchSegments(pattern: string[], requested: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index += 1) {
    const expected = pattern[index] ?? '';
    if (expected.endsWith('+}')) {
      const rest = requested.slice(index);
      if (rest.length === 0) return undefined;
      parameters[expected.slice(1, -2)] = rest.map(decodeURIComponent).join('/');
      return parameters;
    }
    const actual = requested[index];
    if (actual === undefined) return undefined;
    if (expected.startsWith('{')) parameters[expected.slice(1, -1)] = decodeURIComponent(actual);
    else if (expected !== actual) return undefined;
  }
  return pattern.length === requested.length ? parameters : undefined;
}

export interface HttpRequestFacts {
  method: string;
  /** The request target as received, e.g. `/v1/access?x=1`. */
  url: string;
  /** Raw header pairs as node gives them in `rawHeaders`. */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  requestId: string;
  timeEpoch: number;
  domainName: string;
  routeKey: string;
  pathParameters: Record<string, string>;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

export function buildHttpApiEvent(request: HttpRequestFacts): APIGatewayProxyEventV2 {
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart < 0 ? '' : request.url.slice(queryStart + 1);
  const { headers, cookies } = foldHeaders(request.rawHeaders);
  const query = foldQuery(rawQueryString);
  const contentType = headers['content-type'] ?? '';
  const hasBody = request.body.length > 0;
  const isBase64Encoded = hasBody && !TEXT_TYPES.test(contentType);
  return {
    version: '2.0',
    routeKey: request.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(request.pathParameters).length > 0 ? { pathParameters: request.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: request.domainName,
      domainPrefix: request.domainName.split('.')[0] ?? request.domainName,
      http: {
        method: request.method,
        path: decodeURIComponent(rawPath),
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId,
      routeKey: request.routeKey,
      stage: '$default',
      time: clfTime(request.timeEpoch),
      timeEpoch: request.timeEpoch,
    },
    ...(hasBody ? { body: request.body.toString(isBase64Encoded ? 'base64' : 'utf8') } : {}),
    isBase64Encoded,
  };
}

/** Header names lower-cased, repeated headers comma-joined; cookies move to their own array as in 2.0. */
function foldHeaders(rawHeaders: string[]): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] ?? '').toLowerCase();
    const value = rawHeaders[index + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter((cookie) => cookie !== ''),
      );
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return { headers, cookies };
}

function foldQuery(rawQueryString: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  }
  return query;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, the requestContext.time format. */
function clfTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

export interface HttpResponseParts {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/** A 2.0 result: a structured response, or anything else which HTTP API serves as a 200 JSON body. */
export function toHttpResponse(result: APIGatewayProxyResultV2): HttpResponseParts {
  if (typeof result === 'object' && result !== null && typeof result.statusCode === 'number') {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {}))
      headers[name.toLowerCase()] = String(value);
    const body = result.body ?? '';
    return {
      statusCode: result.statusCode,
      headers,
      cookies: result.cookies ?? [],
      body: Buffer.from(body, result.isBase64Encoded ? 'base64' : 'utf8'),
    };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(body),
  };
}

export function jsonError(statusCode: number, message: string): HttpResponseParts {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message })),
  };
}
