/** IPv4 CIDR membership without allocation on the hot path: ranges are parsed once into (base, mask) pairs. */
export interface Ipv4Range {
  base: number;
  mask: number;
}

export function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value >>> 0;
}

export function parseCidr(cidr: string): Ipv4Range {
  const [address = '', bitsText = '32'] = cidr.split('/');
  const base = ipv4ToInt(address);
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) {
    throw new Error(`invalid IPv4 CIDR "${cidr}" (expected a.b.c.d/n with n in 0..32)`);
  }
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (base & mask) >>> 0, mask };
}

export function inRanges(ip: string, ranges: readonly Ipv4Range[]): boolean {
  const value = ipv4ToInt(ip);
  if (value === undefined) return false;
  return ranges.some((range) => (value & range.mask) >>> 0 === range.base);
}
