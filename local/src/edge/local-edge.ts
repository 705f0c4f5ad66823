import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DirectoryContentStore } from '../content/directory-store.ts';
import { AccessLogWriter } from './access-log-writer.ts';
import { EdgeCache } from './edge-cache.ts';
import type { EdgePipeline } from './edge-pipeline.ts';
import { type EdgeRequestContext, serveViewerRequest } from './edge-request-handler.ts';
import { emptyStats, type LocalEdgeStats, meanMicros } from './edge-request-records.ts';
import { EdgeTelemetry } from './edge-telemetry.ts';
import { loadViewerRequestFunction } from './function-runner.ts';
import { type LocalEdgeOptions, logEdgeFailure, parseLocalEdgeOptions } from './local-edge-options.ts';
import { SignedRequestVerifier } from './signed-request.ts';
import { trustedProxyMatcher } from './viewer-address.ts';

// Starting and stopping the local edge: the parts of the pipeline built from the validated options
// (local-edge-options.ts), an HTTP server whose requests go to edge-request-handler.ts, and the flushing of
// logs and telemetry on close.
export type { LocalEdgeOptions } from './local-edge-options.ts';
export type { LocalEdgeStats } from './edge-request-records.ts';

export interface LocalEdge {
  url: string;
  close(): Promise<void>;
  stats(): LocalEdgeStats;
  cache: EdgeCache;
}

export async function startLocalEdge(options: LocalEdgeOptions): Promise<LocalEdge> {
  const config = parseLocalEdgeOptions(options);
  const clock = options.clock ?? Date.now;
  const onError = options.onError ?? logEdgeFailure;
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
    onError: (error) => onError(error, 'access_log'),
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
    keyStore: options.kvs,
    fn: loadViewerRequestFunction({
      kvs: options.kvs,
      clock,
      ...(telemetry ? { log: (line: string) => telemetry.functionLine(line, clock()) } : {}),
    }),
    cache,
    origin,
    ...(options.faults ? { faults: options.faults } : {}),
    clock,
    distributionId: config.distributionId,
    distributionDomainName: config.domainName ?? `${hostPart}:${port}`,
    protectedPrefixes: config.protectedPrefixes,
    ...(options.webAcl ? { webAcl: options.webAcl } : {}),
  };
  const isTrustedProxy = trustedProxyMatcher(config.trustedProxies);
  const context: EdgeRequestContext = {
    pipeline,
    config,
    clock,
    logs,
    stats,
    options,
    isTrustedProxy,
    telemetry,
    onError,
  };
  server.on('request', (req, res) => void serveViewerRequest(context, req, res));
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
      // First, so the timer is gone even when closing the server or the logs fails.
      if (metricsTimer) clearInterval(metricsTimer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await logs.close();
      telemetry?.flushBefore();
    },
  };
}
