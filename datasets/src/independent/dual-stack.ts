/**
 * IPv6 beside IPv4. Most broadband and mobile operators are dual-stack: a subscriber's devices reach the edge over
 * IPv6 when they can and over the IPv4 address (often shared) when a connection happens to go that way. A share of
 * the operators' networks (by IPv4 /24) is made dual-stack here: each gets a /48 of the same operator (ASN), in the
 * country geolocation gives its IPv4 address. A home network is one /64 for the household behind its IPv4 address,
 * and a campus's devices share its Wi-Fi's /64 the same way (addresses picked by each device on one link); behind a
 * mobile carrier's shared IPv4 addresses every device has a /64 of its own (a mobile network gives each its own
 * prefix). A campus that gives each device its own /64 is not modelled. Each device has a
 * privacy address a day, and each two-minute connection goes over IPv6 with probability 0.7 (Happy Eyeballs
 * prefers it). Hosting networks (clouds, VPN exits, crawlers) stay IPv4. Choices are hashes of the seed and the
 * request's fields, never draws, so the rest of the population is the same with or without IPv6.
 */
import { embeddedGeo, ipv6AsnRanges } from '@boundless/copilot/geo';
import type { NetworkKind } from './addresses.ts';
import { hash32 } from './draw.ts';

/** Share of a dual-stack network's connections made over IPv6. */
const IPV6_PREFERENCE = 0.7;
/** A connection, and so its address family, lasts this long. */
const CONNECTION_MS = 2 * 60_000;
/** An operator's range must hold at least a /40 to lend /48s. */
const MIN_RANGE_BITS = 88n;

function hash64(text: string, seed: number): bigint {
  return (BigInt(hash32(text, seed)) << 32n) | BigInt(hash32(text, seed ^ 0x5bd1e995));
}

/** An IPv6 address as logs print it: RFC 5952's compressed form (the URL parser serialises hosts that way). */
function ipv6Text(value: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/** An operator's IPv6 ranges of at least a /40, by ASN, from the table geolocation reads. */
function ipv6RangesByAsn(): Map<number, [bigint, bigint][]> {
  const { starts, ends, asns } = ipv6AsnRanges();
  const byAsn = new Map<number, [bigint, bigint][]>();
  for (let i = 0; i < starts.length; i++) {
    const [from, to, asn] = [starts[i]!, ends[i]!, asns[i]!];
    if (to - from + 1n < 1n << MIN_RANGE_BITS) continue;
    const list = byAsn.get(asn);
    if (list) list.push([from, to]);
    else byAsn.set(asn, [[from, to]]);
  }
  return byAsn;
}

export class DualStack {
  private readonly ranges = ipv6RangesByAsn();
  /** The /48 of each IPv4 /24 made dual-stack and whether its devices each have a /64, or null for IPv4 only. */
  private readonly prefixes = new Map<string, { prefix: bigint; perDevice: boolean } | null>();
  private readonly geo = embeddedGeo();

  /**
   * @param share the share of operators' networks (0–1, checked by the caller) that are dual-stack
   * @param kindOf what an operator's network is, by ASN (clouds, VPN exits and crawlers stay IPv4-only)
   */
  constructor(
    private readonly share: number,
    private readonly seed: number,
    private readonly kindOf: (asn: number) => NetworkKind | undefined,
  ) {}

  /**
   * The address a request from IPv4 address `ip` leaves from; `device` names the client (the token's device
   * claim, or its user agent), `t` its time.
   */
  address(ip: string, device: string, t: number): string {
    const network = this.prefixOf(ip);
    if (network === null) return ip;
    const connection = Math.floor(t / CONNECTION_MS);
    if (hash32(`${ip}|${device}|${connection}`, this.seed) / 2 ** 32 >= IPV6_PREFERENCE) return ip;
    const lan = BigInt(hash32(network.perDevice ? `lan|${device}` : `lan|${ip}`, this.seed) & 0xffff) << 64n;
    const day = Math.floor(t / 86_400_000);
    const host = hash64(`host|${ip}|${device}|${day}`, this.seed);
    return ipv6Text(network.prefix + lan + host);
  }

  private prefixOf(ip: string): { prefix: bigint; perDevice: boolean } | null {
    const network = ip.slice(0, ip.lastIndexOf('.'));
    let prefix = this.prefixes.get(network);
    if (prefix === undefined) {
      prefix = this.pickPrefix(ip, network);
      this.prefixes.set(network, prefix);
    }
    return prefix;
  }

  /** A /48 of the operator's, where geolocation places the IPv4 address; null when not dual-stack or none is. */
  private pickPrefix(ip: string, network: string): { prefix: bigint; perDevice: boolean } | null {
    if (hash32(`ds|${network}`, this.seed) / 2 ** 32 >= this.share) return null;
    const asn = this.geo.asn(ip);
    const ranges = this.ranges.get(asn);
    const kind = this.kindOf(asn);
    if (ranges === undefined || kind === 'cloud' || kind === 'vpn' || kind === 'crawler') return null;
    const perDevice = kind === 'carrier';
    const country = this.geo.country(ip);
    const first = hash32(`range|${network}`, this.seed);
    for (let k = 0; k < Math.min(ranges.length, 16); k++) {
      const [from, to] = ranges[(first + k) % ranges.length]!;
      const slash48s = (to - from + 1n) >> 80n;
      const prefix = from + ((hash64(`p48|${network}`, this.seed) % slash48s) << 80n);
      if (this.geo.country(ipv6Text(prefix + 1n)) === country) return { prefix, perDevice };
    }
    return null;
  }
}
