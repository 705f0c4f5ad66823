/** Builders for detector tests: records, edge tokens and a table-driven geolocation. */
import type { GeoLookup } from '../geo/ip-geo.ts';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { AbuseDetectors } from './engine.ts';
import type { Detection } from './types.ts';

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
};
const CONTINENTS: Record<string, string> = { US: 'NA', KR: 'AS', JP: 'AS', DE: 'EU', FR: 'EU', GB: 'EU' };

export const testGeo: GeoLookup = {
  country: (ip) => NETWORKS[Number(ip.split('.')[1])]?.country ?? '',
  asn: (ip) => NETWORKS[Number(ip.split('.')[1])]?.asn ?? 0,
  continent: (country) => CONTINENTS[country] ?? '',
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

export function request(
  atMs: number,
  ip: string,
  path: string,
  options: { token?: TokenSpec; status?: number; agent?: string; query?: string; result?: string } = {},
): EdgeLogRecord {
  const token = options.token ? `bbt=${bbt(options.token)}` : '';
  const query = [token, options.query ?? ''].filter((q) => q.length > 0).join('&');
  return {
    timestampMs: atMs,
    edgeLocation: 'IAD89-C1',
    bytes: 1000,
    clientIp: ip,
    method: 'GET',
    host: 'd.cloudfront.net',
    uriStem: path,
    status: options.status ?? 200,
    referer: '',
    userAgent: options.agent ?? 'BoundlessReader/4.12.0 (iPhone; iOS 18.1; Scale/3.00)',
    query,
    edgeResultType: options.result ?? 'Hit',
    requestId: 'r',
    timeTakenMs: 5,
    detailedResultType: 'Hit',
    contentType: 'application/xhtml+xml',
  };
}

export function chapter(title: string, n: number): string {
  return `/titles/${title}/epub/ch${String(n).padStart(3, '0')}.xhtml`;
}

/** A reader's session: `count` chapters at human pace (2-6 minutes apart, deterministic). */
export function readingSession(start: number, ip: string, token: TokenSpec, count = 8): EdgeLogRecord[] {
  const title = token.title ?? 't00001';
  const out: EdgeLogRecord[] = [request(start, ip, `/titles/${title}/manifest.json`, { token })];
  let t = start + 2_000;
  for (let i = 1; i <= count; i++) {
    out.push(request(t, ip, chapter(title, i), { token }));
    t += (2 + ((i * 7) % 5)) * MIN;
  }
  return out;
}

export function runDetectors(records: EdgeLogRecord[]): Detection[] {
  const sorted = [...records].sort((a, b) => a.timestampMs - b.timestampMs);
  const detectors = new AbuseDetectors(testGeo);
  const out: Detection[] = [];
  for (const r of sorted) detectors.observe(r, out);
  return out;
}
