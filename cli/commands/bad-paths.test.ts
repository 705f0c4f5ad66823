import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// A path flag that names the wrong kind of thing (a file where a directory belongs, a directory that does not
// exist): the flag and the reason in one line, a usage exit code, no stack trace.
const BIN = fileURLToPath(new URL('../../bin/boundless.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bad-paths-cli-'));
const aFile = join(dir, 'notes.txt');
writeFileSync(aFile, 'not a data dir\n');
const missingDir = join(dir, 'no-such-dir');

function boundless(...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return run;
}

describe('Command line: a file where a directory belongs', () => {
  it.each([
    ['start', '--no-dashboard', '--no-simulate', '--port', '0'],
    ['report', '--format', 'none'],
  ])('%s --data-dir <a file> names the flag, not a file inside it', (command, ...flags) => {
    const run = boundless(command, '--data-dir', aFile, ...flags);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`boundless: --data-dir ${aFile} is a file, not a directory\n`);
  });

  it('simulate --out <a file> says what is in the way', () => {
    const run = boundless('simulate', '--out', aFile, '--hours', '1');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `cannot prepare output directory ${aFile}: a file of that name is in the way`,
    );
  });
});

describe('Command line: an output in a directory that does not exist', () => {
  it('diagnose and anomalies say why they cannot write, and create nothing', () => {
    const telemetry = mkdtempSync(join(dir, 'telemetry-'));
    const series = join(dir, 'series.csv');
    writeFileSync(series, 'timestamp,value\n2026-11-02T00:00:00Z,1\n');
    const diagnosis = join(missingDir, 'diagnosis.json');
    const scores = join(missingDir, 'scores.csv');

    const diagnose = boundless(
      'diagnose',
      '--telemetry',
      telemetry,
      '--at',
      '2026-11-02T10:00:00Z',
      '--out',
      diagnosis,
    );
    const anomalies = boundless('anomalies', '--input', series, '--out', scores);

    expect(diagnose.status).toBe(2);
    expect(diagnose.stderr).toContain(`cannot write --out ${diagnosis}: its directory does not exist`);
    expect(anomalies.status).toBe(2);
    expect(anomalies.stderr).toContain(`cannot write ${scores}: its directory does not exist`);
    expect(existsSync(missingDir)).toBe(false);
  });

  it('detect and prewarm simulate say why they cannot write, and create nothing', () => {
    const logs = join(dir, 'empty.log');
    writeFileSync(logs, '#Version: 1.0\n');
    const detections = join(missingDir, 'detections.jsonl');
    const trace = join(missingDir, 'trace.csv');

    const detect = boundless('detect', '--input', logs, '--out', detections);
    const simulate = boundless('prewarm', 'simulate', '--days', '1', '--out', trace);

    expect(detect.status).toBe(2);
    expect(detect.stderr).toContain(`cannot write --out ${detections}: its directory does not exist`);
    expect(simulate.status).toBe(2);
    expect(simulate.stderr).toContain(`cannot write ${trace}: its directory does not exist`);
    expect(existsSync(missingDir)).toBe(false);
  });
});

describe('Command line: report on a data dir whose tunables.json is damaged', () => {
  it('names the file once, says why, and how to get the defaults back, as a usage error', () => {
    const dataDir = mkdtempSync(join(dir, 'damaged-'));
    const file = join(dataDir, 'tunables.json');
    writeFileSync(file, '{"cache": {');
    const run = boundless('report', '--data-dir', dataDir, '--format', 'none');
    expect(run.status).toBe(2);
    expect(run.stderr.split(file)).toHaveLength(2);
    expect(run.stderr).toMatch(
      /tunables\.json: not valid JSON \(.+\)\n\(fix it, or delete it to report from the defaults/,
    );
    expect(existsSync(join(dataDir, 'reports'))).toBe(false);
  });
});
