import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';

/**
 * CloudFront real-time log fields as the standard-log record the detectors and the SLO engine read. The local
 * edge's sink hands whole records (`-` for absent); Kinesis records arrive parsed with `''` for absent. The
 * real-time `cs-uri-stem` carries the query string too, so it is cut at `?`.
 */
export function edgeRecordFromRealtime(
  fields: Readonly<Record<string, string | undefined>>,
): EdgeLogRecord | undefined {
  const value = (name: string) => {
    const raw = fields[name];
    return raw === undefined || raw === '-' ? '' : raw;
  };
  const timestampMs = Math.round(Number(value('timestamp')) * 1000);
  const clientIp = value('c-ip');
  const status = Number(value('sc-status'));
  if (!Number.isFinite(timestampMs) || timestampMs <= 0 || clientIp === '' || !Number.isFinite(status)) {
    return undefined;
  }
  const stem = value('cs-uri-stem');
  const q = stem.indexOf('?');
  return {
    timestampMs,
    edgeLocation: value('x-edge-location'),
    bytes: Number(value('sc-bytes')) || 0,
    clientIp,
    method: value('cs-method'),
    host: value('x-host-header') || value('cs-host'),
    uriStem: q < 0 ? stem : stem.slice(0, q),
    status,
    referer: safeDecode(value('cs-referer')),
    userAgent: safeDecode(value('cs-user-agent')),
    query: value('cs-uri-query') || (q < 0 ? '' : stem.slice(q + 1)),
    edgeResultType: value('x-edge-result-type'),
    requestId: value('x-edge-request-id'),
    timeTakenMs: Math.round(Number(value('time-taken')) * 1000) || 0,
    detailedResultType: value('x-edge-detailed-result-type'),
    contentType: value('sc-content-type'),
  };
}

function safeDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch (error) {
    // A stray % in a logged field: keep the text as logged rather than lose the record.
    if (error instanceof URIError) return text;
    throw error;
  }
}
