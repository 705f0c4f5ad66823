import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloudFrontByteScanner,
  type LogLineSink,
  scanCloudFrontLog,
  scanCloudFrontLogs,
} from './cloudfront-bytes.ts';
import type { EdgeLogRecord } from './cloudfront-line.ts';
import { newParseStats, toPlainRecord } from './cloudfront-standard.ts';
import type { Inflation } from './file-chunks.ts';
import { BLOCK_BYTES, BLOCK_LINES } from './scan-thread.ts';

const FIELDS =
  '#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id';

function line(i: number, agent = 'BoundlessReader/4.12%20(iPhone)'): string {
  return [
    '2026-11-02',
    `08:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
    'IAD89-C1',
    String(1000 + i),
    `203.0.113.${i % 251}`,
    'GET',
    'd1.cloudfront.net',
    `/titles/t${i % 97}/epub/ch${i}.xhtml`,
    i % 13 === 0 ? '2x0' : '200',
    '-',
    agent,
    `bbt=v1.k1.tok${String(i).padStart(10, '0')}.acc-${i % 7}.0123456789abcdef.1.2.L3RpdGxlcy8.sig`,
    '-',
    'Hit',
    `req${i}==`,
  ].join('\t');
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'boundless-scan-thread-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Records and stats as scanCloudFrontLogs hands them to a read-ahead sink, read one way or the other. */
async function scan(path: string | string[], inflation: Inflation) {
  const stats = newParseStats();
  const records: EdgeLogRecord[] = [];
  const previewed = new Map<number, string>();
  let mismatched = 0;
  const sink: LogLineSink = {
    line: (view) => {
      if (view.index >= 0 && previewed.get(view.index) !== view.requestId) mismatched++;
      records.push(toPlainRecord(view));
    },
    record: (record) => records.push(toPlainRecord(record)),
    preview: (view, index) => previewed.set(index, view.requestId),
    prefetch: () => {},
  };
  await scanCloudFrontLogs(typeof path === 'string' ? [path] : path, stats, sink, undefined, inflation);
  return { stats, records, mismatched };
}

describe('scanCloudFrontLog on a scanning thread', () => {
  it('hands over the lines, records and counts of the single-threaded reader', async () => {
    // Many blocks; blocks cut by their line cap (short lines) and by their size; a line longer than a
    // block; a header in mid-file; a non-ASCII line; a last line without newline.
    const short = Array.from({ length: BLOCK_LINES + 100 }, () => 'x');
    const lines = [
      '#Version: 1.0',
      FIELDS,
      ...Array.from({ length: 6000 }, (_, i) => line(i)),
      ...short,
      line(1, `long${'a'.repeat(BLOCK_BYTES + 12_345)}`),
      ...Array.from({ length: 3000 }, (_, i) => line(i + 6000)),
      FIELDS,
      line(2, 'caf\u00e9'),
      ...Array.from({ length: 3000 }, (_, i) => line(i + 9000)),
    ];
    const text = Buffer.from(lines.join('\n'), 'utf8');
    const gz = join(dir, 'log.gz');
    await writeFile(gz, gzipSync(text));
    const plain = join(dir, 'log');
    await writeFile(plain, text);
    const single = await scan(gz, 'reused-buffer');
    expect(single.records.length).toBeGreaterThan(11_000);
    expect(single.stats.skipped.field_count).toBeGreaterThan(BLOCK_LINES);
    for (const path of [gz, plain]) {
      const threaded = await scan(path, 'scan-thread');
      expect(threaded.mismatched).toBe(0);
      expect(threaded.stats).toEqual(
        path === gz ? single.stats : { ...single.stats, bytesRead: text.length },
      );
      expect(threaded.records).toEqual(single.records);
    }
  });

  it('reads several files one after another, each as if alone, on one thread as without one', async () => {
    // The first file's last line has no newline; the second has no header of its own (its lines are skipped as
    // they would be alone); the third has a header of other fields.
    const files = [
      ['#Version: 1.0', FIELDS, ...Array.from({ length: 3000 }, (_, i) => line(i))].join('\n'),
      Array.from({ length: 50 }, (_, i) => line(i + 3000)).join('\n'),
      [
        FIELDS.replace(' x-edge-request-id', ''),
        ...Array.from({ length: 2000 }, (_, i) => line(i + 4000)),
      ].join('\n'),
    ];
    const paths = files.map((_, k) => join(dir, `part-${k}.gz`));
    await Promise.all(paths.map((path, k) => writeFile(path, gzipSync(files[k]!))));
    const alone = await Promise.all(paths.map((path) => scan(path, 'reused-buffer')));
    expect(alone[0]!.records).toHaveLength(3000 - Math.ceil(3000 / 13));
    expect(alone[1]!.stats.skipped.no_fields_header).toBe(50);
    expect(alone[2]!.stats.skipped.field_count).toBe(2000);
    for (const inflation of ['reused-buffer', 'scan-thread'] as const) {
      const together = await scan(paths, inflation);
      expect(together.records).toEqual(alone.flatMap((a) => a.records));
      expect(together.stats.skipped).toEqual({
        bad_status: alone[0]!.stats.skipped.bad_status,
        no_fields_header: 50,
        field_count: 2000,
      });
      expect(together.stats.lines).toBe(alone.reduce((sum, a) => sum + a.stats.lines, 0));
    }
    // A file that fails is named, whichever of the list it is.
    const missing = join(dir, 'missing-part.gz');
    for (const inflation of ['reused-buffer', 'scan-thread'] as const)
      await expect(scan([paths[0]!, missing, paths[2]!], inflation)).rejects.toThrow(
        `cannot read CloudFront log ${missing}`,
      );
  });

  it('reports a file that is not gzip, or cut short, as the single-threaded reader does', async () => {
    const notGzip = join(dir, 'not.gz');
    await writeFile(notGzip, 'definitely not gzip\n');
    const cut = join(dir, 'cut.gz');
    const gz = gzipSync(Buffer.from([FIELDS, ...Array.from({ length: 5000 }, (_, i) => line(i))].join('\n')));
    await writeFile(cut, gz.subarray(0, gz.length >> 1));
    for (const path of [notGzip, cut, join(dir, 'missing.gz')]) {
      const single = await scan(path, 'reused-buffer').catch((error: Error) => error);
      const threaded = await scan(path, 'scan-thread').catch((error: Error) => error);
      expect(threaded).toBeInstanceOf(Error);
      expect((threaded as Error).message).toBe((single as Error).message);
    }
  });

  it('stops the scanning thread when the sink throws, however far ahead it is', async () => {
    const path = join(dir, 'many.gz');
    await writeFile(
      path,
      gzipSync([FIELDS, ...Array.from({ length: 40_000 }, (_, i) => line(i))].join('\n')),
    );
    const sink: LogLineSink = {
      line: () => {
        throw new Error('sink failed');
      },
      record: () => {},
    };
    await expect(scanCloudFrontLog(path, newParseStats(), sink, undefined, 'scan-thread')).rejects.toThrow(
      /sink failed/,
    );
  });

  it('scanner: pushIndexed refuses to start inside a carried line', () => {
    const scanner = new CloudFrontByteScanner(newParseStats(), { line: () => {}, record: () => {} });
    scanner.push(Buffer.from('#Fields: date'));
    expect(() =>
      scanner.pushIndexed(Buffer.alloc(0), { count: 0 } as Parameters<typeof scanner.pushIndexed>[1]),
    ).toThrow(/inside a line/);
  });
});
