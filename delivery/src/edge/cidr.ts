import { isIPv4 } from 'node:net';

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => (acc << 8) + Number(octet), 0) >>> 0;
}

/** Node reports IPv4 peers on dual-stack sockets as `::ffff:a.b.c.d`; CloudFront logs them as plain IPv4. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}

/** IPv4 CIDR match (`a.b.c.d/n`, or a bare address meaning /32), as CloudFront policies accept. */
export function ipMatchesCidr(ip: string, cidr: string): boolean {
  const viewer = normalizeIp(ip);
  const [base, bitsText = '32'] = cidr.split('/');
  if (!base || !isIPv4(base) || !isIPv4(viewer) || !/^[0-9]{1,2}$/.test(bitsText)) return false;
  const bits = Number(bitsText);
  if (bits > 32) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (ipv4ToInt(viewer) & mask) >>> 0 === (ipv4ToInt(base) & mask) >>> 0;
}
