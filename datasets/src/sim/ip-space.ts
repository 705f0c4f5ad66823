import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatasetError } from '../errors.ts';
import type { Rng } from './rng.ts';

/**
 * IPv4 address space as the detector sees it: the GeoLite2-derived country table shipped by `geoip-country`
 * and the RouteViews/DB-IP ASN table of `@ip-location-db/asn`. Sampling draws from an operator's announced
 * ranges and keeps an address only if the country table agrees, so simulated geography survives lookup.
 */
export class IpSpace {
  private readonly geoStarts: Uint32Array;
  private readonly geoEnds: Uint32Array;
  private readonly geoCodes: string[];
  private readonly asnRanges: Map<number, WeightedRanges>;
  private readonly countryRanges = new Map<string, WeightedRanges>();

  constructor(geo: Buffer, asnCsv: string, wantedAsns: ReadonlySet<number>) {
    const records = Math.floor(geo.length / GEO_RECORD);
    this.geoStarts = new Uint32Array(records);
    this.geoEnds = new Uint32Array(records);
    this.geoCodes = new Array<string>(records);
    for (let i = 0; i < records; i++) {
      const at = i * GEO_RECORD;
      this.geoStarts[i] = geo.readUInt32BE(at);
      this.geoEnds[i] = geo.readUInt32BE(at + 4);
      this.geoCodes[i] = geo.toString('latin1', at + 8, at + 10);
    }
    this.asnRanges = parseAsnRanges(asnCsv, wantedAsns);
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

  /** An address inside a published CIDR block (crawler networks). */
  sampleCidr(rng: Rng, cidr: string): string {
    const [base, bits] = cidr.split('/') as [string, string];
    const size = 2 ** (32 - Number(bits));
    return numberToIp(ipToNumber(base) + 1 + rng.int(0, Math.max(1, size - 2)));
  }

  private countryOfNumber(ip: number): string | undefined {
    let lo = 0;
    let hi = this.geoStarts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.geoStarts[mid]! > ip) hi = mid - 1;
      else if (this.geoEnds[mid]! < ip) lo = mid + 1;
      else return this.geoCodes[mid];
    }
    return undefined;
  }

  private rangesOfCountry(country: string): WeightedRanges {
    let ranges = this.countryRanges.get(country);
    if (!ranges) {
      ranges = new WeightedRanges();
      for (let i = 0; i < this.geoCodes.length; i++) {
        if (this.geoCodes[i] === country) ranges.add(this.geoStarts[i]!, this.geoEnds[i]!);
      }
      if (ranges.total === 0) throw new DatasetError(`the country database has no IPv4 range for ${country}`);
      this.countryRanges.set(country, ranges);
    }
    return ranges;
  }
}

const GEO_RECORD = 10;

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

function parseAsnRanges(csv: string, wanted: ReadonlySet<number>): Map<number, WeightedRanges> {
  const out = new Map<number, WeightedRanges>();
  let at = 0;
  while (at < csv.length) {
    let eol = csv.indexOf('\n', at);
    if (eol < 0) eol = csv.length;
    const c1 = csv.indexOf(',', at);
    const c2 = csv.indexOf(',', c1 + 1);
    const c3 = csv.indexOf(',', c2 + 1);
    if (c1 > at && c3 > c2 && c3 < eol) {
      const asn = Number(csv.slice(c2 + 1, c3));
      if (wanted.has(asn)) {
        let ranges = out.get(asn);
        if (!ranges) {
          ranges = new WeightedRanges();
          out.set(asn, ranges);
        }
        ranges.add(Number(csv.slice(at, c1)), Number(csv.slice(c1 + 1, c2)));
      }
    }
    at = eol + 1;
  }
  return out;
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
  const require = createRequire(import.meta.url);
  try {
    const geoDir = dirname(require.resolve('geoip-country/package.json'));
    const asnDir = dirname(require.resolve('@ip-location-db/asn/package.json'));
    const space = new IpSpace(
      readFileSync(join(geoDir, 'data', 'geoip-country.dat')),
      readFileSync(join(asnDir, 'asn-ipv4-num.csv'), 'latin1'),
      wanted,
    );
    cache.set(key, space);
    return space;
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError('cannot load the IP country/ASN databases (geoip-country, @ip-location-db/asn)', {
      cause: error,
    });
  }
}
