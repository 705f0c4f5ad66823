import type { IncomingMessage } from 'node:http';
import type { AccessLogWriter } from './access-log-writer.ts';
import type { EdgePipeline, EdgeResponse, ViewerRequest } from './edge-pipeline.ts';
import type { EdgeTelemetry } from './edge-telemetry.ts';
import type { EdgeFailurePoint, LocalEdgeConfig, LocalEdgeOptions } from './local-edge-options.ts';
import { accessLogRecord, type RequestTiming, realtimeLogRecord } from './request-log.ts';

// What the edge keeps of each request once it is answered: the counters behind `stats()`, the standard access
// log, the distribution's telemetry and the real-time log record.

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

/** Where a request's records go. */
export interface RequestRecordSinks {
  pipeline: Pick<EdgePipeline, 'distributionDomainName'>;
  config: LocalEdgeConfig;
  logs: AccessLogWriter;
  options: Pick<LocalEdgeOptions, 'geo' | 'realtimeLogSink'>;
  telemetry: EdgeTelemetry | undefined;
  onError: (error: unknown, where: EdgeFailurePoint) => void;
}

export function emptyStats(): LocalEdgeStats {
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

export function meanMicros(s: { invocations: number; totalNs: number }): number {
  return s.invocations === 0 ? 0 : s.totalNs / s.invocations / 1000;
}

export function countResponse(stats: LocalEdgeStats, response: EdgeResponse): void {
  stats.requests += 1;
  if (response.refused) stats.refused[response.refused] = (stats.refused[response.refused] ?? 0) + 1;
  if (response.detailed === 'OriginShieldHit') stats.originShieldHits += 1;
  if (response.result === 'Hit') stats.hits += 1;
  else if (response.result === 'RefreshHit') stats.refreshHits += 1;
  else if (response.result === 'Miss') stats.misses += 1;
  else if (response.status >= 400 && !response.refused) stats.errors += 1;
}

export function recordRequest(
  ctx: RequestRecordSinks,
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
  } catch (error) {
    // A failing consumer must not fail the viewer's request; CloudFront drops records it cannot deliver too.
    ctx.onError(error, 'realtime_log');
  }
}
