import { mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAsnRanges, parseCountryRanges } from './ip-geo.ts';
import { cachedTable, geoCacheDirFor, type LabelledRanges, readTable, writeTable } from './table-cache.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'boundless-geo-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function plain(table: LabelledRanges) {
  const { starts, ends, values } = table.ranges;
  return { starts: [...starts], ends: [...ends], values: [...values], labels: table.labels };
}

/** Three country records of 10 bytes each (start, end big-endian; two-letter code). */
function countryFile(codes: string[]): Buffer {
  const out = Buffer.alloc(codes.length * 10);
  codes.forEach((code, i) => {
    out.writeUInt32BE(i * 1000, i * 10);
    out.writeUInt32BE(i * 1000 + 999, i * 10 + 4);
    out.write(code, i * 10 + 8, 'latin1');
  });
  return out;
}

/** A source file and a parse that counts its calls. */
async function source(name: string, content: Buffer) {
  const path = join(dir, name);
  await writeFile(path, content);
  const counter = { parses: 0 };
  const parse = () => {
    counter.parses++;
    return parseCountryRanges(readFileSync(path));
  };
  return { path, parse, counter };
}

describe('geolocation table cache', () => {
  it('reads back exactly the table it wrote, labels included', () => {
    const table = parseCountryRanges(countryFile(['DE', 'US', 'DE', 'JP']));
    const path = join(dir, 'round-trip.ranges');
    expect(writeTable(path, table)).toBe(true);
    const read = readTable(path);
    expect(read && plain(read)).toEqual(plain(table));
    expect(read?.labels).toEqual(['DE', 'US', 'JP']);
    const asn = { ranges: parseAsnRanges(Buffer.from('1,2,13335,"A, B"\n5,9,7922,C\n')), labels: [] };
    writeTable(path, asn);
    expect(plain(readTable(path)!)).toEqual(plain(asn));
  });

  it('parses once, then reads the cache; a changed source is parsed again and its old cache removed', async () => {
    const cache = join(dir, 'cache-a');
    const { path, parse, counter } = await source('countries-a.dat', countryFile(['DE', 'US']));
    const first = cachedTable(path, cache, parse);
    const second = cachedTable(path, cache, parse);
    expect(counter.parses).toBe(1);
    expect(plain(second)).toEqual(plain(first));
    await writeFile(path, countryFile(['FR', 'FR', 'BR']));
    const changed = cachedTable(path, cache, parse);
    expect(counter.parses).toBe(2);
    expect(changed.labels).toEqual(['FR', 'BR']);
    expect((await readdir(cache)).filter((n) => n.startsWith('countries-a.dat.'))).toHaveLength(1);
  });

  it('keeps a table made from several sources under its own name, remade when any of them changes', async () => {
    const cache = join(dir, 'cache-derived');
    const first = await source('countries-d1.dat', countryFile(['DE']));
    const second = await source('countries-d2.dat', countryFile(['US']));
    // Beside a cached table of the first source, which the derived one must leave alone.
    cachedTable(first.path, cache, first.parse);
    let makes = 0;
    const make = () => {
      makes++;
      return parseCountryRanges(readFileSync(second.path));
    };
    cachedTable([first.path, second.path], cache, make, 'derived');
    cachedTable([first.path, second.path], cache, make, 'derived');
    expect(makes).toBe(1);
    await writeFile(second.path, countryFile(['JP', 'JP']));
    expect(cachedTable([first.path, second.path], cache, make, 'derived').labels).toEqual(['JP']);
    expect(makes).toBe(2);
    const names = await readdir(cache);
    expect(names.filter((n) => n.startsWith('derived.'))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith('countries-d1.dat.'))).toHaveLength(1);
  });

  it('parses around a damaged cache file and rewrites it', async () => {
    const cache = join(dir, 'cache-b');
    const { path, parse, counter } = await source('countries-b.dat', countryFile(['DE', 'US', 'JP']));
    const expected = plain(cachedTable(path, cache, parse));
    const [file] = await readdir(cache);
    const cached = join(cache, file!);
    const damage = [
      () => truncate(cached, 20),
      () => writeFile(cached, Buffer.from('not a table at all, just bytes')),
      () =>
        writeFile(
          cached,
          Buffer.concat([Buffer.from(new Uint32Array([0x4f454742, 1, 0, 4]).buffer), Buffer.from('{{{{')]),
        ),
      () => writeFile(cached, Buffer.alloc(0)),
    ];
    for (const [i, spoil] of damage.entries()) {
      await spoil();
      expect(readTable(cached)).toBeUndefined();
      expect(plain(cachedTable(path, cache, parse))).toEqual(expected);
      expect(counter.parses).toBe(i + 2);
      expect(readTable(cached) && plain(readTable(cached)!)).toEqual(expected);
    }
  });

  it('parses every time without a cache folder, and when the folder cannot be written', async () => {
    const { path, parse, counter } = await source('countries-c.dat', countryFile(['DE']));
    cachedTable(path, undefined, parse);
    cachedTable(path, undefined, parse);
    // A folder below a regular file can never be made.
    const table = cachedTable(path, join(path, 'cache'), parse);
    expect(counter.parses).toBe(3);
    expect(table.labels).toEqual(['DE']);
  });

  it('keeps the cache in the node_modules above a package', () => {
    expect(geoCacheDirFor('/srv/app/node_modules/@ip-location-db/asn')).toBe(
      '/srv/app/node_modules/.cache/boundless/geo',
    );
    expect(geoCacheDirFor('/srv/app/node_modules/geoip-country')).toBe(
      '/srv/app/node_modules/.cache/boundless/geo',
    );
    expect(geoCacheDirFor('/srv/vendor/geoip-country')).toBeUndefined();
  });
});
