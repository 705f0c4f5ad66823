import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type EdgePipeline,
  type EdgeResponse,
  handleViewerRequest,
  type ViewerRequest,
} from './edge-pipeline.ts';
import {
  countResponse,
  type LocalEdgeStats,
  type RequestRecordSinks,
  recordRequest,
} from './edge-request-records.ts';
import type { LocalEdgeOptions } from './local-edge-options.ts';
import type { RequestTiming } from './request-log.ts';
import { viewerAddress } from './viewer-address.ts';

// One viewer request through the local edge's HTTP server: read it as CloudFront would see it, run the pipeline,
// answer with CloudFront's headers, then count and record it.

/** What the edge's request handler works with, built once when the edge starts. */
export interface EdgeRequestContext extends RequestRecordSinks {
  pipeline: EdgePipeline;
  clock: () => number;
  stats: LocalEdgeStats;
  options: LocalEdgeOptions;
  isTrustedProxy: (ip: string) => boolean;
}

// CloudFront request ids are 56 opaque URL-safe characters. A random per-process prefix and a counter keep
// them unique without drawing fresh randomness for every request.
const REQUEST_ID_PREFIX = randomBytes(27).toString('base64url');
let requestCounter = 0;

function nextRequestId(): string {
  requestCounter += 1;
  return REQUEST_ID_PREFIX + requestCounter.toString(36).padStart(20, '0');
}

function toViewerRequest(req: IncomingMessage, ctx: EdgeRequestContext): ViewerRequest {
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

export async function serveViewerRequest(
  ctx: EdgeRequestContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = process.hrtime.bigint();
  const startedAtMs = ctx.clock();
  const viewer = toViewerRequest(req, ctx);
  let response: EdgeResponse;
  try {
    response = await handleViewerRequest(ctx.pipeline, viewer);
  } catch (error) {
    ctx.onError(error, 'request_pipeline');
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
  countResponse(ctx.stats, response);
  recordRequest(ctx, req, viewer, response, timing);
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

function edgeHeaders(
  ctx: EdgeRequestContext,
  viewer: ViewerRequest,
  response: EdgeResponse,
): Record<string, string> {
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
