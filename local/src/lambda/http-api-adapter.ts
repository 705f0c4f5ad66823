import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import {
  buildHttpApiEvent,
  type HttpResponseParts,
  jsonError,
  type RouteDefinition,
  RouteTable,
  toHttpResponse,
} from './http-api-event.ts';
import { ApiThrottling, type ThrottlingSettings } from './api-throttling.ts';
import { LambdaEmulatorError, TooManyRequestsError } from './lambda-emulator.ts';
import { randomBase64 } from './random-ids.ts';
import { BodyTooLargeError, readBody } from '../http-body.ts';

/**
 * A local API Gateway HTTP API: node:http in, payload 2.0 events out to an integration (the Lambda emulator),
 * results mapped back. Malformed requests get JSON errors; nothing a client sends can crash it.
 */
type Integration<R> = (route: R, event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;

export interface HttpApiOptions<R extends RouteDefinition> {
  routes: readonly R[];
  integrate: Integration<R>;
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Larger bodies are refused with 413, as API Gateway and Lambda refuse payloads over their limits. @default 6 MiB */
  maxBodyBytes?: number;
  clock?: () => number;
  /** Stage and per-route throttling (API Gateway's token buckets); none by default. */
  throttling?: ThrottlingSettings;
  /** One record per routed request, as API Gateway's JSON access log format writes it. */
  accessLog?: (record: ApiAccessRecord) => void;
}

/** API Gateway `$context` variables of an access log line (infra sets the same JSON format). */
export interface ApiAccessRecord {
  requestId: string;
  ip: string;
  requestTimeEpoch: number;
  httpMethod: string;
  routeKey: string;
  path: string;
  status: number;
  protocol: string;
  responseLength: number;
  /** Milliseconds from request to response, integration included. */
  responseLatency: number;
  /** Milliseconds the integration (the function) took; absent when none ran (throttled, not found). */
  integrationLatency?: number;
  /** `TooManyRequestsException` when the stage's throttling refused the request. */
  errorType?: string;
}

export interface HttpApi {
  readonly url: string;
  readonly port: number;
  /** The stage's throttling, changeable while running. */
  readonly throttling: ApiThrottling;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 6 * 1024 * 1024;

export async function startHttpApi<R extends RouteDefinition>(options: HttpApiOptions<R>): Promise<HttpApi> {
  const table = new RouteTable(options.routes);
  const clock = options.clock ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const throttling = new ApiThrottling(options.throttling);
  const server = createServer((request, response) => {
    handle(request, response).catch(() => send(response, jsonError(500, 'Internal Server Error'), ''));
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) {
      socket.end(
        'HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"message":"Bad Request"}',
      );
    } else socket.destroy();
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomBase64(10);
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    let body: Buffer;
    try {
      body = await readBody(request, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        response.setHeader('connection', 'close');
        return send(response, jsonError(413, 'Request Entity Too Large'), requestId);
      }
      return send(response, jsonError(400, 'Bad Request'), requestId);
    }
    let event: APIGatewayProxyEventV2;
    let match: ReturnType<RouteTable<R>['match']>;
    try {
      match = table.match(method, url.split('?')[0] ?? '/');
      if (!match) return send(response, jsonError(404, 'Not Found'), requestId);
      event = buildHttpApiEvent({
        method,
        url,
        rawHeaders: request.rawHeaders,
        body,
        sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        requestId,
        timeEpoch: clock(),
        domainName: request.headers.host ?? 'localhost',
        routeKey: match.route.routeKey,
        pathParameters: match.pathParameters,
      });
    } catch {
      // Undecodable percent-escapes in the path or parameters.
      return send(response, jsonError(400, 'Bad Request'), requestId);
    }
    const sourceIp = event.requestContext.http.sourceIp;
    const arrivedAt = clock();
    const log = (status: number, length: number, integrationMs?: number, errorType?: string) =>
      options.accessLog?.({
        requestId,
        ip: sourceIp,
        requestTimeEpoch: arrivedAt,
        httpMethod: method,
        routeKey: match.route.routeKey,
        path: event.rawPath,
        status,
        protocol: `HTTP/${request.httpVersion}`,
        responseLength: length,
        responseLatency: clock() - arrivedAt,
        ...(integrationMs !== undefined ? { integrationLatency: integrationMs } : {}),
        ...(errorType ? { errorType } : {}),
      });
    if (!throttling.admit(match.route.routeKey, arrivedAt)) {
      const refused = jsonError(429, 'Too Many Requests');
      send(response, refused, requestId);
      log(429, refused.body.length, undefined, 'TooManyRequestsException');
      return;
    }
    const parts = await integrate(match.route, event);
    const integrationMs = clock() - arrivedAt;
    send(response, parts, requestId);
    log(parts.statusCode, parts.body.length, integrationMs);
  }

  async function integrate(route: R, event: APIGatewayProxyEventV2): Promise<HttpResponseParts> {
    try {
      return toHttpResponse(await options.integrate(route, event));
    } catch (error) {
      return errorResponse(error);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    throttling,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** How API Gateway answers when its Lambda integration fails rather than returning a response. */
function errorResponse(error: unknown): HttpResponseParts {
  if (error instanceof TooManyRequestsError) return jsonError(429, 'Too Many Requests');
  const cause = error instanceof LambdaEmulatorError ? error.cause : undefined;
  if (cause instanceof LambdaEmulatorError && cause.code === 'TimeoutError') {
    return jsonError(503, 'Service Unavailable');
  }
  return jsonError(500, 'Internal Server Error');
}

function send(response: ServerResponse, parts: HttpResponseParts, requestId: string): void {
  if (response.headersSent) return;
  try {
    response.statusCode = parts.statusCode;
    for (const [name, value] of Object.entries(parts.headers)) response.setHeader(name, value);
    if (parts.cookies.length > 0) response.setHeader('set-cookie', parts.cookies);
    if (requestId !== '') response.setHeader('apigw-requestid', requestId);
    response.setHeader('content-length', parts.body.length);
    response.end(parts.body);
  } catch {
    // A handler returned a header value node refuses (e.g. a newline): answer as API Gateway would.
    response.removeHeader('set-cookie');
    const fallback = jsonError(502, 'Internal Server Error');
    response.statusCode = 502;
    response.setHeader('content-type', 'application/json');
    response.setHeader('content-length', fallback.body.length);
    response.end(fallback.body);
  }
}
