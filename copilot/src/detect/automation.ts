/**
 * Automation fingerprints that a request carries by itself: who the user agent says it is, and whether the
 * address belongs to a hosting provider. Neither proves abuse alone: monitors run HTTP tools on purpose, and
 * readers use VPNs whose exits sit in hosting networks. They corroborate what behaviour shows.
 */
import type { AccessEvent } from './types.ts';

export const AGENT_UNKNOWN = 0;
/** A browser or a reading app: what people use. */
export const AGENT_PERSON = 1;
/** An HTTP library, command-line downloader, crawler framework or headless browser. */
export const AGENT_TOOL = 2;
/** A search engine's crawler by name (verified separately by its network). */
export const AGENT_CRAWLER = 3;

export type AgentClass = 0 | 1 | 2 | 3;

const TOOLS = [
  'curl/',
  'wget/',
  'python-requests',
  'python-urllib',
  'python-httpx',
  'aiohttp',
  'go-http-client',
  'java/',
  'apache-httpclient',
  'libwww-perl',
  'lwp::',
  'scrapy',
  'node-fetch',
  'axios/',
  'undici',
  'httpie',
  'headlesschrome',
  'phantomjs',
  'puppeteer',
  'playwright',
  'selenium',
  'wkhtmlto',
  'httrack',
  'offline explorer',
  'teleport',
];

const CRAWLERS = ['googlebot', 'bingbot', 'duckduckbot', 'applebot', 'yandex', 'baiduspider', 'amazonbot'];

/** The class of a decoded user agent; empty or `-` agents are unknown. */
export function agentClassOf(userAgent: string): AgentClass {
  if (userAgent.length === 0 || userAgent === '-') return AGENT_UNKNOWN;
  const agent = userAgent.toLowerCase();
  for (const crawler of CRAWLERS) if (agent.includes(crawler)) return AGENT_CRAWLER;
  for (const tool of TOOLS) if (agent.includes(tool)) return AGENT_TOOL;
  return AGENT_PERSON;
}

/**
 * Cloud and hosting networks (AS numbers): servers, not homes. Readers reach us from them only through VPNs
 * and corporate proxies, scrapers routinely.
 */
const HOSTING_ASNS = new Set<number>([
  16509,
  14618,
  8987, // Amazon
  15169,
  396982,
  19527, // Google
  8075,
  8068, // Microsoft
  14061, // DigitalOcean
  24940,
  213230, // Hetzner
  16276, // OVH
  51167, // Contabo
  63949, // Akamai Linode
  20473, // Vultr
  31898, // Oracle
  45102,
  37963, // Alibaba
  132203,
  45090, // Tencent
  9009, // M247
  60068,
  212238, // Datacamp
  212317, // Hetzner Online cloud
  36352, // ColoCrossing
  62567, // DigitalOcean (old)
  12876, // Scaleway
  8560, // IONOS
  197540, // netcup
  40021, // Contabo US
]);

export function isHostingNetwork(asn: number): boolean {
  return HOSTING_ASNS.has(asn);
}

/**
 * Engines and the networks they crawl from: a crawler agent from anywhere else is just a claim. Google's crawlers
 * come from Google's own networks (AS15169, AS19527) and its cloud (AS396982).
 */
const GOOGLE_ASNS = [15169, 19527, 396982];
const CRAWLER_ASNS: ReadonlyArray<{ agent: string; asns: readonly number[] }> = [
  { agent: 'googlebot', asns: GOOGLE_ASNS },
  { agent: 'google-inspectiontool', asns: GOOGLE_ASNS },
  { agent: 'bingbot', asns: [8075] },
  { agent: 'duckduckbot', asns: [8075, 14618, 16509] },
  { agent: 'applebot', asns: [714, 6185] },
  { agent: 'yandex', asns: [13238, 208722] },
  { agent: 'baiduspider', asns: [55967, 38365] },
  { agent: 'amazonbot', asns: [16509, 14618] },
];

/** Paths the viewer-request function serves without an edge token (delivery/EDGE.md, check 2). */
export function isPublicPath(path: string): boolean {
  return path.startsWith('/public/') || path === '/robots.txt' || path === '/favicon.ico';
}

/**
 * A verified search-engine crawler: its agent names a known engine AND the request comes from that engine's
 * own network AND it carries no edge token (crawlers read what is public). Asked of token-less requests only.
 */
export function isVerifiedCrawler(e: Pick<AccessEvent, 'tokenSerial' | 'record' | 'asn'>): boolean {
  if (e.tokenSerial !== 0) return false;
  const agent = e.record.userAgent.toLowerCase();
  for (const crawler of CRAWLER_ASNS) {
    if (agent.includes(crawler.agent)) return crawler.asns.includes(e.asn);
  }
  return false;
}
