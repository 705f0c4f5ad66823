import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { type ContentStore, parseCidr, type RealtimeLogRecord } from '@boundless/delivery';
import { DirectoryContentStore } from '../content/directory-store.ts';
import { AccessLogWriter } from './access-log-writer.ts';
import type { CacheBehavior } from './cache-behaviors.ts';
import { EdgeCache } from './edge-cache.ts';
import {
  type EdgePipeline,
  type EdgeResponse,
  handleViewerRequest,
  type ViewerRequest,
} from './edge-pipeline.ts';
import { EdgeConfigError } from '../errors.ts';
import { loadViewerRequestFunction } from './function-runner.ts';
import type { LocalKeyValueStore } from './local-kvs.ts';
import { type RequestTiming, type ViewerGeo, accessLogRecord, realtimeLogRecord } from './request-log.ts';
import { SignedRequestVerifier } from './signed-request.ts';
import { LOOPBACK_PROXIES, trustedProxyMatcher, viewerAddress } from './viewer-address.ts';
import type { WebAcl } from '../waf/web-acl.ts';
import { type EdgeFaultHooks, faultyKeyStore, faultyOrigin } from './edge-faults.ts';
import { EdgeTelemetry, type LogSink } from './edge-telemetry.ts';

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  originDir: z.string().min(1).optional(),
  trustedKeys: z.record(z.string().min(1), z.string().includes('PUBLIC KEY')),
  logDir: z.string().min(1),
  cache: z
    .object({
      maxEntries: z.number().int().positive(),
      maxBytes: z.number().int().positive(),
      defaultTtlSeconds: z.number().positive(),
    })
    .default({ maxEntries: 5_000, maxBytes: 256 * 1024 * 1024, defaultTtlSeconds: 86_400 }),
  originShield: z.boolean().default(true),
  distributionId: z
    .string()
    .regex(/^[A-Z0-9]{1,32}$/, 'uppercase letters and digits')
    .default('ELOCALEDGE'),
  domainName: z.string().min(1).optional(),
  edgeLocation: z.string().min(1).default('LCL1-C1'),
  protectedPrefixes: z.array(z.string().startsWith('/')).default(['/titles/']),
  /**
   * Where the viewer address comes from: the TCP peer (CloudFront's view), or `x-forwarded-for` as far as
   * `trustedProxies` wrote it: the rightmost hop that is not a trusted proxy (viewer-address.ts).
   */
  viewerIpFrom: z.enum(['socket', 'x-forwarded-for']).default('socket'),
  /**
   * The proxies in front of the edge, as CIDRs; only their `x-forwarded-for` is believed. The default, loopback,
   * fits a local traffic simulator standing in for many viewers: a peer on another machine is logged under its
   * own address whatever it sends.
   */
  trustedProxies: z
    .array(z.string().refine((cidr) => parseCidr(cidr) !== undefined, 'must be a CIDR such as 10.0.0.0/8'))
    .default([...LOOPBACK_PROXIES]),
  logCookies: z.boolean().default(false),
  logFlushIntervalMs: z.number().int().min(0).default(5_000),
});

export interface LocalEdgeOptions
  extends Partial<Omit<z.input<typeof optionsSchema>, 'trustedKeys' | 'logDir'>> {
  /** Local origin directory; or pass `origin` for any content store. */
  originDir?: string;
  origin?: ContentStore;
  kvs: LocalKeyValueStore;
  /** CloudFront public key id → PEM public key (the distribution's trusted key group). */
  trustedKeys: Record<string, string>;
  logDir: string;
  realtimeLogSink?: (record: RealtimeLogRecord) => void;
  /** Epoch milliseconds; drives signed policy time, the function's Date.now(), cache TTLs and log times. */
  clock?: () => number;
  /** Viewer country and ASN for the logs (CloudFront's geolocation); unknown by default. */
  geo?: (ip: string) => ViewerGeo | undefined;
  /** The distribution's web ACL (local AWS WAF: IP-set blocks and rate-based rules); none by default. */
  webAcl?: WebAcl;
  /** Cache behaviours (TTLs per path pattern); paths none matches are cached for `cache.defaultTtlSeconds`. */
  cacheBehaviors?: readonly CacheBehavior[];
  /**
   * Where the edge writes its telemetry as CloudFront does in AWS (edge-telemetry.ts): access records and the
   * distribution's metrics into log groups, the viewer-request function's console lines into its own group.
   */
  telemetry?: { logs: LogSink; functionName?: string };
  /** Injected faults (origin errors or slowness, cache bypass, missing signing keys, inflated objects). */
  faults?: EdgeFaultHooks;
}

export interface LocalEdgeStats {
  requests: number;
  hits: number;
  refreshHits: number;
  misses: number;
  originShieldHits: number;
  errors: number;
  refused: Record<string, number>;
  functionInvocations: number;
  functionMeanMicros: number;
}

export interface LocalEdge {
  url: string;
  close(): Promise<void>;
  stats(): LocalEdgeStats;
  cache: EdgeCache;
}

function parseOptions(options: LocalEdgeOptions) {
  const {
    kvs: _kvs,
    origin: _origin,
    realtimeLogSink: _sink,
    clock: _clock,
    geo: _geo,
    webAcl: _webAcl,
    cacheBehaviors: _behaviors,
    telemetry: _telemetry,
    faults: _faults,
    ...plain
  } = options;
  const parsed = optionsSchema.safeParse(plain);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`);
    throw new EdgeConfigError(`invalid local edge options: ${problems.join('; ')}`);
  }
  if (!options.origin && !parsed.data.originDir)
    throw new EdgeConfigError('local edge needs originDir or origin');
  return parsed.data;
}

export async function startLocalEdge(options: LocalEdgeOptions): Promise<LocalEdge> {
  const config = parseOptions(options);
  const clock = options.clock ?? Date.now;
  const cache = new EdgeCache({
    ...config.cache,
    originShield: config.originShield,
    clock,
    ...(options.cacheBehaviors ? { behaviors: options.cacheBehaviors } : {}),
  });
  const logs = new AccessLogWriter({
    logDir: config.logDir,
    distributionId: config.distributionId,
    flushIntervalMs: config.logFlushIntervalMs,
  });
  const stats = emptyStats();
  const telemetry = options.telemetry
    ? new EdgeTelemetry({ ...options.telemetry, distributionId: config.distributionId })
    : undefined;
  // Minutes that ended are written even when no request arrives to close them.
  const metricsTimer = telemetry
    ? setInterval(() => telemetry.flushBefore(Math.floor(clock() / 60_000) * 60_000), 15_000)
    : undefined;
  metricsTimer?.unref();
  const faults = options.faults;
  const random = faults?.random ?? Math.random;
  const origin = options.origin ?? new DirectoryContentStore(config.originDir as string);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostPart = config.host.includes(':') ? `[${config.host}]` : config.host;
  const pipeline: EdgePipeline = {
    verifier: new SignedRequestVerifier(options.trustedKeys),
    fn: loadViewerRequestFunction({
      kvs: faults ? faultyKeyStore(options.kvs, faults, clock) : options.kvs,
      clock,
      ...(telemetry ? { log: (line: string) => telemetry.functionLine(line, clock()) } : {}),
    }),
    cache,
    origin: faults ? faultyOrigin(origin, faults, clock) : origin,
    ...(faults
      ? {
          cacheBypass: () => random() < (faults.plan(clock())?.cacheBypassP ?? 0),
          bytesFactor: () => faults.plan(clock())?.bytesX ?? 1,
        }
      : {}),
    clock,
    distributionId: config.distributionId,
    distributionDomainName: config.domainName ?? `${hostPart}:${port}`,
    protectedPrefixes: config.protectedPrefixes,
    ...(options.webAcl ? { webAcl: options.webAcl } : {}),
  };
  const isTrustedProxy = trustedProxyMatcher(config.trustedProxies);
  const context = { pipeline, config, clock, logs, stats, options, isTrustedProxy, telemetry };
  server.on('request', (req, res) => void serve(context, req, res));
  return {
    url: `http://${hostPart}:${port}`,
    cache,
    stats: () => ({
      ...stats,
      refused: { ...stats.refused },
      functionInvocations: pipeline.fn.stats().invocations,
      functionMeanMicros: meanMicros(pipeline.fn.stats()),
    }),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await logs.close();
      if (metricsTimer) clearInterval(metricsTimer);
      telemetry?.flushBefore();
    },
  };
}

type Context = {
  pipeline: EdgePipeline;
  config: ReturnType<typeof parseOptions>;
  clock: () => number;
  logs: AccessLogWriter;
  stats: LocalEdgeStats;
  options: LocalEdgeOptions;
  isTrustedProxy: (ip: string) => boolean;
  telemetry: EdgeTelemetry | undefined;
};

function emptyStats(): LocalEdgeStats {
  return {
    requests: 0,
    hits: 0,
    refreshHits: 0,
    misses: 0,
    originShieldHits: 0,
    errors: 0,
    refused: {},
    functionInvocations: 0,
    functionMeanMicros: 0,
  };
}

function meanMicros(s: { invocations: number; totalNs: number }): number {
  return s.invocations === 0 ? 0 : s.totalNs / s.invocations / 1000;
}

// CloudFront request ids are 56 opaque URL-safe characters. A random per-process prefix and a counter keep
// them unique without drawing fresh randomness for every request.
const REQUEST_ID_PREFIX = randomBytes(27).toString('base64url');
let requestCounter = 0;

function nextRequestId(): string {
  requestCounter += 1;
  return REQUEST_ID_PREFIX + requestCounter.toString(36).padStart(20, '0');
}

function toViewerRequest(req: IncomingMessage, ctx: Context): ViewerRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: req.method ?? 'GET',
    path: q === -1 ? url : url.slice(0, q),
    rawQuery: q === -1 ? '' : url.slice(q + 1),
    headers: req.headersDistinct,
    host: req.headers.host ?? '',
    protocol: 'http',
    viewerIp: viewerAddress(
      req.socket.remoteAddress ?? '0.0.0.0',
      req.headers['x-forwarded-for'],
      ctx.config.viewerIpFrom,
      ctx.isTrustedProxy,
    ),
    requestId: nextRequestId(),
  };
}

async function serve(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = process.hrtime.bigint();
  const startedAtMs = ctx.clock();
  const viewer = toViewerRequest(req, ctx);
  let response: EdgeResponse;
  try {
    response = await handleViewerRequest(ctx.pipeline, viewer);
  } catch {
    response = internalError();
  }
  const headers = edgeHeaders(ctx, viewer, response);
  res.writeHead(response.status, headers);
  const firstByteNs = process.hrtime.bigint();
  res.end(response.body);
  const endedAtMs = ctx.clock();
  // With an injected clock, durations are on that clock too, so a replay logs the same times whatever the load.
  const onClock = ctx.options.clock !== undefined;
  const timing: RequestTiming = {
    endedAtMs,
    timeTakenSeconds: onClock
      ? (endedAtMs - startedAtMs) / 1000
      : Number(process.hrtime.bigint() - started) / 1e9,
    timeToFirstByteSeconds: onClock ? (endedAtMs - startedAtMs) / 1000 : Number(firstByteNs - started) / 1e9,
    headerBytes: headerBytes(response.status, headers),
  };
  count(ctx.stats, response);
  record(ctx, req, viewer, response, timing);
}

function internalError(): EdgeResponse {
  const body = Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code></Error>');
  return {
    status: 502,
    headers: { 'content-type': 'text/xml' },
    body,
    result: 'Error',
    detailed: 'Error',
    contentLength: body.length,
  };
}

function edgeHeaders(ctx: Context, viewer: ViewerRequest, response: EdgeResponse): Record<string, string> {
  const label =
    response.result === 'FunctionGeneratedResponse' ? 'FunctionGeneratedResponse' : response.result;
  return {
    ...response.headers,
    'content-length': String(response.contentLength),
    'x-cache': `${label} from cloudfront`,
    via: `1.1 ${ctx.config.distributionId.toLowerCase()}.local (CloudFront)`,
    'x-amz-cf-pop': ctx.config.edgeLocation,
    'x-amz-cf-id': viewer.requestId,
  };
}

function headerBytes(status: number, headers: Record<string, string>): number {
  let bytes = `HTTP/1.1 ${status} \r\n\r\n`.length;
  for (const [k, v] of Object.entries(headers)) bytes += k.length + v.length + 4;
  return bytes;
}

function count(stats: LocalEdgeStats, response: EdgeResponse): void {
  stats.requests += 1;
  if (response.refused) stats.refused[response.refused] = (stats.refused[response.refused] ?? 0) + 1;
  if (response.detailed === 'OriginShieldHit') stats.originShieldHits += 1;
  if (response.result === 'Hit') stats.hits += 1;
  else if (response.result === 'RefreshHit') stats.refreshHits += 1;
  else if (response.result === 'Miss') stats.misses += 1;
  else if (response.status >= 400 && !response.refused) stats.errors += 1;
}

function record(
  ctx: Context,
  req: IncomingMessage,
  viewer: ViewerRequest,
  response: EdgeResponse,
  timing: RequestTiming,
) {
  const geo = ctx.options.geo?.(viewer.viewerIp);
  const input = {
    req,
    viewer,
    response,
    timing,
    geo,
    config: ctx.config,
    domainName: ctx.pipeline.distributionDomainName,
  };
  const access = accessLogRecord(input);
  ctx.logs.append(access, timing.endedAtMs);
  ctx.telemetry?.request(access, response, timing.endedAtMs, response.originMs);
  const sink = ctx.options.realtimeLogSink;
  if (!sink) return;
  try {
    sink(realtimeLogRecord(input));
  } catch {
    // A failing consumer must not fail the viewer's request; CloudFront drops records it cannot deliver too.
  }
}
