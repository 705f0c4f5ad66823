/**
 * Where simulated readers live and which real networks carry them. ASNs are real operators; addresses are
 * sampled from their announced ranges and kept only when the country database agrees (see ip-space.ts), so a
 * detector that geolocates `c-ip` sees the country the simulator meant.
 */
import { DatasetError } from '../errors.ts';

export interface CountryProfile {
  readonly code: string;
  /** Where most of its readers live (a large city), for flight distances. */
  readonly lat: number;
  readonly lon: number;
  /** Relative share of B2C readers. */
  readonly share: number;
  /** Standard-time UTC offset in hours (early November: northern DST is over). */
  readonly utcOffset: number;
  /** CloudFront edge locations (IATA-like) that serve this country. */
  readonly edges: readonly string[];
  readonly residential: readonly number[];
  readonly mobile: readonly number[];
  readonly education: readonly number[];
}

export const COUNTRIES: readonly CountryProfile[] = [
  {
    code: 'US',
    lat: 38.9,
    lon: -77.0,
    share: 30,
    utcOffset: -5,
    edges: ['IAD89-C1', 'JFK50-P2', 'ORD52-C3', 'DFW56-P1', 'SFO53-C2', 'SEA19-C1'],
    residential: [7922, 20115, 7018, 701],
    mobile: [21928, 20057],
    education: [3, 32],
  },
  {
    code: 'GB',
    lat: 51.5,
    lon: -0.1,
    share: 10,
    utcOffset: 0,
    edges: ['LHR61-P3', 'LHR50-C1', 'MAN51-C1'],
    residential: [2856, 5089],
    mobile: [5378, 35228],
    education: [786],
  },
  {
    code: 'DE',
    lat: 50.1,
    lon: 8.7,
    share: 9,
    utcOffset: 1,
    edges: ['FRA56-C1', 'FRA60-P2', 'MUC50-C1', 'TXL52-C1'],
    residential: [3320, 3209],
    mobile: [6805],
    education: [680],
  },
  {
    code: 'FR',
    lat: 48.9,
    lon: 2.4,
    share: 6,
    utcOffset: 1,
    edges: ['CDG52-C1', 'CDG55-P1', 'MRS52-C1'],
    residential: [3215, 12322],
    mobile: [15557, 5410],
    education: [2200],
  },
  {
    code: 'IN',
    lat: 19.1,
    lon: 72.9,
    share: 8,
    utcOffset: 5.5,
    edges: ['BOM78-P1', 'DEL54-C2', 'MAA51-C1', 'BLR50-C1'],
    residential: [24560, 9498],
    mobile: [55836, 45271],
    education: [9498],
  },
  {
    code: 'BR',
    lat: -23.5,
    lon: -46.6,
    share: 6,
    utcOffset: -3,
    edges: ['GRU3-C1', 'GIG51-C1'],
    residential: [28573, 26599],
    mobile: [26615],
    education: [1916],
  },
  {
    code: 'JP',
    lat: 35.7,
    lon: 139.7,
    share: 7,
    utcOffset: 9,
    edges: ['NRT57-P2', 'NRT20-C4', 'KIX56-C1'],
    residential: [4713, 2516, 2497],
    mobile: [9605, 17676],
    education: [2497],
  },
  {
    code: 'CA',
    lat: 43.7,
    lon: -79.4,
    share: 5,
    utcOffset: -5,
    edges: ['YTO50-C1', 'YUL62-C1', 'YVR52-C1'],
    residential: [812, 577],
    mobile: [812],
    education: [577],
  },
  {
    code: 'AU',
    lat: -33.9,
    lon: 151.2,
    share: 5,
    utcOffset: 11,
    edges: ['SYD62-P2', 'MEL50-C2'],
    residential: [1221],
    mobile: [4804],
    education: [1221],
  },
  {
    code: 'ES',
    lat: 40.4,
    lon: -3.7,
    share: 3,
    utcOffset: 1,
    edges: ['MAD53-C1'],
    residential: [3352],
    mobile: [3352],
    education: [3352],
  },
  {
    code: 'IT',
    lat: 45.5,
    lon: 9.2,
    share: 3,
    utcOffset: 1,
    edges: ['MXP63-C2'],
    residential: [3269],
    mobile: [3269],
    education: [3269],
  },
  {
    code: 'NL',
    lat: 52.4,
    lon: 4.9,
    share: 2,
    utcOffset: 1,
    edges: ['AMS1-C1', 'AMS54-C1'],
    residential: [1136],
    mobile: [1136],
    education: [1136],
  },
  {
    code: 'KR',
    lat: 37.6,
    lon: 127.0,
    share: 3,
    utcOffset: 9,
    edges: ['ICN57-C1'],
    residential: [4766],
    mobile: [4766],
    education: [4766],
  },
  {
    code: 'MX',
    lat: 19.4,
    lon: -99.1,
    share: 2,
    utcOffset: -6,
    edges: ['QRO51-C1'],
    residential: [8151],
    mobile: [8151],
    education: [8151],
  },
  {
    code: 'SE',
    lat: 59.3,
    lon: 18.1,
    share: 1,
    utcOffset: 1,
    edges: ['ARN54-C1'],
    residential: [3301, 29518],
    mobile: [1257],
    education: [3301],
  },
];

/**
 * Countries with (almost) no Boundless readers: where bot farms rent addresses, and where a viral link can
 * produce a surge against a near-zero baseline.
 */
export const SPIKE_COUNTRIES: readonly CountryProfile[] = [
  {
    code: 'VN',
    lat: 21.0,
    lon: 105.8,
    share: 0,
    utcOffset: 7,
    edges: ['HAN50-C1', 'SGN50-C1'],
    residential: [7552, 45899, 18403],
    mobile: [7552],
    education: [],
  },
  {
    code: 'ID',
    lat: -6.2,
    lon: 106.8,
    share: 0,
    utcOffset: 7,
    edges: ['CGK52-C1'],
    residential: [7713],
    mobile: [7713],
    education: [],
  },
  {
    code: 'TH',
    lat: 13.8,
    lon: 100.5,
    share: 0,
    utcOffset: 7,
    edges: ['BKK50-C1'],
    residential: [7470, 17552],
    mobile: [7470],
    education: [],
  },
  {
    code: 'PH',
    lat: 14.6,
    lon: 121.0,
    share: 0,
    utcOffset: 8,
    edges: ['MNL50-C1'],
    residential: [9299, 132199],
    mobile: [132199],
    education: [],
  },
  {
    code: 'TR',
    lat: 41.0,
    lon: 29.0,
    share: 0,
    utcOffset: 3,
    edges: ['IST52-C1'],
    residential: [9121],
    mobile: [16135],
    education: [],
  },
  {
    code: 'RU',
    lat: 55.8,
    lon: 37.6,
    share: 0,
    utcOffset: 3,
    edges: ['HEL51-C1'],
    residential: [12389, 8359],
    mobile: [8359],
    education: [],
  },
];

/** Hosting and cloud networks (scrapers, monitors), with the country their addresses geolocate to. */
export const HOSTING: readonly { readonly asn: number; readonly country: string; readonly name: string }[] = [
  { asn: 16509, country: 'US', name: 'Amazon' },
  { asn: 14061, country: 'US', name: 'DigitalOcean' },
  { asn: 24940, country: 'DE', name: 'Hetzner' },
  { asn: 16276, country: 'FR', name: 'OVH' },
  { asn: 51167, country: 'DE', name: 'Contabo' },
  { asn: 396982, country: 'US', name: 'Google Cloud' },
];

/**
 * Commercial VPN exits: hosting networks in many countries. A reader behind one appears in another country
 * and network than at home, without travelling.
 */
export const VPN_EXITS: readonly { readonly asn: number; readonly country: string }[] = [
  { asn: 9009, country: 'GB' },
  { asn: 60068, country: 'DE' },
  { asn: 212238, country: 'US' },
  { asn: 16276, country: 'FR' },
  { asn: 24940, country: 'DE' },
  { asn: 14061, country: 'US' },
  { asn: 20473, country: 'US' },
];

/** Published crawler networks (googlebot.json, bingbot.json): verified crawlers come only from these. */
export const CRAWLER_NETWORKS = {
  googlebot: ['66.249.64.0/27', '66.249.66.0/27', '66.249.68.0/27', '66.249.70.32/27', '66.249.79.0/27'],
  bingbot: ['157.55.39.0/24', '207.46.13.0/24', '40.77.167.0/24'],
} as const;

const BY_CODE = new Map([...COUNTRIES, ...SPIKE_COUNTRIES].map((c) => [c.code, c]));

export function countryProfile(code: string): CountryProfile {
  const profile = BY_CODE.get(code);
  if (!profile) throw new DatasetError(`no country profile for "${code}"`);
  return profile;
}

/** Great-circle distance between two countries' reading centres, km. */
function distanceKm(from: string, to: string): number {
  const a = countryProfile(from);
  const b = countryProfile(to);
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Door-to-door hours of a flight: distance at cruise speed plus time at both airports. */
export function travelHours(from: string, to: string, cruiseKmh = 830, airportHours = 2): number {
  return distanceKm(from, to) / cruiseKmh + airportHours;
}
