import { performance } from 'node:perf_hooks';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { LRUCache } from 'lru-cache';
import type { z } from 'zod';
import type { DeliveryLimits } from '../config/config.ts';
import type { Channel } from '../domain/model.ts';
import { type Principal, type Role, requireRole } from '../domain/principal.ts';
import { DeliveryError, isDeliveryError } from '../errors.ts';
import type { IdentityVerifier } from '../identity/verifier.ts';
import type { TitleCache } from '../store/access-facts.ts';
import type { DeliveryStore } from '../store/delivery-store.ts';
import { MetricUnit, type Telemetry, traced } from '../telemetry/telemetry.ts';
import type { DeliveryDeps } from './deps.ts';
import type { CookieSigner } from './signed-cookies.ts';
import { bearerToken, checkHeaders, errorResponse, json, parseBody, statusOf, validate } from './http.ts';

export interface DeliveryRoute {
  routeKey: string;
  functionName: string;
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
}

/** Built once per process and shared by every route. */
export interface DeliveryApp {
  deps: DeliveryDeps;
  store: DeliveryStore;
  verifier: IdentityVerifier;
  limits: DeliveryLimits;
  cookies: CookieSigner;
  titles: TitleCache;
  /** Where admin actions keep their idempotency records (Powertools Idempotency). */
  idempotency: BasePersistenceLayer;
  newId(): string;
}

export interface Request<B, P> {
  principal: Principal;
  body: B;
  params: P;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  sourceIp: string | undefined;
  /** Unix seconds from the injected clock. */
  now: number;
  /** The invocation's Lambda context (its remaining time bounds work that must finish within it). */
  lambdaContext: Context;
  routeKey: string;
  logger: Logger;
  telemetry: Telemetry;
  /** Counts a metric, published after the response is built (one EMF document per count). */
  count(metric: string, dimensions?: Record<string, string>): void;
}

export interface Reply {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
  cookies?: string[];
  channel?: Channel;
}

export interface RouteSpec<B, P> {
  routeKey: string;
  functionName: string;
  /** Omitted: any authenticated caller. */
  roles?: Role[];
  /** Reader traffic is logged with its channel (b2b for organisation members) for per-channel SLOs. */
  readerFacing?: boolean;
  body?: z.ZodType<B>;
  params?: z.ZodType<P>;
  handle(request: Request<B, P>, app: DeliveryApp): Promise<Reply>;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The shell every route shares: size caps, authentication, role check, validation, tracing, the one
 * `request` log line the SLO engine reads, metrics, and the mapping of errors to JSON responses.
 */
export function defineRoute<B = undefined, P = Record<string, never>>(
  spec: RouteSpec<B, P>,
  app: DeliveryApp,
): DeliveryRoute {
  const telemetry = app.deps.telemetry(spec.functionName);
  const loggers = new EnvironmentLoggers(telemetry.logger);
  return {
    routeKey: spec.routeKey,
    functionName: spec.functionName,
    async handler(event, context) {
      const started = performance.now();
      const headerCorrelation = event.headers?.['x-correlation-id'];
      const correlationId =
        headerCorrelation && CORRELATION_ID.test(headerCorrelation)
          ? headerCorrelation
          : (event.requestContext?.requestId ?? context.awsRequestId);
      const lease = loggers.lease(context.logStreamName);
      const logger = lease.logger;
      logger.appendPersistentKeys({ correlation_id: correlationId });
      logger.addContext(context);
      const counts: Array<[string, Record<string, string> | undefined]> = [];
      const responseHeaders = { 'x-correlation-id': correlationId };
      let response: APIGatewayProxyStructuredResultV2;
      let channel: Channel | undefined;
      let errorCode: string | undefined;
      try {
        const reply = await traced(telemetry.tracer, `## ${spec.functionName}`, async () => {
          const request = await prepare(spec, app, event, context, { logger, telemetry, counts });
          if (spec.readerFacing) channel = request.principal.orgId ? 'b2b' : 'b2c';
          return spec.handle(request, app);
        });
        channel = reply.channel ?? channel;
        response = json(
          reply.statusCode,
          reply.body,
          { ...responseHeaders, ...reply.headers },
          reply.cookies,
        );
      } catch (error) {
        const failure = isDeliveryError(error)
          ? error
          : new DeliveryError('internal', 'unexpected failure', { cause: error });
        errorCode = failure.code;
        if (statusOf(failure.code) >= 500)
          logger.error('request failed', { error: failure, cause: failure.cause });
        response = errorResponse(failure, responseHeaders);
      }
      const statusCode = response.statusCode ?? 200;
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      logger.info('request', {
        route: spec.routeKey,
        statusCode,
        durationMs,
        channel,
        ...(errorCode ? { errorCode } : {}),
      });
      if (statusCode >= 500) counts.push(['ServerError', undefined]);
      publish(telemetry, counts);
      lease.release();
      return response;
    },
  };
}

async function prepare<B, P>(
  spec: RouteSpec<B, P>,
  app: DeliveryApp,
  event: APIGatewayProxyEventV2,
  lambdaContext: Context,
  shared: {
    logger: Logger;
    telemetry: Telemetry;
    counts: Array<[string, Record<string, string> | undefined]>;
  },
): Promise<Request<B, P>> {
  checkHeaders(event, app.limits.maxHeaderBytes);
  const principal = await app.verifier.verify(bearerToken(event));
  if (spec.roles) requireRole(principal, ...spec.roles);
  const params = spec.params ? validate(spec.params, event.pathParameters ?? {}, 'path') : ({} as P);
  const body = spec.body ? parseBody(event, spec.body, app.limits.maxBodyBytes) : (undefined as B);
  return {
    principal,
    body,
    params,
    query: event.queryStringParameters ?? {},
    headers: event.headers ?? {},
    sourceIp: event.requestContext?.http?.sourceIp,
    now: Math.floor(app.deps.clock.nowMs() / 1000),
    lambdaContext,
    routeKey: spec.routeKey,
    logger: shared.logger,
    telemetry: shared.telemetry,
    count: (metric, dimensions) => shared.counts.push([metric, dimensions]),
  };
}

/**
 * Request loggers, one per execution environment (its log stream), as a module-level logger is in Lambda:
 * building a Powertools child per request cost more than the rest of the logging. An environment runs one
 * request at a time, so its logger's correlation keys never mix; a second concurrent request on the same
 * stream (only possible when handlers are called directly, as tests do) gets a child of its own.
 */
class EnvironmentLoggers {
  private readonly idle = new LRUCache<string, Logger>({ max: 1000 });

  constructor(private readonly parent: Logger) {}

  lease(stream: string): { logger: Logger; release(): void } {
    const logger = this.idle.get(stream) ?? this.parent.createChild();
    this.idle.delete(stream);
    return { logger, release: () => this.idle.set(stream, logger) };
  }
}

/** Synchronous from first add to publish, so concurrent invocations never mix dimensions in one document. */
function publish(telemetry: Telemetry, counts: Array<[string, Record<string, string> | undefined]>): void {
  for (const [metric, dimensions] of counts) {
    if (dimensions) telemetry.metrics.addDimensions(dimensions);
    telemetry.metrics.addMetric(metric, MetricUnit.Count, 1);
    telemetry.metrics.publishStoredMetrics();
  }
}
