import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { AccessLogWriter, logHourOf } from './access-log-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'bb-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HOUR = Date.UTC(2027, 2, 1, 23, 59, 59);

describe('Class: AccessLogWriter', () => {
  it('names files by the event hour and gives every file the #Fields header', async () => {
    const logDir = join(dir, 'hours');
    const writer = new AccessLogWriter({ logDir, distributionId: 'EDIST', flushIntervalMs: 0 });
    writer.append({ 'sc-status': 200 }, HOUR);
    writer.append({ 'sc-status': 404 }, HOUR + 1000);
    await writer.close();
    const files = readdirSync(logDir).sort();
    expect(files.map((f) => f.split('.').slice(0, 2).join('.'))).toEqual([
      'EDIST.2027-03-01-23',
      'EDIST.2027-03-02-00',
    ]);
    for (const file of files) {
      const text = gunzipSync(readFileSync(join(logDir, file))).toString();
      expect(text.split('\n')[1]).toMatch(/^#Fields: date time x-edge-location/);
      expect(text.trimEnd().split('\n')).toHaveLength(3);
    }
    expect(writer.stats()).toMatchObject({ linesWritten: 2, filesWritten: 2, buffered: 0 });
  });

  it('flushes on its own once the buffer is full, one complete file per flush', async () => {
    const logDir = join(dir, 'full');
    const writer = new AccessLogWriter({
      logDir,
      distributionId: 'EDIST',
      flushIntervalMs: 0,
      maxBufferedLines: 2,
    });
    for (let i = 0; i < 5; i++) writer.append({ 'sc-status': 200 }, HOUR);
    expect(writer.stats().buffered).toBe(1);
    await writer.close();
    expect(readdirSync(logDir)).toHaveLength(3);
    expect(writer.stats().linesWritten).toBe(5);
  });

  it('counts a failed flush instead of throwing', async () => {
    const blocked = join(dir, 'not-a-dir');
    writeFileSync(blocked, 'x');
    const errors: unknown[] = [];
    const writer = new AccessLogWriter({
      logDir: blocked,
      distributionId: 'E',
      flushIntervalMs: 0,
      onError: (e) => errors.push(e),
    });
    writer.append({ 'sc-status': 200 }, HOUR);
    await expect(writer.close()).resolves.toBeUndefined();
    expect(writer.stats().flushErrors).toBe(1);
    expect(errors).toHaveLength(1);
  });
});

describe('Function: logHourOf', () => {
  it('formats the UTC hour', () => {
    expect(logHourOf(Date.UTC(2027, 0, 2, 3, 4, 5))).toBe('2027-01-02-03');
  });
});
