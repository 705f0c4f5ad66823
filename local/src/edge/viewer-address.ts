import { isIP } from 'node:net';
import { buildBlockList } from '@boundless/delivery';
import { normalizeIp } from './cidr.ts';

/**
 * Where the edge takes a viewer's address from: the TCP peer (what CloudFront itself sees), or
 * `x-forwarded-for` as written by trusted proxies in front of the edge.
 */
export type ViewerIpSource = 'socket' | 'x-forwarded-for';

/** Loopback: a local traffic simulator on this machine standing in for many viewers. */
export const LOOPBACK_PROXIES: readonly string[] = ['127.0.0.0/8', '::1/128'];

/** Whether an address is one of the proxies (CIDRs) whose `x-forwarded-for` is believed. */
export function trustedProxyMatcher(cidrs: readonly string[]): (ip: string) => boolean {
  const list = buildBlockList(cidrs);
  return (ip) => {
    const version = isIP(ip);
    return version !== 0 && list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * The viewer address a request is logged and judged under, given its TCP peer and `x-forwarded-for`. Each
 * proxy appends the address it received the request from, so only the right end of the header was written by
 * proxies; its left end is whatever the client sent. Walking from the peer leftwards past trusted proxies, the
 * first address that is not one is the viewer. A peer that is not a trusted proxy is the viewer whatever the
 * header says; a hop that is not an address ends the walk at the last trusted one.
 */
export function viewerAddress(
  peer: string,
  forwarded: string | string[] | undefined,
  from: ViewerIpSource,
  isTrustedProxy: (ip: string) => boolean,
): string {
  let viewer = normalizeIp(peer);
  if (from === 'socket' || !isTrustedProxy(viewer)) return viewer;
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeIp(hops[i]!.trim());
    if (isIP(hop) === 0) break;
    viewer = hop;
    if (!isTrustedProxy(hop)) break;
  }
  return viewer;
}
