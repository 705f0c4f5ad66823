import { type Ipv4Tables, ipv4Tables } from '@boundless/copilot/geo';
import { DatasetError } from '../errors.ts';
import type { Rng } from './rng.ts';

/**
 * IPv4 address space as the detector sees it: the copilot's own tables (`@boundless/copilot/geo`), from the
 * GeoLite2-derived country table of `geoip-country` and the RouteViews/DB-IP ASN table of `@ip-location-db/asn`. Sampling draws from an operator's announced
 * ranges and keeps an address only if the country table agrees, so simulated geography survives lookup.
 */
export class IpSpace {
  private readonly asnRanges = new Map<number, WeightedRanges>();
  private readonly countryRanges = new Map<string, WeightedRanges>();

  constructor(
    private readonly tables: Ipv4Tables,
    wantedAsns: ReadonlySet<number>,
  ) {
    const { starts, ends, values } = tables.asns;
    for (let i = 0; i < values.length; i++) {
      const asn = values[i]!;
      if (!wantedAsns.has(asn)) continue;
      let ranges = this.asnRanges.get(asn);
      if (!ranges) {
        ranges = new WeightedRanges();
        this.asnRanges.set(asn, ranges);
      }
      ranges.add(starts[i]!, ends[i]!);
    }
  }

  countryOf(ip: string): string | undefined {
    return this.countryOfNumber(ipToNumber(ip));
  }

  /** An address announced by one of `asns` that geolocates to `country`; any address of the country otherwise. */
  sample(rng: Rng, country: string, asns: readonly number[]): string {
    const candidates = asns.filter((asn) => this.asnRanges.has(asn));
    for (let attempt = 0; attempt < 40 && candidates.length > 0; attempt++) {
      const ranges = this.asnRanges.get(rng.pick(candidates))!;
      const ip = pickAddress(rng, ranges);
      if (this.countryOfNumber(ip) === country) return numberToIp(ip);
    }
    return numberToIp(pickAddress(rng, this.rangesOfCountry(country)));
  }

  /** An address announced by `asn`, wherever the country table places it (a VPN provider's exits). */
  sampleAsn(rng: Rng, asn: number): { ip: string; country: string } | undefined {
    const ranges = this.asnRanges.get(asn);
    if (!ranges) return undefined;
    for (let attempt = 0; attempt < 40; attempt++) {
      const ip = pickAddress(rng, ranges);
      const country = this.countryOfNumber(ip);
      if (country !== undefined) return { ip: numberToIp(ip), country };
    }
    return undefined;
  }

  /** An address inside a published CIDR block (crawler networks). */
  sampleCidr(rng: Rng, cidr: string): string {
    const [base, bits] = cidr.split('/') as [string, string];
    const size = 2 ** (32 - Number(bits));
    return numberToIp(ipToNumber(base) + 1 + rng.int(0, Math.max(1, size - 2)));
  }

  private countryOfNumber(ip: number): string | undefined {
    const { starts, ends, values } = this.tables.countries;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! > ip) hi = mid - 1;
      else if (ends[mid]! < ip) lo = mid + 1;
      else return this.tables.countryCodes[values[mid]!];
    }
    return undefined;
  }

  private rangesOfCountry(country: string): WeightedRanges {
    let ranges = this.countryRanges.get(country);
    if (!ranges) {
      ranges = new WeightedRanges();
      const code = this.tables.countryCodes.indexOf(country);
      const { starts, ends, values } = this.tables.countries;
      for (let i = 0; i < values.length; i++) {
        if (values[i] === code) ranges.add(starts[i]!, ends[i]!);
      }
      if (ranges.total === 0) throw new DatasetError(`the country database has no IPv4 range for ${country}`);
      this.countryRanges.set(country, ranges);
    }
    return ranges;
  }
}

class WeightedRanges {
  readonly starts: number[] = [];
  readonly cumulative: number[] = [];
  total = 0;

  add(start: number, end: number): void {
    this.starts.push(start);
    this.total += end - start + 1;
    this.cumulative.push(this.total);
  }
}

function pickAddress(rng: Rng, ranges: WeightedRanges): number {
  for (;;) {
    const x = Math.floor(rng.next() * ranges.total);
    let lo = 0;
    let hi = ranges.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ranges.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    const before = lo === 0 ? 0 : ranges.cumulative[lo - 1]!;
    const ip = ranges.starts[lo]! + (x - before);
    const last = ip & 255;
    // Host addresses only: .0 and .255 read as network and broadcast addresses to anyone looking.
    if (last !== 0 && last !== 255) return ip;
  }
}

export function ipToNumber(ip: string): number {
  const parts = ip.split('.');
  return (
    ((Number(parts[0]) << 24) >>> 0) + (Number(parts[1]) << 16) + (Number(parts[2]) << 8) + Number(parts[3])
  );
}

export function numberToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const cache = new Map<string, IpSpace>();

/** Loads the installed databases once per process and set of wanted operators. */
export function loadIpSpace(wantedAsns: Iterable<number>): IpSpace {
  const wanted = new Set(wantedAsns);
  const key = [...wanted].sort((a, b) => a - b).join(',');
  const cached = cache.get(key);
  if (cached) return cached;
  try {
    const space = new IpSpace(ipv4Tables(), wanted);
    cache.set(key, space);
    return space;
  } catch (error) {
    throw new DatasetError('cannot load the IP country/ASN databases (geoip-country, @ip-location-db/asn)', {
      cause: error,
    });
  }
}
