import { describe, expect, it } from 'vitest';
import { CloudFrontByteScanner } from './cloudfront-bytes.ts';
import { newParseStats, parseCloudFrontLog, toPlainRecord } from './cloudfront-standard.ts';
import type { EdgeLogRecord } from './cloudfront-line.ts';

const FIELDS =
  '#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken';

function line(change: (f: string[]) => void = () => {}): string {
  const f = [
    '2026-11-02',
    '08:00:01',
    'IAD89-C1',
    '1234',
    '203.0.113.5',
    'GET',
    'd1.cloudfront.net',
    '/titles/t00001/epub/ch001.xhtml',
    '200',
    '-',
    'BoundlessReader/4.12%20(iPhone)',
    'bbt=v1.k1.tokAbCdEfGh12.acc-1.0123456789abcdef.1.2.L3RpdGxlcy8.sig',
    '-',
    'Hit',
    'req==',
    'h',
    'https',
    '420',
    '0.004',
  ];
  change(f);
  return f.join('\t');
}

const TEXT = [
  '#Version: 1.0',
  line(),
  FIELDS,
  line(),
  '',
  '\r',
  line((f) => (f[1] = '08:00:02')) + '\r',
  line((f) => (f[0] = '2026-11-03')),
  line((f) => (f[1] = '24:00:00')),
  line((f) => (f[0] = '2026-1-03')),
  line((f) => (f[4] = '-')),
  line((f) => (f[8] = '2x0')),
  line((f) => (f[8] = '-')),
  line((f) => (f[3] = 'abc')),
  line((f) => f.push('x')),
  line((f) => f.pop()),
  line((f) => (f[10] = 'Mozilla/5.0%20caf%C3%A9%ZZ')),
  line((f) => (f[7] = '/titles/caf\u00e9/ch001.xhtml')),
  line((f) => (f[18] = '-')),
  'not a log line',
  line((f) => (f[1] = '09:00:00')),
].join('\n');

function scanned(text: string, chunkSize: number) {
  const stats = newParseStats();
  const records: EdgeLogRecord[] = [];
  const scanner = new CloudFrontByteScanner(stats, {
    line: (view) => records.push(toPlainRecord(view)),
    record: (record) => records.push(toPlainRecord(record)),
  });
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += chunkSize) scanner.push(bytes.subarray(at, at + chunkSize));
  scanner.end();
  return { stats, records };
}

describe('Class: CloudFrontByteScanner', () => {
  it('reads every line exactly as the string parser does, whatever the chunk boundaries', () => {
    const stats = newParseStats();
    const expected = parseCloudFrontLog(TEXT, stats).map(toPlainRecord);
    expect(expected.length).toBeGreaterThan(5);
    for (const chunkSize of [1, 7, 64, 1 << 16]) {
      const actual = scanned(TEXT, chunkSize);
      expect(actual.records).toEqual(expected);
      expect(actual.stats).toEqual(stats);
    }
  });

  it('reads fields past those it scans eagerly, also when a header in mid-batch moves one there', () => {
    // The scan records tab positions only up to the last field detection reads (here the result type, field
    // 13); a second header that moves the query to the end applies to lines already scanned with the first.
    const moved = FIELDS.replace(' cs-uri-query', '').concat(' cs-uri-query');
    const moveQuery = (f: string[]) => f.push(f.splice(11, 1)[0]!);
    const text = [
      FIELDS,
      ...Array.from({ length: 3 }, (_, i) => line((f) => (f[14] = `first${i}==`))),
      moved,
      ...Array.from({ length: 3 }, (_, i) =>
        line((f) => {
          f[14] = `moved${i}==`;
          f[11] = `bbt=v1.k1.tok${i}.acc-1.dev.1.2.L3RpdGxlcy8.sig`;
          moveQuery(f);
        }),
      ),
    ].join('\n');
    const stats = newParseStats();
    const expected = parseCloudFrontLog(text, stats).map(toPlainRecord);
    expect(expected.map((r) => r.query)).toContain('bbt=v1.k1.tok2.acc-1.dev.1.2.L3RpdGxlcy8.sig');
    expect(expected.map((r) => r.timeTakenMs)).toEqual(Array(6).fill(4));
    for (const chunkSize of [5, 64, 1 << 16]) {
      const actual = scanned(text, chunkSize);
      expect(actual.records).toEqual(expected);
      expect(actual.stats).toEqual(stats);
    }
  });

  it('reads a last line without a newline, and a trailing newline adds no record', () => {
    expect(scanned(`${FIELDS}\n${line()}`, 100).records).toHaveLength(1);
    expect(scanned(`${FIELDS}\n${line()}\n`, 100).stats.lines).toBe(2);
  });
});

describe('Class: LogLineView', () => {
  it('finds a byte in any range of a line as a plain search does, whatever the alignment', () => {
    // Lines of different lengths put every field at every offset modulo 4, in chunks of several sizes.
    const lines = Array.from({ length: 12 }, (_, n) =>
      line((f) => {
        f[7] = `/titles/t0000${n}/${'a%'.repeat(n)}ch00${n}.xhtml`;
        f[11] = `bbt=v1.k1.tok${'x'.repeat(n)}AbCdEfGh12.acc-1.dev.1.2.L3RpdGxlcy8.sig${n % 3 === 0 ? '&cb=1' : ''}`;
      }),
    );
    const text = `${FIELDS}\n${lines.join('\n')}\n`;
    for (const chunkSize of [7, 64, 1 << 16]) {
      let checked = 0;
      const scanner = new CloudFrontByteScanner(newParseStats(), {
        line: (view) => {
          const start = view.tabs[view.row]! + 1;
          const end = view.end(view.layout.count - 1);
          for (const byte of [37, 38, 46, 9, 120]) {
            for (let from = start; from < end; from += 3) {
              for (const to of [from, from + 1, from + 5, from + 17, end]) {
                const bound = Math.min(to, end);
                const slice = view.buf.subarray(from, bound).indexOf(byte);
                expect(view.indexOfByte(byte, from, bound)).toBe(slice < 0 ? -1 : from + slice);
              }
            }
          }
          checked++;
        },
        record: () => {},
      });
      const bytes = Buffer.from(text, 'utf8');
      for (let at = 0; at < bytes.length; at += chunkSize) scanner.push(bytes.subarray(at, at + chunkSize));
      scanner.end();
      expect(checked).toBe(lines.length);
    }
  });
});

describe('Class: CloudFrontByteScanner with a read-ahead sink', () => {
  // A second header in mid-file that reorders the fields: lines after it must not be previewed with the old
  // layout (the engine would reuse what it found there).
  const reordered = FIELDS.replace('c-ip cs-method', 'cs-method c-ip');
  const swap = (f: string[]) => {
    [f[4], f[5]] = [f[5]!, f[4]!];
  };
  const text = [
    TEXT,
    ...Array.from({ length: 40 }, (_, i) => line((f) => (f[14] = `before${i}==`))),
    reordered,
    ...Array.from({ length: 5 }, (_, i) =>
      line((f) => {
        f[14] = `after${i}==`;
        f[4] = `198.51.100.${i}`;
        swap(f);
      }),
    ),
  ].join('\n');

  it('hands over the same lines, each previewed line under the index it was previewed with', () => {
    let batches = 0;
    for (const chunkSize of [1, 7, 64, 1 << 16]) {
      const stats = newParseStats();
      const records: EdgeLogRecord[] = [];
      const previewed = new Map<number, string>();
      let matched = 0;
      const scanner = new CloudFrontByteScanner(stats, {
        line: (view) => {
          if (view.index >= 0) {
            expect(previewed.get(view.index)).toBe(toPlainRecord(view).requestId + view.clientIp);
            matched++;
          }
          records.push(toPlainRecord(view));
        },
        record: (record) => records.push(toPlainRecord(record)),
        preview: (view, index) => previewed.set(index, view.requestId + view.clientIp),
        prefetch: () => batches++,
      });
      const bytes = Buffer.from(text, 'utf8');
      for (let at = 0; at < bytes.length; at += chunkSize) scanner.push(bytes.subarray(at, at + chunkSize));
      scanner.end();
      const plain = scanned(text, chunkSize);
      expect(records).toEqual(plain.records);
      expect(stats).toEqual(plain.stats);
      expect(records.filter((r) => r.requestId.startsWith('after')).map((r) => r.clientIp)).toHaveLength(5);
      // In one chunk the first batch starts before any header (nothing is previewed there), the second holds
      // the reordering header.
      expect(matched).toBeGreaterThan(10);
    }
    expect(batches).toBeGreaterThan(0);
  });
});
