import { isIPv4 } from 'node:net';
import { ipInRanges } from '@boundless/delivery';

/** Node reports IPv4 peers on dual-stack sockets as `::ffff:a.b.c.d`; CloudFront logs them as plain IPv4. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}

/** CIDR match (`a.b.c.d/n`, or a bare address meaning /32), as CloudFront policies accept. */
export function ipMatchesCidr(ip: string, cidr: string): boolean {
  return ipInRanges(normalizeIp(ip), [cidr.includes('/') ? cidr : `${cidr}/32`]);
}
