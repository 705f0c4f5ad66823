/**
 * Builders for detector tests: records, edge tokens and a table-driven geolocation, and a runner that feeds
 * the same records through either of the engine's two code paths: `observe` of parsed records (the
 * evaluation, directories of files) or the byte scanner's `observeLine` with its read-ahead (`boundless
 * detect` on one file). Detector tests run through both.
 */
import { cloudFrontLogHeader, cloudFrontLogTimestamp, formatCloudFrontLogLine } from '@boundless/delivery';
import type { GeoLookup } from '../geo/ip-geo.ts';
import { CloudFrontByteScanner } from '../logs/cloudfront-bytes.ts';
import { type EdgeLogRecord, newParseStats } from '../logs/cloudfront-line.ts';
import type { DetectorOptions } from './config.ts';
import { AbuseDetectors } from './engine.ts';
import type { Detection } from './types.ts';

/** The engine's two ways in: parsed records, or log lines read in place with the read-ahead. */
export const PATHS = ['records', 'lines'] as const;
export type DetectPath = (typeof PATHS)[number];

export const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
export const MIN = 60_000;

/** `10.<n>.x.y` lives in the country and ASN of row n. */
const NETWORKS: Record<number, { country: string; asn: number }> = {
  1: { country: 'US', asn: 7922 },
  2: { country: 'US', asn: 21928 },
  3: { country: 'KR', asn: 4766 },
  4: { country: 'JP', asn: 2516 },
  5: { country: 'DE', asn: 3320 },
  6: { country: 'FR', asn: 3215 },
  7: { country: 'US', asn: 15169 },
  8: { country: 'US', asn: 16509 },
  9: { country: 'GB', asn: 2856 },
  10: { country: 'GB', asn: 5089 },
  11: { country: 'GB', asn: 5378 },
  12: { country: 'US', asn: 7018 },
  13: { country: 'US', asn: 701 },
  // One network (not on the hosting list) with exits in two countries, as a VPN provider has.
  14: { country: 'US', asn: 64512 },
  15: { country: 'DE', asn: 64512 },
  // A mobile operator whose addresses geolocation places on two continents (as it does some operators' pools).
  16: { country: 'GB', asn: 64513 },
  17: { country: 'US', asn: 64513 },
  // A VPN provider of its own, placed on several continents too, with an exit in Japan.
  18: { country: 'JP', asn: 64514 },
  // A regional operator whose addresses geolocation spreads over Europe's countries, with a pool in France.
  19: { country: 'FR', asn: 64515 },
};
const CONTINENTS: Record<string, string> = { US: 'NA', KR: 'AS', JP: 'AS', DE: 'EU', FR: 'EU', GB: 'EU' };
/** Networks the tables place on several continents (network-spread.ts finds them in the real tables). */
const ACROSS_CONTINENTS = new Set([64513, 64514]);
/** Networks the tables place in several countries (the networks across continents among them). */
const ACROSS_COUNTRIES = new Set([64512, 64513, 64514, 64515]);

/**
 * The row of `10.<n>.x.y`, and of `2001:db8:<s><nn>::…`: the IPv6 side of the same operator (dual stack), its site
 * `s` (the hundreds: `2001:db8:9::/48` and `2001:db8:109::/48` are two sites of row 9's operator).
 */
const rowOf = (ip: string): number => {
  // An IPv4 address written as IPv6 (`::ffff:10.9.1.2`) is its IPv4 address's row.
  const v4 = ip.slice(ip.lastIndexOf(':') + 1);
  return v4.includes('.') ? Number(v4.split('.')[1]) : Number(ip.split(':')[2]) % 100;
};

export const testGeo: GeoLookup = {
  country: (ip) => NETWORKS[rowOf(ip)]?.country ?? '',
  asn: (ip) => NETWORKS[rowOf(ip)]?.asn ?? 0,
  continent: (country) => CONTINENTS[country] ?? '',
  spansContinents: (asn) => ACROSS_CONTINENTS.has(asn),
  spansCountries: (asn) => ACROSS_COUNTRIES.has(asn),
};

export interface TokenSpec {
  tokenId: string;
  accountId: string;
  device?: string;
  title?: string;
  expSeconds?: number;
}

export function bbt(spec: TokenSpec): string {
  const scope = Buffer.from(`/titles/${spec.title ?? 't00001'}/`).toString('base64url');
  const exp = spec.expSeconds ?? Math.floor(T0 / 1000) + 86_400;
  const device = (spec.device ?? 'd0').padStart(16, '0');
  return `v1.k1.${spec.tokenId}.${spec.accountId}.${device}.${Math.floor(T0 / 1000)}.${exp}.${scope}.sig`;
}

export interface RequestOptions {
  token?: TokenSpec;
  status?: number;
  agent?: string;
  query?: string;
  result?: string;
  bytes?: number;
}

export function request(atMs: number, ip: string, path: string, options: RequestOptions = {}): EdgeLogRecord {
  const token = options.token ? `bbt=${bbt(options.token)}` : '';
  const query = [token, options.query ?? ''].filter((q) => q.length > 0).join('&');
  return {
    timestampMs: atMs,
    edgeLocation: 'IAD89-C1',
    bytes: options.bytes ?? 1000,
    clientIp: ip,
    method: 'GET',
    host: 'd.cloudfront.net',
    uriStem: path,
    status: options.status ?? 200,
    referer: '',
    userAgent: options.agent ?? READER_APP,
    query,
    edgeResultType: options.result ?? 'Hit',
    requestId: 'r',
    timeTakenMs: 5,
    detailedResultType: 'Hit',
    contentType: 'application/xhtml+xml',
  };
}

export const READER_APP = 'BoundlessReader/4.12.0 (iPhone; iOS 18.1; Scale/3.00)';
export const BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const CHAPTER_BYTES = 45_000;

export function chapter(title: string, n: number): string {
  return `/titles/${title}/epub/ch${String(n).padStart(3, '0')}.xhtml`;
}

/** A reader's session: `count` chapters at human pace (2-6 minutes apart, deterministic). */
export function readingSession(start: number, ip: string, token: TokenSpec, count = 8): EdgeLogRecord[] {
  const title = token.title ?? 't00001';
  const out: EdgeLogRecord[] = [request(start, ip, `/titles/${title}/manifest.json`, { token })];
  let t = start + 2_000;
  for (let i = 1; i <= count; i++) {
    out.push(request(t, ip, chapter(title, i), { token, bytes: CHAPTER_BYTES }));
    t += (2 + ((i * 7) % 5)) * MIN;
  }
  return out;
}

export interface TitleRead {
  title: string;
  /** Chapters (or pages) taken, one request each. */
  parts: number;
  /** Milliseconds from one part to the next (by index). */
  gapMs: (i: number) => number;
  ip: string | ((i: number) => string);
  token: TokenSpec;
  agent?: string;
  bytes?: number;
  /** Path of part i (default: a chapter). */
  path?: (title: string, i: number) => string;
}

/** One title taken part after part: manifest, cover, then `parts` parts; returns the records and the end. */
export function takeTitle(start: number, read: TitleRead): { records: EdgeLogRecord[]; end: number } {
  const ipOf = typeof read.ip === 'string' ? () => read.ip as string : read.ip;
  const options = { token: { ...read.token, title: read.title }, agent: read.agent };
  const records = [
    request(start, ipOf(0), `/titles/${read.title}/manifest.json`, options),
    request(start + 300, ipOf(0), `/titles/${read.title}/cover.jpg`, { ...options, bytes: 180_000 }),
  ];
  let t = start + 1_000;
  for (let i = 1; i <= read.parts; i++) {
    const path = read.path ? read.path(read.title, i) : chapter(read.title, i);
    records.push(request(t, ipOf(i), path, { ...options, bytes: read.bytes ?? CHAPTER_BYTES }));
    t += read.gapMs(i);
  }
  return { records, end: t };
}

/**
 * One token pulling the catalog: `count` chapters, thirty to a title in catalog order, one every 400 ms from
 * `start`, request i from address `ipOf(i)` with agent `agentOf(i)` (a scraper behind a proxy pool).
 */
export function catalogPull(
  start: number,
  token: TokenSpec,
  count: number,
  ipOf: (i: number) => string,
  agentOf: (i: number) => string,
): EdgeLogRecord[] {
  const records: EdgeLogRecord[] = [];
  for (let i = 0; i < count; i++) {
    const title = `t${String(1000 + Math.floor(i / 30)).padStart(5, '0')}`;
    const path = `/titles/${title}/epub/ch${String((i % 30) + 1).padStart(3, '0')}.xhtml`;
    records.push(request(start + i * 400, ipOf(i), path, { token, agent: agentOf(i), bytes: CHAPTER_BYTES }));
  }
  return records;
}

/**
 * Readers enough for the cohort to know its pace: `sessions` sessions of ten chapters at 2-4 minutes per
 * chapter (about 250 bytes a second), each on its own title, token and home address, one after another.
 */
export function cohortOfReaders(start: number, sessions = 80): EdgeLogRecord[] {
  const records: EdgeLogRecord[] = [];
  for (let s = 0; s < sessions; s++) {
    const { records: session } = takeTitle(start + s * 20_000, {
      title: `r${String(s % 40).padStart(4, '0')}`,
      parts: 10,
      gapMs: (i) => (120 + ((i * 37 + s * 11) % 120)) * 1000,
      ip: `10.1.${s}.9`,
      token: { tokenId: `tokCohort${String(s).padStart(4, '0')}`, accountId: `cohort${s}` },
    });
    records.push(...session);
    // The next title of the same reader ends the session, so that it teaches the cohort.
    records.push(
      request(start + s * 20_000 + 45 * MIN, `10.1.${s}.9`, chapter('r9999', 1), {
        token: {
          tokenId: `tokCohortNext${String(s).padStart(4, '0')}`,
          accountId: `cohort${s}`,
          title: 'r9999',
        },
      }),
    );
  }
  return records;
}

/** The record as a CloudFront standard log line (the 33 fields, tab-separated, newline-terminated). */
function logLine(r: EdgeLogRecord): string {
  return formatCloudFrontLogLine({
    ...cloudFrontLogTimestamp(r.timestampMs),
    'x-edge-location': r.edgeLocation,
    'sc-bytes': r.bytes,
    'c-ip': r.clientIp,
    'cs-method': r.method,
    'cs(Host)': r.host,
    'cs-uri-stem': r.uriStem,
    'sc-status': r.status,
    'cs(Referer)': r.referer || undefined,
    'cs(User-Agent)': r.userAgent,
    'cs-uri-query': r.query || undefined,
    'x-edge-result-type': r.edgeResultType,
    'x-edge-request-id': r.requestId,
    'x-host-header': r.host,
    'cs-protocol': 'https',
    'time-taken': (r.timeTakenMs / 1000).toFixed(3),
    'x-edge-response-result-type': r.edgeResultType,
    'x-edge-detailed-result-type': r.detailedResultType,
    'sc-content-type': r.contentType,
  });
}

/**
 * Runs the records, in event-time order, through a fresh engine by `path`: `observe` per record, or as one
 * log file's lines through the byte scanner in small chunks (lines cut across chunk boundaries, batches
 * previewed and read ahead) into `observeLine`, exactly as detectFiles wires it.
 */
export function runDetectors(
  records: readonly EdgeLogRecord[],
  path: DetectPath = 'records',
  options?: DetectorOptions,
): Detection[] {
  const sorted = [...records].sort((a, b) => a.timestampMs - b.timestampMs);
  const detectors = new AbuseDetectors(testGeo, options);
  const out: Detection[] = [];
  if (path === 'records') {
    for (const r of sorted) detectors.observe(r, out);
    return out;
  }
  const stats = newParseStats();
  const scanner = new CloudFrontByteScanner(stats, {
    line: (view) => detectors.observeLine(view, out),
    record: (record) => detectors.observe(record, out),
    preview: (view, index) => detectors.previewLine(view, index),
    prefetch: (count) => detectors.prefetch(count),
  });
  const text = Buffer.from(cloudFrontLogHeader() + sorted.map(logLine).join(''));
  for (let at = 0; at < text.length; at += 4096) scanner.push(text.subarray(at, at + 4096));
  scanner.end();
  if (stats.records !== sorted.length) {
    throw new Error(
      `the scanner read ${stats.records} of ${sorted.length} records: ${JSON.stringify(stats.skipped)}`,
    );
  }
  return out;
}
