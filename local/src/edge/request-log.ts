import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import {
  buildRealtimeLogRecord,
  type CloudFrontLogRecord,
  cloudFrontLogTimestamp,
  type RealtimeLogRecord,
  realtimeTimestamp,
} from '@boundless/delivery';
import type { EdgeResponse, ViewerRequest } from './edge-pipeline.ts';

export interface ViewerGeo {
  country?: string;
  asn?: number | string;
}

export interface RequestTiming {
  endedAtMs: number;
  timeTakenSeconds: number;
  timeToFirstByteSeconds: number;
  headerBytes: number;
}

export interface RequestLogInput {
  req: IncomingMessage;
  viewer: ViewerRequest;
  response: EdgeResponse;
  timing: RequestTiming;
  geo: ViewerGeo | undefined;
  config: { edgeLocation: string; logCookies: boolean };
  domainName: string;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

// Bytes the viewer sent: request line plus raw headers (no request bodies for GET/HEAD).
function requestBytes(req: IncomingMessage): number {
  let bytes = (req.method?.length ?? 0) + (req.url?.length ?? 0) + 13;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    bytes += (req.rawHeaders[i]?.length ?? 0) + (req.rawHeaders[i + 1]?.length ?? 0) + 4;
  }
  return bytes + 2;
}

/** Fields both log kinds share, named as in the real-time log. */
function common(input: RequestLogInput) {
  const { req, viewer, response, timing } = input;
  return {
    'c-ip': viewer.viewerIp,
    'sc-status': response.status,
    'sc-bytes': timing.headerBytes + response.body.length,
    'cs-method': viewer.method,
    'cs-protocol': viewer.protocol,
    'cs-uri-stem': viewer.path,
    'cs-bytes': requestBytes(req),
    'x-edge-location': input.config.edgeLocation,
    'x-edge-request-id': viewer.requestId,
    'time-taken': timing.timeTakenSeconds.toFixed(3),
    'time-to-first-byte': timing.timeToFirstByteSeconds.toFixed(3),
    'cs-protocol-version': `HTTP/${req.httpVersion}`,
    'cs-uri-query': viewer.rawQuery,
    'x-edge-result-type': response.result,
    'x-edge-response-result-type': response.result,
    'x-edge-detailed-result-type': response.detailed,
    'x-forwarded-for': header(req, 'x-forwarded-for'),
    'sc-content-type': response.headers['content-type'],
    'sc-content-len': response.contentLength,
    'sc-range-start': response.range?.start,
    'sc-range-end': response.range?.end,
    'c-port': req.socket.remotePort,
    'cs-cookie': input.config.logCookies ? header(req, 'cookie') : undefined,
  };
}

/** The 33-field standard log line for one request. */
export function accessLogRecord(input: RequestLogInput): CloudFrontLogRecord {
  const c = common(input);
  return {
    ...cloudFrontLogTimestamp(input.timing.endedAtMs),
    'x-edge-location': c['x-edge-location'],
    'sc-bytes': c['sc-bytes'],
    'c-ip': c['c-ip'],
    'cs-method': c['cs-method'],
    'cs(Host)': input.domainName,
    'cs-uri-stem': c['cs-uri-stem'],
    'sc-status': c['sc-status'],
    'cs(Referer)': header(input.req, 'referer'),
    'cs(User-Agent)': header(input.req, 'user-agent'),
    'cs-uri-query': c['cs-uri-query'],
    'cs(Cookie)': c['cs-cookie'],
    'x-edge-result-type': c['x-edge-result-type'],
    'x-edge-request-id': c['x-edge-request-id'],
    'x-host-header': input.viewer.host,
    'cs-protocol': c['cs-protocol'],
    'cs-bytes': c['cs-bytes'],
    'time-taken': c['time-taken'],
    'x-forwarded-for': c['x-forwarded-for'],
    'x-edge-response-result-type': c['x-edge-response-result-type'],
    'cs-protocol-version': c['cs-protocol-version'],
    'c-port': c['c-port'],
    'time-to-first-byte': c['time-to-first-byte'],
    'x-edge-detailed-result-type': c['x-edge-detailed-result-type'],
    'sc-content-type': c['sc-content-type'],
    'sc-content-len': c['sc-content-len'],
    'sc-range-start': c['sc-range-start'],
    'sc-range-end': c['sc-range-end'],
  };
}

/** The real-time log record for one request (all fields CloudFront offers, `-` where unknown). */
export function realtimeLogRecord(input: RequestLogInput): RealtimeLogRecord {
  const { req, viewer } = input;
  const c = common(input);
  const names = req.rawHeaders.filter((_, i) => i % 2 === 0);
  const headerPairs = names.map((name, i) => `${name}:${req.rawHeaders[i * 2 + 1] ?? ''}`);
  return buildRealtimeLogRecord({
    ...c,
    'sc-range-start': c['sc-range-start'] ?? '',
    'sc-range-end': c['sc-range-end'] ?? '',
    'c-port': c['c-port'] ?? '',
    'x-forwarded-for': c['x-forwarded-for'] ?? '',
    'sc-content-type': c['sc-content-type'] ?? '',
    'cs-cookie': c['cs-cookie'] ?? '',
    timestamp: realtimeTimestamp(input.timing.endedAtMs),
    // Unlike the standard log, the real-time cs-uri-stem carries the query string too.
    'cs-uri-stem': viewer.rawQuery ? `${viewer.path}?${viewer.rawQuery}` : viewer.path,
    'cs-host': viewer.host,
    'x-host-header': input.domainName,
    'c-ip-version': isIPv6(viewer.viewerIp) ? 'IPv6' : 'IPv4',
    'cs-user-agent': header(req, 'user-agent') ?? '',
    'cs-referer': header(req, 'referer') ?? '',
    'cs-accept-encoding': header(req, 'accept-encoding') ?? '',
    'cs-accept': header(req, 'accept') ?? '',
    'cache-behavior-path-pattern': viewer.path.startsWith('/titles/') ? '/titles/*' : '*',
    'cs-headers': headerPairs.join('\n'),
    'cs-header-names': names.join('\n'),
    'cs-headers-count': names.length,
    'c-country': input.geo?.country ?? '',
    asn: input.geo?.asn ?? '',
  });
}
