import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LogLineSink, scanCloudFrontLogs } from './cloudfront-bytes.ts';
import type { EdgeLogRecord } from './cloudfront-line.ts';
import { newParseStats, readCloudFrontLogs, toPlainRecord } from './cloudfront-standard.ts';
import { FILE_CHUNK, type Inflation } from './file-chunks.ts';

const FIELDS =
  '#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query';
/** The same fields but the last: a file of another configuration. */
const FEWER = FIELDS.replace(' cs-uri-query', '');

/** A request at second `s` of the hour from edge `edge`; `fields` 11 leaves the query out. */
function line(s: number, edge: string, n: number, fields = 12, agent = 'Reader/1.0'): string {
  const row = [
    '2026-09-17',
    `10:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`,
    edge,
    String(1000 + n),
    `203.0.113.${n % 250}`,
    'GET',
    'd1.cloudfront.net',
    `/titles/t${n % 40}/ch${n}.xhtml`,
    '200',
    '-',
    agent,
    `n=${n}`,
  ];
  return row.slice(0, fields).join('\t');
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'boundless-merged-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** One hour's files from three edge servers: interleaved times, ties across files, awkward lines. */
async function edgeFiles(): Promise<string[]> {
  const header = ['#Version: 1.0', FIELDS];
  const a = [...header, ...Array.from({ length: 900 }, (_, i) => line(i * 4, 'IAD89-C1', i))];
  // CRLF endings, a blank line, a line of no time, a second header in mid-file, no newline at the very end.
  const b = [
    ...header,
    ...Array.from({ length: 600 }, (_, i) => line(i * 6, 'FRA56-C1', 1000 + i)),
    '',
    'not a log line',
    FIELDS,
    ...Array.from({ length: 300 }, (_, i) => line(3600 - 300 + i, 'FRA56-C1', 2000 + i)),
  ];
  // Another configuration's fields, and a line longer than the merge's output chunk.
  const c = [
    '#Version: 1.0',
    FEWER,
    ...Array.from({ length: 700 }, (_, i) => line(i * 5, 'NRT57-P2', 3000 + i, 11)),
    line(3599, 'NRT57-P2', 4000, 11, `long${'a'.repeat(FILE_CHUNK + 100)}`),
  ];
  // No header at all: its lines are read as having none, in the merge as alone.
  const d = Array.from({ length: 50 }, (_, i) => line(i * 70, 'SYD1-C1', 5000 + i));
  const paths = ['a', 'b', 'c', 'd'].map((id) => join(dir, `E2.2026-09-17-10.${id}.gz`));
  await writeFile(paths[0]!, gzipSync(`${a.join('\n')}\n`));
  await writeFile(paths[1]!, gzipSync(b.join('\r\n')));
  await writeFile(paths[2]!, gzipSync(`${c.join('\n')}\n`));
  await writeFile(paths[3]!, gzipSync(`${d.join('\n')}\n`));
  return paths;
}

async function scanned(inputs: (string | string[])[], inflation: Inflation) {
  const stats = newParseStats();
  const records: EdgeLogRecord[] = [];
  const sink: LogLineSink = {
    line: (view) => records.push(toPlainRecord(view)),
    record: (record) => records.push(toPlainRecord(record)),
  };
  await scanCloudFrontLogs(inputs, stats, sink, undefined, inflation);
  return { stats, records };
}

describe('merged lines: one hour of several edge servers as one stream', () => {
  it('gives the records of the record merge, in its order, with its counts, on a thread or not', async () => {
    const paths = await edgeFiles();
    const stats = newParseStats();
    const records: EdgeLogRecord[] = [];
    for await (const batch of readCloudFrontLogs(paths, stats)) records.push(...batch.map(toPlainRecord));
    expect(records).toHaveLength(900 + 900 + 701);
    // Interleaved: the merge goes back and forth between the files.
    expect(new Set(records.slice(0, 30).map((r) => r.edgeLocation)).size).toBe(3);
    for (const inflation of ['reused-buffer', 'scan-thread'] as const) {
      const merged = await scanned([paths], inflation);
      expect(merged.records).toEqual(records);
      expect(merged.stats.records).toBe(stats.records);
      expect(merged.stats.skipped.field_count).toBe(stats.skipped.field_count);
      // Once per line of the file without a header, and once per empty header sent for it.
      expect(merged.stats.skipped.no_fields_header).toBeGreaterThanOrEqual(50);
      expect(stats.skipped.no_fields_header).toBe(50);
      // The third file's header goes again before each of its lines that follows another file's (counted as lines).
      expect(merged.stats.lines).toBeGreaterThan(stats.lines);
    }
  });

  it('names the file of a merge that cannot be read', async () => {
    const paths = await edgeFiles();
    const missing = join(dir, 'E2.2026-09-17-10.gone.gz');
    for (const inflation of ['reused-buffer', 'scan-thread'] as const)
      await expect(scanned([[paths[0]!, missing, paths[2]!]], inflation)).rejects.toThrow(
        `cannot read CloudFront log ${missing}`,
      );
  });
});
