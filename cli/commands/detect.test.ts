import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { cloudFrontLogHeader, cloudFrontLogTimestamp, formatCloudFrontLogLine } from '@boundless/delivery';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/boundless.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'detect-cli-'));
const T0 = Date.UTC(2026, 10, 2, 8);

function boundless(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
}

/** One token read from homes in the US and South Korea at once (real addresses of real networks), plus a broken line. */
function writeLog(): string {
  const bbt = `v1.k1.tokShared0001.acc-7.0123456789abcdef.${T0 / 1000}.${T0 / 1000 + 14_400}.${Buffer.from('/titles/t00001/').toString('base64url')}.sig`;
  let text = cloudFrontLogHeader();
  for (let i = 0; i < 12; i++) {
    text += formatCloudFrontLogLine({
      ...cloudFrontLogTimestamp(T0 + i * 20_000),
      'c-ip': i % 2 === 0 ? '73.0.0.1' : '1.208.0.1',
      'cs-uri-stem': `/titles/t00001/epub/ch${String(i + 1).padStart(3, '0')}.xhtml`,
      'sc-status': 200,
      'cs-uri-query': `bbt=${bbt}`,
      'cs(User-Agent)': 'BoundlessReader/4.12.0',
    });
  }
  text += 'not a log line\n';
  const path = join(dir, 'E2.2026-11-02-08.abc.gz');
  writeFileSync(path, gzipSync(text));
  return path;
}

describe('Command: boundless detect', () => {
  it('writes one detection per line and summarises lines, skips and kinds', () => {
    const log = writeLog();
    const out = join(dir, 'detections.jsonl');
    const run = boundless('detect', '--input', log, '--out', out);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('skipped 1 (field_count 1)');
    const detections = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(detections).toHaveLength(1);
    expect(detections[0]).toMatchObject({ kind: 'token_sharing', subject: { tokenId: 'tokShared0001' } });
    expect(run.stdout).toContain('token_sharing 1');
    // Deterministic: the same input gives byte-identical output.
    const again = join(dir, 'again.jsonl');
    boundless('detect', '--input', dir, '--out', again);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(out, 'utf8'));
  });

  it('knows a gzip log by its first bytes whatever its name, given alone or inside a directory', () => {
    const log = writeLog();
    const expected = join(dir, 'named.jsonl');
    boundless('detect', '--input', log, '--out', expected);
    const unnamed = mkdtempSync(join(tmpdir(), 'detect-cli-unnamed-'));
    const renamed = join(unnamed, 'E2.2026-11-02-08.abc.log');
    writeFileSync(renamed, readFileSync(log));
    for (const input of [renamed, unnamed]) {
      const out = join(unnamed, `out-${input === unnamed ? 'dir' : 'file'}.jsonl`);
      const run = boundless('detect', '--input', input, '--out', out);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('skipped 1 (field_count 1)');
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(expected, 'utf8'));
    }
  });

  it('names a missing input and exits with 2', () => {
    const run = boundless('detect', '--input', join(dir, 'missing.gz'), '--out', join(dir, 'x.jsonl'));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/input not found: .*missing\.gz/);
  });
});
