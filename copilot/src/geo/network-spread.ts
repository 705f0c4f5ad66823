/**
 * Networks whose addresses do not say where their users are. Geolocation places each address range in a
 * country; an autonomous system whose ranges are placed on several continents (clouds, VPN providers, satellite
 * operators, mobile operators that register addresses abroad) hands any of them to a user anywhere, so a
 * country read from one of its addresses places nobody. With each country as its own region, the same count
 * names the networks spread over several countries (a regional operator's, a transit's), whose country places
 * nobody within a continent. Found from the tables themselves, not from a list of
 * names: the share of a network's geolocated addresses that its main continent holds. Judged on the IPv4 tables;
 * an IPv6 address's network (by its AS number) is judged by its IPv4 ranges, and one without any is placed.
 */
import type { Ranges4 } from './table-cache.ts';

/** A network is placed on one continent when that continent holds at least this share of its addresses. */
export const ONE_CONTINENT_SHARE = 0.9;

/**
 * The AS numbers whose geolocated addresses no single continent holds ONE_CONTINENT_SHARE of. Both tables are
 * sorted, non-overlapping ranges; `countries`' values index `countryCodes`, `asns`' values are AS numbers.
 * Addresses without a country (or whose country has no continent) are left out of the shares.
 */
export function networksAcrossContinents(
  asns: Ranges4,
  countries: Ranges4,
  countryCodes: readonly string[],
  continentOf: (country: string) => string,
): Set<number> {
  const continentIndex = new Map<string, number>();
  const continentOfCode = countryCodes.map((code) => {
    const continent = continentOf(code);
    if (continent.length === 0) return -1;
    let index = continentIndex.get(continent);
    if (index === undefined) {
      index = continentIndex.size;
      continentIndex.set(continent, index);
    }
    return index;
  });
  const width = Math.max(1, continentIndex.size);
  // Addresses per continent of each network.
  const perNetwork = new Map<number, Float64Array>();
  let lastAsn = -1;
  let row: Float64Array = new Float64Array(width);
  let c = 0;
  for (let i = 0; i < asns.starts.length; i++) {
    const asn = asns.values[i]!;
    const start = asns.starts[i]!;
    const end = asns.ends[i]!;
    while (c < countries.starts.length && countries.ends[c]! < start) c++;
    // The country ranges overlapping [start, end]; `c` stays at the first that may overlap the next AS range.
    for (let k = c; k < countries.starts.length && countries.starts[k]! <= end; k++) {
      const continent = continentOfCode[countries.values[k]!] ?? -1;
      if (continent < 0) continue;
      if (asn !== lastAsn) {
        let found = perNetwork.get(asn);
        if (found === undefined) {
          found = new Float64Array(width);
          perNetwork.set(asn, found);
        }
        lastAsn = asn;
        row = found;
      }
      row[continent]! += Math.min(end, countries.ends[k]!) - Math.max(start, countries.starts[k]!) + 1;
    }
  }
  const spread = new Set<number>();
  for (const [asn, sizes] of perNetwork) {
    let total = 0;
    let most = 0;
    for (const size of sizes) {
      total += size;
      if (size > most) most = size;
    }
    if (most < ONE_CONTINENT_SHARE * total) spread.add(asn);
  }
  return spread;
}
