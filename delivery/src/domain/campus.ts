import { BlockList, isIP } from 'node:net';

/**
 * Campus rules for B2B entitlements: the organisation lists the public ranges its campuses reach the internet
 * from. Parsed lists are cached because every B2B access request checks the same few organisations.
 */
const cache = new Map<string, BlockList>();

export function parseCidr(
  cidr: string,
): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [network, prefixText, extra] = cidr.split('/');
  if (network === undefined || prefixText === undefined || extra !== undefined) return undefined;
  const version = isIP(network);
  const prefix = Number(prefixText);
  const max = version === 4 ? 32 : 128;
  if (version === 0 || !/^\d{1,3}$/.test(prefixText) || prefix > max) return undefined;
  return { network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** A matcher for the ranges (unreadable ones are left out). */
export function buildBlockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (parsed) list.addSubnet(parsed.network, parsed.prefix, parsed.family);
  }
  return list;
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const key = cidrs.join(',');
  let list = cache.get(key);
  if (!list) {
    list = buildBlockList(cidrs);
    if (cache.size > 1000) cache.clear();
    cache.set(key, list);
  }
  return list;
}

/** Whether an address lies in any of the ranges (unreadable ranges are ignored, an unreadable address is not in). */
export function ipInRanges(ip: string, cidrs: readonly string[]): boolean {
  const version = isIP(ip);
  if (version === 0 || cidrs.length === 0) return false;
  return blockListOf(cidrs).check(ip, version === 4 ? 'ipv4' : 'ipv6');
}

/** An organisation without campus ranges is reachable from anywhere; with ranges, only from inside them. */
export function isWithinCampus(ip: string | undefined, cidrs: readonly string[]): boolean {
  if (cidrs.length === 0) return true;
  return ip !== undefined && ipInRanges(ip, cidrs);
}
