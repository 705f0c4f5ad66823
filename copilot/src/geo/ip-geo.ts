/**
 * IP -> country and ASN from databases shipped inside npm packages (geoip-country's GeoLite2 country ranges,
 * @ip-location-db/asn's RouteViews/DB-IP ASN ranges), so detection works offline. IPv4 ranges are loaded once
 * into typed arrays and searched by bisection; IPv6 (rare in these logs) is loaded only when first seen.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { networksAcrossContinents } from './network-spread.ts';
import { cachedTable, geoCacheDirFor, type LabelledRanges, type Ranges4 } from './table-cache.ts';

export type { Ranges4 } from './table-cache.ts';

/** What detectors need from geolocation; tests substitute a table. Unknown: country '' and asn 0. */
export interface GeoLookup {
  country(ip: string): string;
  asn(ip: string): number;
  continent(country: string): string;
  /** Whether the network's addresses are placed on several continents, so that none places its user (network-spread.ts). */
  spansContinents(asn: number): boolean;
  /**
   * Whether the network's addresses are spread over several countries (a regional operator's, a transit's):
   * within a continent its addresses place no one in a particular country (network-spread.ts).
   */
  spansCountries(asn: number): boolean;
}

export class GeoDataError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GeoDataError';
  }
}

const require = createRequire(import.meta.url);

/** The geolocation packages' manifests, named literally so that dependency checks see what is used. */
const PACKAGE_MANIFESTS = {
  'geoip-country': () => require.resolve('geoip-country/package.json'),
  '@ip-location-db/asn': () => require.resolve('@ip-location-db/asn/package.json'),
};

function packageDir(name: keyof typeof PACKAGE_MANIFESTS): string {
  try {
    return dirname(PACKAGE_MANIFESTS[name]());
  } catch (error) {
    throw new GeoDataError(`geolocation package ${name} is not installed`, { cause: error });
  }
}

/** Dotted IPv4 to an unsigned 32-bit number, or -1 when it is not one. */
export function ipv4ToNumber(ip: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9 || digits === 3) return -1;
      part = part * 10 + d;
      digits++;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return value * 256 + part;
}

/**
 * Sorted, non-overlapping ranges with an index on an address's first 16 bits: where the ranges that can hold addresses of each /16
 * begin. A lookup bisects only the few ranges of its /16 instead of the whole table, whose every step was a
 * cache miss (the tables are ~10 MB): geolocating each new address was a sixteenth of `boundless detect`.
 */
export class IndexedRanges4 {
  /** For each /16 prefix p (and p = 65536), the index of the first range ending at or after p's first address. */
  private readonly firstOf16 = new Int32Array(65537);

  constructor(readonly ranges: Ranges4) {
    const ends = ranges.ends;
    let r = 0;
    for (let p = 0; p <= 65536; p++) {
      const low = p * 65536;
      while (r < ends.length && ends[r]! < low) r++;
      this.firstOf16[p] = r;
    }
  }

  /** Index of the range holding `ip` (an unsigned 32-bit number), or -1; the same answer as a bisection of the whole table. */
  find(ip: number): number {
    const { starts, ends } = this.ranges;
    const prefix = ip >>> 16;
    // The range holding ip is the first one ending at or after it: not before the /16's first candidate, not
    // after the next /16's.
    let lo = this.firstOf16[prefix]!;
    let hi = Math.min(this.firstOf16[prefix + 1]!, ends.length - 1);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! < ip) lo = mid + 1;
      else hi = mid;
    }
    return lo < ends.length && ends[lo]! >= ip && starts[lo]! <= ip ? lo : -1;
  }

  /** The value of the range holding `ip`, or -1. */
  valueAt(ip: number): number {
    const at = this.find(ip);
    return at < 0 ? -1 : this.ranges.values[at]!;
  }
}

/** Records of 10 bytes: start (u32 BE), end (u32 BE), ISO country code (2 ASCII bytes). */
export function parseCountryRanges(buffer: Buffer): LabelledRanges {
  const n = Math.floor(buffer.length / 10);
  const ranges = { starts: new Uint32Array(n), ends: new Uint32Array(n), values: new Uint32Array(n) };
  // Codes are indexed by their two bytes, so that no string is made per record (there are ~250 k).
  const codeIndex = new Int32Array(65536).fill(-1);
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const at = i * 10;
    ranges.starts[i] = buffer.readUInt32BE(at);
    ranges.ends[i] = buffer.readUInt32BE(at + 4);
    const pair = buffer.readUInt16BE(at + 8);
    let index = codeIndex[pair]!;
    if (index < 0) {
      index = labels.length;
      labels.push(buffer.toString('latin1', at + 8, at + 10));
      codeIndex[pair] = index;
    }
    ranges.values[i] = index;
  }
  return { ranges, labels };
}

/** A table of one of the geolocation packages, parsed or read from the cache beside it (table-cache.ts). */
function loadTable(
  packageName: keyof typeof PACKAGE_MANIFESTS,
  file: string,
  parse: (bytes: Buffer) => LabelledRanges,
): LabelledRanges {
  const dir = packageDir(packageName);
  const source = join(dir, file);
  return cachedTable(source, geoCacheDirFor(dir), () => parse(readFileSync(source)));
}

function loadCountries4(): { ranges: IndexedRanges4; codes: string[] } {
  const { ranges, labels } = loadTable(
    'geoip-country',
    join('data', 'geoip-country.dat'),
    parseCountryRanges,
  );
  return { ranges: new IndexedRanges4(ranges), codes: labels };
}

/**
 * The networks placed on several regions (network-spread.ts; a region is a country's continent, or the country):
 * about 0.1 s to make from both tables, so kept in the cache beside them as a table of one-number ranges, remade
 * when a table or the regions change.
 */
function loadAcrossRegions(regionOf: (country: string) => string, name: string): Set<number> {
  const asnDir = packageDir('@ip-location-db/asn');
  const sources = [
    join(asnDir, 'asn-ipv4-num.csv'),
    join(packageDir('geoip-country'), 'data', 'geoip-country.dat'),
    require.resolve('countries-list'),
  ];
  const make = (): LabelledRanges => {
    const countries = sharedCountries4();
    const found = networksAcrossContinents(
      sharedAsns4().ranges,
      countries.ranges.ranges,
      countries.codes,
      regionOf,
    );
    const asns = Uint32Array.from(found).sort();
    return { ranges: { starts: asns, ends: asns, values: new Uint32Array(asns.length) }, labels: [] };
  };
  const { ranges } = cachedTable(sources, geoCacheDirFor(asnDir), make, name);
  return new Set(ranges.starts);
}

function loadAsn4(): IndexedRanges4 {
  const { ranges } = loadTable('@ip-location-db/asn', 'asn-ipv4-num.csv', (bytes) => ({
    ranges: parseAsnRanges(bytes),
    labels: [],
  }));
  return new IndexedRanges4(ranges);
}

const COMMA = 44;
const NEWLINE = 10;

/**
 * Rows `start,end,asn,name` (numeric addresses, sorted by start; the name may be quoted and hold commas) into
 * typed arrays. Read as bytes: the file has ~400 k rows, and splitting it into strings cost a quarter of a
 * second and as much again in garbage collection on every start of the copilot and of `boundless detect`.
 * A row with fewer than three commas is skipped; a field that is not all digits reads as 0.
 */
export function parseAsnRanges(bytes: Buffer): Ranges4 {
  let rows = 1;
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) rows++;
  const starts = new Uint32Array(rows);
  const ends = new Uint32Array(rows);
  const values = new Uint32Array(rows);
  const fields = [0, 0, 0];
  let n = 0;
  let i = 0;
  while (i < bytes.length) {
    let field = 0;
    let value = 0;
    let digits = true;
    // The three numbers, up to the third comma or the end of the row.
    for (; i < bytes.length && field < 3; i++) {
      const c = bytes[i]!;
      if (c === NEWLINE) break;
      if (c === COMMA) {
        fields[field++] = digits ? value : 0;
        value = 0;
        digits = true;
      } else if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
      else digits = false;
    }
    // The name, skipped to the end of the row.
    const end = bytes.indexOf(NEWLINE, i);
    i = end < 0 ? bytes.length : end + 1;
    if (field < 3) continue;
    starts[n] = fields[0]!;
    ends[n] = fields[1]!;
    values[n] = fields[2]!;
    n++;
  }
  return { starts: starts.subarray(0, n), ends: ends.subarray(0, n), values: values.subarray(0, n) };
}

export interface Ranges6 {
  starts: bigint[];
  ends: bigint[];
  asns: number[];
}

function ipv6ToBigInt(ip: string): bigint | undefined {
  if (!ipv6Groups(ip)) return undefined;
  let value = 0n;
  for (let k = 0; k < 8; k++) value = (value << 16n) + BigInt(GROUPS[k]!);
  return value;
}

function loadAsn6(): Ranges6 {
  const text = readFileSync(join(packageDir('@ip-location-db/asn'), 'asn-ipv6-num.csv'), 'latin1');
  const out: Ranges6 = { starts: [], ends: [], asns: [] };
  for (const row of text.split('\n')) {
    const [start, end, asn] = row.split(',', 3);
    if (start === undefined || end === undefined || asn === undefined) continue;
    out.starts.push(BigInt(start));
    out.ends.push(BigInt(end));
    out.asns.push(Number(asn));
  }
  return out;
}

function findRange6(ranges: Ranges6, ip: bigint): number {
  let lo = 0;
  let hi = ranges.starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (ranges.starts[mid]! > ip) hi = mid - 1;
    else if (ranges.ends[mid]! < ip) lo = mid + 1;
    else return mid;
  }
  return -1;
}

let countries4: { ranges: IndexedRanges4; codes: string[] } | undefined;
let asns4: IndexedRanges4 | undefined;

/** The IPv4 tables behind `embeddedGeo()`, in address order: country ranges (values index `countryCodes`), ASN ranges. */
export interface Ipv4Tables {
  countries: Ranges4;
  countryCodes: readonly string[];
  asns: Ranges4;
}

/** The embedded IPv4 tables themselves, for those who sample addresses rather than look them up (simulators). */
export function ipv4Tables(): Ipv4Tables {
  const { ranges, codes } = sharedCountries4();
  return { countries: ranges.ranges, countryCodes: codes, asns: sharedAsns4().ranges };
}

let asns6: Ranges6 | undefined;

/** The IPv6 ASN table (sorted ranges), read once per process: lookups and simulators share it. */
export function ipv6AsnRanges(): Ranges6 {
  asns6 ??= loadAsn6();
  return asns6;
}

function sharedCountries4(): { ranges: IndexedRanges4; codes: string[] } {
  countries4 ??= loadCountries4();
  return countries4;
}

function sharedAsns4(): IndexedRanges4 {
  asns4 ??= loadAsn4();
  return asns4;
}

/** The embedded databases; build it once per process with `embeddedGeo()`. */
class EmbeddedGeo implements GeoLookup {
  private readonly countries = sharedCountries4();
  private readonly asns = sharedAsns4();
  private readonly continents: Record<string, { continent?: string }> =
    require('countries-list').countries ?? {};
  private acrossContinents: Set<number> | undefined;
  private acrossCountries: Set<number> | undefined;
  private geoip6: { lookup(ip: string): { country?: string } | null } | undefined;

  country(ip: string): string {
    const n = ipv4ToNumber(ip);
    if (n >= 0) {
      const code = this.countries.ranges.valueAt(n);
      return code < 0 ? '' : this.countries.codes[code]!;
    }
    if (ip.indexOf(':') < 0) return '';
    this.geoip6 ??= require('geoip-country');
    return this.geoip6?.lookup(ip)?.country ?? '';
  }

  asn(ip: string): number {
    const n = ipv4ToNumber(ip);
    if (n >= 0) {
      return Math.max(0, this.asns.valueAt(n));
    }
    const big = ip.indexOf(':') < 0 ? undefined : ipv6ToBigInt(ip);
    if (big === undefined) return 0;
    const ranges = ipv6AsnRanges();
    const at = findRange6(ranges, big);
    return at < 0 ? 0 : ranges.asns[at]!;
  }

  continent(country: string): string {
    return this.continents[country]?.continent ?? '';
  }

  spansContinents(asn: number): boolean {
    this.acrossContinents ??= loadAcrossRegions((code) => this.continent(code), 'networks-across-continents');
    return this.acrossContinents.has(asn);
  }

  spansCountries(asn: number): boolean {
    this.acrossCountries ??= loadAcrossRegions((code) => code, 'networks-across-countries');
    return this.acrossCountries.has(asn);
  }
}

let shared: EmbeddedGeo | undefined;

/** The process-wide embedded geolocation: ~45 ms on first call from the cached tables, ~0.15 s the first time. */
export function embeddedGeo(): GeoLookup {
  shared ??= new EmbeddedGeo();
  return shared;
}

/**
 * The line an IPv6 address is on, as a 32-bit key: its /64, whose low 64 bits each device picks for itself (privacy
 * addresses change them daily), so the devices of one home or one shared Wi-Fi are one line however many addresses
 * they use, and however the text is compressed or cased. -1 for text that is no IPv6 address (an IPv4 address is
 * its own line, behind it a home's or a campus's NAT). Read by hand, not through ipv6ToBigInt (no BigInt a call).
 */
export function ipv6LineKey(ip: string): number {
  if (ip.indexOf(':') < 0 || !ipv6Groups(ip)) return -1;
  let h = 0x811c9dc5;
  for (let k = 0; k < 4; k++) h = Math.imul(h ^ GROUPS[k]!, 0x01000193);
  return h >>> 0;
}

/** The eight groups of the IPv6 address last read by ipv6Groups. */
const GROUPS = new Int32Array(8);
const RIGHT = new Int32Array(8);

/** Reads IPv6 text (`::` expanded, any case) into GROUPS; false when it is no IPv6 address. */
function ipv6Groups(ip: string): boolean {
  const gap = ip.indexOf('::');
  const left = hexGroups(ip, 0, gap < 0 ? ip.length : gap, GROUPS);
  const right = gap < 0 ? 0 : hexGroups(ip, gap + 2, ip.length, RIGHT);
  if (left < 0 || right < 0 || (gap < 0 ? left !== 8 : left + right > 7)) return false;
  GROUPS.fill(0, left, 8 - right);
  for (let k = 0; k < right; k++) GROUPS[8 - right + k] = RIGHT[k]!;
  return true;
}

/** The colon-separated hex groups of text[from, to) into `out`: how many, or -1 when they are not 1-4 hex digits each. */
function hexGroups(text: string, from: number, to: number, out: Int32Array): number {
  if (from === to) return 0;
  let count = 0;
  let value = 0;
  let digits = 0;
  for (let i = from; i <= to; i++) {
    const c = i < to ? text.charCodeAt(i) : 58;
    if (c === 58 /* : */) {
      if (digits === 0 || count === 8) return -1;
      out[count++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0 || ++digits > 4) return -1;
    value = value * 16 + d;
  }
  return count;
}

/**
 * The /24 (IPv4) or /48 (IPv6) network of an address: readers behind one NAT share it. An IPv6 /48 is named by its
 * three groups whatever the text compressed (`2001:db8::1:0:0:5` and `2001:db8:0:5::1` are one /48); an IPv4 address
 * written as IPv6 (`::ffff:203.0.113.9`, as some proxies log it) is its IPv4 /24, not one /48 for every such client.
 */
export function networkOf(ip: string): string {
  const dot = ip.lastIndexOf('.');
  const colon = ip.lastIndexOf(':');
  if (dot > 0 && colon < dot) return ip.slice(colon + 1, dot);
  const value = ipv6ToBigInt(ip);
  if (value === undefined) return ip.split(':').slice(0, 3).join(':');
  const group = (shift: bigint) => ((value >> shift) & 0xffffn).toString(16);
  return `${group(112n)}:${group(96n)}:${group(80n)}`;
}
