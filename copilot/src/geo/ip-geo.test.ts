import { describe, expect, it } from 'vitest';
import {
  embeddedGeo,
  IndexedRanges4,
  ipv4ToNumber,
  ipv6LineKey,
  networkOf,
  parseAsnRanges,
} from './ip-geo.ts';

/** The plain bisection over the whole table that the index must agree with. */
function findRange(starts: Uint32Array, ends: Uint32Array, ip: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! > ip) hi = mid - 1;
    else if (ends[mid]! < ip) lo = mid + 1;
    else return mid;
  }
  return -1;
}

describe('parseAsnRanges', () => {
  it('reads start, end and ASN of each row, whatever the name holds', () => {
    const csv = [
      '16777216,16777471,13335,"Cloudflare, Inc."',
      '16778240,16779263,38803,Gtelecom Pty Ltd\r',
      '16781312,16781567,2519,"ARTERIA, Networks, Corporation"',
      '4294967040,4294967295,65000,Last',
    ].join('\n');
    const ranges = parseAsnRanges(Buffer.from(csv, 'latin1'));
    expect([...ranges.starts]).toEqual([16777216, 16778240, 16781312, 4294967040]);
    expect([...ranges.ends]).toEqual([16777471, 16779263, 16781567, 4294967295]);
    expect([...ranges.values]).toEqual([13335, 38803, 2519, 65000]);
  });

  it('skips short and blank rows and reads a non-numeric field as 0, without throwing', () => {
    const csv = '\n1,2\nnot,a,row\n10,20,x7,bad asn\nnot,a,row,x\n30,40,64512,ok\n\n';
    const ranges = parseAsnRanges(Buffer.from(csv, 'latin1'));
    expect([...ranges.starts]).toEqual([10, 0, 30]);
    expect([...ranges.ends]).toEqual([20, 0, 40]);
    expect([...ranges.values]).toEqual([0, 0, 64512]);
  });

  it('reads an empty file as no ranges', () => {
    expect(parseAsnRanges(Buffer.alloc(0)).starts.length).toBe(0);
  });
});

describe('embeddedGeo', () => {
  const geo = embeddedGeo();

  it('finds the country and network of well-known IPv4 addresses in the shipped databases', () => {
    expect(geo.asn('1.1.1.1')).toBe(13335);
    expect(geo.asn('8.8.8.8')).toBe(15169);
    expect(geo.country('8.8.8.8')).toBe('US');
    expect(geo.continent('DE')).toBe('EU');
  });

  it('answers unknown for private, malformed and reserved addresses', () => {
    expect(geo.asn('10.1.2.3')).toBe(0);
    expect(geo.country('10.1.2.3')).toBe('');
    expect(geo.asn('not-an-ip')).toBe(0);
    expect(geo.country('300.1.1.1')).toBe('');
    expect(geo.continent('ZZ')).toBe('');
  });
});

describe('address helpers', () => {
  it('converts dotted IPv4 and refuses what is not one', () => {
    expect(ipv4ToNumber('1.2.3.4')).toBe(0x01020304);
    expect(ipv4ToNumber('255.255.255.255')).toBe(4294967295);
    for (const bad of ['1.2.3', '1.2.3.4.5', '1.2.3.256', '1..3.4', '1.2.3.4 ', '']) {
      expect(ipv4ToNumber(bad)).toBe(-1);
    }
  });

  it('finds an address in sorted ranges, and its value', () => {
    const starts = Uint32Array.from([10, 20, 40]);
    const ends = Uint32Array.from([15, 30, 50]);
    const ranges = new IndexedRanges4({ starts, ends, values: Uint32Array.from([7, 8, 9]) });
    expect(ranges.find(12)).toBe(0);
    expect(ranges.find(30)).toBe(1);
    expect(ranges.find(17)).toBe(-1);
    expect(ranges.find(51)).toBe(-1);
    expect(ranges.valueAt(30)).toBe(8);
    expect(ranges.valueAt(17)).toBe(-1);
  });

  it('names the /24 of IPv4 and the /48 of IPv6', () => {
    expect(networkOf('203.0.113.9')).toBe('203.0.113');
    expect(networkOf('2001:db8:1:2::5')).toBe('2001:db8:1');
    // One /48 however its address is compressed or cased (logs print the compressed form).
    expect(networkOf('2001:db8::1:0:0:5')).toBe('2001:db8:0');
    expect(networkOf('2001:db8:0:5::1')).toBe('2001:db8:0');
    expect(networkOf('2001:DB8:A::')).toBe('2001:db8:a');
    expect(networkOf('::1')).toBe('0:0:0');
    // An IPv4 address written as IPv6 is its IPv4 /24: IPv4 clients so logged are not all one network.
    expect(networkOf('::ffff:203.0.113.9')).toBe('203.0.113');
    expect(networkOf('::FFFF:198.51.100.7')).toBe('198.51.100');
  });

  it('keys the line of an IPv6 address by its /64, and no other text', () => {
    // An IPv4 address is its own line; text that is no address has no IPv6 line.
    expect(ipv6LineKey('203.0.113.9')).toBe(-1);
    // Two privacy addresses of one home's /64 are one line, however compressed; the next /64 is another.
    expect(ipv6LineKey('2001:db8:1:2:a1b2:c3d4:e5f6:1')).toBe(ipv6LineKey('2001:DB8:1:2::7'));
    expect(ipv6LineKey('2001:db8:1:2::7')).not.toBe(ipv6LineKey('2001:db8:1:3::7'));
    expect(ipv6LineKey('2001:db8::5')).toBe(ipv6LineKey('2001:db8:0:0:ffff::1'));
    expect(ipv6LineKey('not-an-address')).toBe(-1);
    for (const text of ['1:2:3:4:5:6:7:8:9', '1::2::3', '12345::1', '::ffff:1.2.3.4', '1:2:3'])
      expect(ipv6LineKey(text)).toBe(-1);
    expect(ipv6LineKey('::1')).toBeGreaterThanOrEqual(0);
  });
});

describe('IndexedRanges4', () => {
  const table = (rows: [number, number][]) =>
    new IndexedRanges4({
      starts: Uint32Array.from(rows.map((r) => r[0])),
      ends: Uint32Array.from(rows.map((r) => r[1])),
      values: Uint32Array.from(rows.map((_, i) => i)),
    });

  it('finds ranges that span /16 boundaries, and misses gaps, the first and the last address', () => {
    // 1.0.0.0-1.0.0.255, 1.0.255.0-1.2.0.10 (spans three /16s), 200.0.0.0-255.255.255.255.
    const ranges = table([
      [0x01000000, 0x010000ff],
      [0x0100ff00, 0x0102000a],
      [0xc8000000, 0xffffffff],
    ]);
    expect(ranges.find(0x01000080)).toBe(0);
    expect(ranges.find(0x01000100)).toBe(-1);
    expect(ranges.find(0x01010101)).toBe(1);
    expect(ranges.find(0x0102000a)).toBe(1);
    expect(ranges.find(0x0102000b)).toBe(-1);
    expect(ranges.find(0)).toBe(-1);
    expect(ranges.find(0xffffffff)).toBe(2);
    expect(table([]).find(0x01020304)).toBe(-1);
  });

  it('answers as a bisection of the whole table for any address', () => {
    const rows: [number, number][] = [];
    let at = 3;
    for (let i = 0; i < 3000; i++) {
      const start = at + ((i * 7919) % 50_000);
      const end = start + ((i * 104_729) % 400_000);
      rows.push([start, end]);
      at = end + 1;
    }
    const ranges = table(rows);
    const starts = Uint32Array.from(rows.map((r) => r[0]));
    const ends = Uint32Array.from(rows.map((r) => r[1]));
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
      const ip = x % (at + 1000);
      expect(ranges.find(ip)).toBe(findRange(starts, ends, ip));
    }
  });
});
