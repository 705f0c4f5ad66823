/**
 * Where readers connect from: real address ranges by country and by kind of network, so that geolocation and
 * network ownership in the logs look like the Internet's. Ranges come from the ASN table shipped with the
 * project's geolocation package (owner names say what a network is), countries from the country table.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { embeddedGeo } from '@boundless/copilot/geo';
import { DatasetError } from '../errors.ts';
import type { Draw } from './draw.ts';

export type NetworkKind = 'residential' | 'carrier' | 'campus' | 'cloud' | 'vpn' | 'crawler';

const OWNER_PATTERNS: readonly [NetworkKind, RegExp][] = [
  ['crawler', /^Google LLC$/],
  ['vpn', /m247|datacamp|packethub|clouvider|tzulo|zenlayer|hostroyale|performive|cdn77/i],
  [
    'cloud',
    /amazon|microsoft|digitalocean|ovh|hetzner|linode|akamai|oracle|alibaba|tencent|vultr|choopa|contabo|scaleway|leaseweb|hostinger|google cloud/i,
  ],
  ['campus', /universit|college|school|education|academ|research and education|institute of technology/i],
  [
    'carrier',
    /mobile|wireless|cellular|t-mobile|vodafone|telefonica|jio|airtel|telstra|optus|celcom|verizon|tim s\.?p\.?a|movistar|claro|safaricom|mtn/i,
  ],
];

function kindOf(owner: string): NetworkKind {
  for (const [kind, pattern] of OWNER_PATTERNS) if (pattern.test(owner)) return kind;
  return 'residential';
}

function dotted(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

interface Range {
  start: number;
  size: number;
}

/** Address ranges grouped by country and network kind. */
export class AddressBook {
  private readonly byKey = new Map<string, Range[]>();
  /** The kind of each operator's network, by ASN, as its owner's name says. */
  private readonly kinds = new Map<number, NetworkKind>();

  constructor(countries: readonly string[]) {
    const wanted = new Set(countries);
    const geo = embeddedGeo();
    for (const line of readAsnTable().split('\n')) {
      const first = line.indexOf(',');
      const second = line.indexOf(',', first + 1);
      const third = line.indexOf(',', second + 1);
      if (third < 0) continue;
      const start = Number(line.slice(0, first));
      const end = Number(line.slice(first + 1, second));
      const size = end - start + 1;
      if (!(size >= 16)) continue;
      const owner = line.slice(third + 1).replace(/^"|"$/g, '');
      const kind = kindOf(owner);
      this.kinds.set(Number(line.slice(second + 1, third)), kind);
      // Sample inside the range, away from its edges, and keep it only where geolocation agrees at both ends.
      const country = geo.country(dotted(start + 1));
      if (kind !== 'cloud' && kind !== 'vpn' && kind !== 'crawler' && !wanted.has(country)) continue;
      if (geo.country(dotted(end - 1)) !== country) continue;
      for (const key of [`${country}|${kind}`, `*|${kind}`]) {
        const list = this.byKey.get(key);
        if (list) list.push({ start, size });
        else this.byKey.set(key, [{ start, size }]);
      }
    }
    if (!this.byKey.get('*|residential')?.length)
      throw new DatasetError('no residential address ranges found');
  }

  /** One address of `kind` in `country` (any country when `country` is '*'); residential when none exists. */
  address(draw: Draw, kind: NetworkKind, country: string): string {
    const list = this.rangesFor(kind, country);
    // A range's ends may agree on a country while its middle is elsewhere: draw again until the address is
    // where it was asked for (a few tries; the last one is kept).
    let ip = '';
    for (let attempt = 0; attempt < 8; attempt++) {
      const range = draw.pick(list);
      ip = dotted(range.start + 1 + Math.floor(draw.unit() * (range.size - 2)));
      if (country === '*' || this.countryOf(ip) === country) break;
    }
    return ip;
  }

  /** `count` addresses next to each other in one range: a NAT's or a carrier gateway's public pool. */
  pool(draw: Draw, kind: NetworkKind, country: string, count: number): string[] {
    // Inside one range, so that the whole pool is one operator in one country, as a real NAT's pool is.
    const list = this.rangesFor(kind, country);
    const fitting = list.filter((r) => r.size >= count + 2);
    const range = draw.pick(fitting.length > 0 ? fitting : list);
    const room = Math.max(0, range.size - 2 - count);
    const first = range.start + 1 + Math.floor(draw.unit() * room);
    return Array.from({ length: Math.min(count, range.size - 2) }, (_, i) => dotted(first + i));
  }

  private rangesFor(kind: NetworkKind, country: string): Range[] {
    return (
      this.byKey.get(`${country}|${kind}`) ??
      this.byKey.get(`${country}|residential`) ??
      this.byKey.get(`*|${kind}`) ??
      this.byKey.get('*|residential')!
    );
  }

  /** What an operator's network is, as its owner's name says; undefined for one the ranges left out. */
  networkKind(asn: number): NetworkKind | undefined {
    return this.kinds.get(asn);
  }

  /** The country an address geolocates to, as any reader of the logs would see it. */
  countryOf(ip: string): string {
    return embeddedGeo().country(ip);
  }
}

function readAsnTable(): string {
  const require = createRequire(import.meta.url);
  try {
    const dir = dirname(require.resolve('@ip-location-db/asn/package.json'));
    return readFileSync(join(dir, 'asn-ipv4-num.csv'), 'utf8');
  } catch (error) {
    throw new DatasetError('cannot read the ASN table of @ip-location-db/asn', { cause: error });
  }
}
