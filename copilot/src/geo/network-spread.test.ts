import { describe, expect, it } from 'vitest';
import { embeddedGeo } from './ip-geo.ts';
import { networksAcrossContinents, ONE_CONTINENT_SHARE } from './network-spread.ts';
import type { Ranges4 } from './table-cache.ts';

function ranges(rows: ReadonlyArray<readonly [number, number, number]>): Ranges4 {
  return {
    starts: Uint32Array.from(rows.map((r) => r[0])),
    ends: Uint32Array.from(rows.map((r) => r[1])),
    values: Uint32Array.from(rows.map((r) => r[2])),
  };
}

const CODES = ['NL', 'DE', 'US', 'AU', 'XX'];
const CONTINENTS: Record<string, string> = { NL: 'EU', DE: 'EU', US: 'NA', AU: 'OC' };
const continentOf = (code: string) => CONTINENTS[code] ?? '';

describe('networksAcrossContinents', () => {
  // Countries: NL 0-999, DE 1000-1999, US 2000-2999, AU 3000-3999, XX (no continent) 4000-4999, none 5000-5999.
  const countries = ranges([
    [0, 999, 0],
    [1000, 1999, 1],
    [2000, 2999, 2],
    [3000, 3999, 3],
    [4000, 4999, 4],
  ]);

  it('names a network whose addresses sit on several continents, and not one that stays on one', () => {
    const asns = ranges([
      [0, 399, 100], // network 100: NL and US in equal parts (a mobile operator's pools registered abroad)
      [500, 1499, 200], // network 200: NL and DE, one continent (a European carrier)
      [2000, 2399, 100],
      [2400, 2999, 300], // network 300: US only
    ]);
    expect([...networksAcrossContinents(asns, countries, CODES, continentOf)]).toEqual([100]);
  });

  it("with each country as its own region, names a network spread over one continent's countries too", () => {
    const asns = ranges([
      [0, 399, 100], // NL and US
      [500, 1499, 200], // NL and DE: a European carrier, spread over two countries of one continent
      [2400, 2999, 300], // US only
      [2000, 2399, 100],
    ]);
    const byCountry = [...networksAcrossContinents(asns, countries, CODES, (code) => code)].sort();
    expect(byCountry).toEqual([100, 200]);
  });

  it('weighs continents by addresses: a stray block abroad does not spread a network, a large one does', () => {
    const share = (abroad: number) =>
      networksAcrossContinents(
        ranges([
          [0, 999, 7],
          [2000, 2000 + abroad - 1, 7],
        ]),
        countries,
        CODES,
        continentOf,
      ).has(7);
    // 1,000 addresses in NL; abroad under a tenth of the whole stays on one continent.
    expect(share(50)).toBe(false);
    expect(share(110)).toBe(false);
    expect(share(112)).toBe(true);
    expect(share(500)).toBe(true);
    expect(ONE_CONTINENT_SHARE).toBe(0.9);
  });

  it('splits one address range over the country ranges it crosses', () => {
    // One range from NL across DE into US: 1,000 + 1,000 in Europe, 1,000 in North America.
    const asns = ranges([[0, 2999, 9]]);
    expect(networksAcrossContinents(asns, countries, CODES, continentOf).has(9)).toBe(true);
    const european = ranges([[0, 1999, 9]]);
    expect(networksAcrossContinents(european, countries, CODES, continentOf).has(9)).toBe(false);
  });

  it('leaves out addresses without a country or a continent, and networks with none placed', () => {
    const asns = ranges([
      [0, 99, 11], // 100 in NL
      [4000, 4999, 11], // XX: no continent
      [5000, 5999, 11], // no country range at all
      [5000 + 1000, 5000 + 1999, 12], // network 12: nothing placed
    ]);
    const spread = networksAcrossContinents(asns, countries, CODES, continentOf);
    expect(spread.has(11)).toBe(false);
    expect(spread.has(12)).toBe(false);
  });

  it('on the embedded tables: clouds and VPN providers span continents, national carriers do not', () => {
    const geo = embeddedGeo();
    // Amazon, M247 (VPN exits) and a satellite operator; Deutsche Telekom, Comcast and KPN.
    for (const asn of [16509, 9009, 14593]) expect(geo.spansContinents(asn)).toBe(true);
    for (const asn of [3320, 7922, 1136]) expect(geo.spansContinents(asn)).toBe(false);
    expect(geo.spansContinents(0)).toBe(false);
  });
});
