import type { IncomingHttpHeaders } from 'node:http';

/**
 * The CloudFront Functions event and result shapes (event version 1.0) for viewer-request functions: what
 * CloudFront passes in, and the request or generated response a function hands back.
 */
interface CfValue {
  value: string;
  multiValue?: { value: string }[];
}

export type CfValueMap = Record<string, CfValue>;

export interface CfRequest {
  method: string;
  uri: string;
  querystring: CfValueMap;
  headers: CfValueMap;
  cookies: CfValueMap;
}

export interface CfResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: CfValueMap;
  cookies?: Record<string, CfValue & { attributes?: string }>;
  body?: string | { encoding: 'text' | 'base64'; data: string };
}

export interface CfViewerRequestEvent {
  version: '1.0';
  context: {
    distributionDomainName: string;
    distributionId: string;
    eventType: 'viewer-request';
    requestId: string;
  };
  viewer: { ip: string };
  request: CfRequest;
}

function addValue(map: CfValueMap, name: string, value: string): void {
  const existing = map[name];
  if (!existing) {
    map[name] = { value };
    return;
  }
  existing.multiValue ??= [{ value: existing.value }];
  existing.multiValue.push({ value });
}

/** Query values stay as the viewer sent them (not percent-decoded), as in CloudFront. */
export function parseQueryString(rawQuery: string): CfValueMap {
  const map: CfValueMap = {};
  if (rawQuery === '') return map;
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    addValue(map, eq === -1 ? pair : pair.slice(0, eq), eq === -1 ? '' : pair.slice(eq + 1));
  }
  return map;
}

export function serializeQueryString(query: CfValueMap): string {
  const parts: string[] = [];
  for (const [name, entry] of Object.entries(query)) {
    const values = entry.multiValue && entry.multiValue.length > 0 ? entry.multiValue : [entry];
    for (const v of values) parts.push(v.value === '' ? name : `${name}=${v.value}`);
  }
  return parts.join('&');
}

export function parseCookieHeader(header: string | undefined): CfValueMap {
  const map: CfValueMap = {};
  if (!header) return map;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    addValue(map, part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return map;
}

/** Headers by lowercase name with repeats as multiValue; cookies are split out, as CloudFront does. */
function toCfHeaders(headers: NodeJS.Dict<string[]> | IncomingHttpHeaders): CfValueMap {
  const map: CfValueMap = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined || name === 'cookie') continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) addValue(map, name.toLowerCase(), value);
  }
  return map;
}

export interface ViewerRequestInput {
  method: string;
  uri: string;
  rawQuery: string;
  headers: NodeJS.Dict<string[]> | IncomingHttpHeaders;
  cookieHeader?: string | undefined;
  viewerIp: string;
  distributionId: string;
  distributionDomainName: string;
  requestId: string;
}

export function buildViewerRequestEvent(input: ViewerRequestInput): CfViewerRequestEvent {
  return {
    version: '1.0',
    context: {
      distributionDomainName: input.distributionDomainName,
      distributionId: input.distributionId,
      eventType: 'viewer-request',
      requestId: input.requestId,
    },
    viewer: { ip: input.viewerIp },
    request: {
      method: input.method,
      uri: input.uri,
      querystring: parseQueryString(input.rawQuery),
      headers: toCfHeaders(input.headers),
      cookies: parseCookieHeader(input.cookieHeader),
    },
  };
}
