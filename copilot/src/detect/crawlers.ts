/**
 * Search-engine crawlers are welcome on public pages. A user agent alone proves nothing (scrapers borrow
 * "Googlebot"), so a crawler counts as verified only when its agent names a known engine AND the request
 * comes from that engine's own network (ASN), AND it reads public pages without an edge token.
 */
import type { AccessEvent } from './types.ts';

const CRAWLER_ASNS: ReadonlyArray<{ agent: string; asns: readonly number[] }> = [
  { agent: 'googlebot', asns: [15169, 396982] },
  { agent: 'google-inspectiontool', asns: [15169] },
  { agent: 'bingbot', asns: [8075] },
  { agent: 'duckduckbot', asns: [8075, 14618, 16509] },
  { agent: 'applebot', asns: [714, 6185] },
  { agent: 'yandex', asns: [13238, 208722] },
  { agent: 'baiduspider', asns: [55967, 38365] },
  { agent: 'amazonbot', asns: [16509, 14618] },
];

export function isPublicPath(path: string): boolean {
  return !path.startsWith('/titles/');
}

/** Asked of every request: whether it carries a token is read from its serial, not from the id's characters. */
export function isVerifiedCrawler(
  e: Pick<AccessEvent, 'tokenSerial' | 'uriStem' | 'record' | 'asn'>,
): boolean {
  if (e.tokenSerial !== 0 || !isPublicPath(e.uriStem)) return false;
  const agent = e.record.userAgent.toLowerCase();
  for (const crawler of CRAWLER_ASNS) {
    if (agent.includes(crawler.agent)) return crawler.asns.includes(e.asn);
  }
  return false;
}
