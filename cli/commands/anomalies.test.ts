import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/boundless.mjs', import.meta.url));
const NAB = resolve(fileURLToPath(new URL('../..', import.meta.url)), '../shared/data/nab');
const dir = mkdtempSync(join(tmpdir(), 'anomalies-cli-'));

function boundless(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
}

function series(rows: number, spikeAt = -1): string[] {
  const lines = ['timestamp,value'];
  for (let i = 0; i < rows; i++) {
    const stamp = new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
    const value = i === spikeAt ? 900 : 40 + 15 * Math.sin((2 * Math.PI * i) / 288) + ((i * 7) % 5);
    lines.push(`${stamp},${value.toFixed(2)}`);
  }
  return lines;
}

function write(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

describe('Command: boundless anomalies', () => {
  it('writes the header and one row per input row, and scores a prefix as it scores the whole input', () => {
    const lines = series(2000, 1500);
    const whole = write('whole.csv', lines);
    const prefix = write('prefix.csv', lines.slice(0, 1601));
    const result = boundless('anomalies', '--input', whole, '--out', join(dir, 'whole.out.csv'));
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('scored 2000 rows, 1 anomalies');
    expect(boundless('anomalies', '--input', prefix, '--out', join(dir, 'prefix.out.csv')).status).toBe(0);
    const wholeRows = readFileSync(join(dir, 'whole.out.csv'), 'utf8').trim().split('\n');
    const prefixRows = readFileSync(join(dir, 'prefix.out.csv'), 'utf8').trim().split('\n');
    expect(wholeRows[0]).toBe('timestamp,anomaly_score,is_anomaly');
    expect(wholeRows).toHaveLength(2001);
    expect(prefixRows).toEqual(wholeRows.slice(0, 1601));
    expect(wholeRows[1501]).toMatch(/^2024-01-06 05:00:00,0\.\d+,1$/);
    expect(wholeRows.filter((row) => row.endsWith(',1'))).toHaveLength(1);
    // The printed score agrees with the decision on every row (anomaly_score ≥ 0.5 exactly when is_anomaly).
    for (const row of wholeRows.slice(1)) {
      const [, score, flag] = row.split(',');
      expect(Number(score) >= 0.5, row).toBe(flag === '1');
    }
  });

  it('skips malformed rows with a count and their line numbers, still writing one row per input row', () => {
    const lines = series(50);
    lines[3] = '2024-01-01 00:10:00,not-a-number';
    lines[7] = 'yesterday,12';
    lines[9] = 'only-one-column';
    const input = write('bad.csv', lines);
    const out = join(dir, 'bad.out.csv');
    const result = boundless('anomalies', '--input', input, '--out', out);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('skipped 3 malformed rows');
    expect(result.stderr).toContain('line 4: value "not-a-number"');
    expect(result.stderr).toContain('line 8: unreadable timestamp "yesterday"');
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(51);
    expect(rows[3]).toBe('2024-01-01 00:10:00,0,0');
    expect(rows[7]).toBe('yesterday,0,0');
  });

  it('an unclosed quote costs its own row only: later rows are scored, its line is named', () => {
    const lines = series(30);
    lines[5] = '2024-01-01 00:20:00,"12';
    const out = join(dir, 'quote.out.csv');
    const result = boundless('anomalies', '--input', write('quote.csv', lines), '--out', out);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('scored 30 rows');
    expect(result.stderr).toContain(
      'skipped 1 malformed rows (written as score 0): line 6: a quoted field is not closed',
    );
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(31);
    expect(rows[5]).toBe(',0,0');
    expect(rows[6]).toMatch(/^2024-01-01 00:25:00,/);
    expect(rows[30]).toMatch(/^2024-01-01 02:25:00,/);
  });

  it('fails with the line number under --strict, and on a missing header', () => {
    const lines = series(20);
    lines[5] = '2024-01-01 00:20:00,';
    const strict = boundless(
      'anomalies',
      '--input',
      write('strict.csv', lines),
      '--out',
      join(dir, 's.csv'),
      '--strict',
    );
    expect(strict.status).toBe(2);
    expect(strict.stderr).toContain('line 6');
    const headless = boundless(
      'anomalies',
      '--input',
      write('headless.csv', lines.slice(1)),
      '--out',
      join(dir, 'h.csv'),
    );
    expect(headless.status).toBe(2);
    expect(headless.stderr).toContain('line 1: expected the header "timestamp,value"');
    expect(existsSync(join(dir, 'h.csv'))).toBe(false);
  });

  it('writes raised anomalies as metric_anomaly findings on request', () => {
    const input = write('findings.csv', series(2000, 1500));
    const findings = join(dir, 'findings.jsonl');
    expect(
      boundless('anomalies', '--input', input, '--out', join(dir, 'f.csv'), '--findings', findings).status,
    ).toBe(0);
    const [finding] = readFileSync(findings, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(finding).toMatchObject({ kind: 'metric_anomaly', subject: { series: 'findings' } });
    expect(finding.evidence).toMatchObject({ timestamp: '2024-01-06T05:00:00.000Z', value: 900 });
  });
});

describe('Command: boundless eval anomalies', () => {
  // Each run reads every published detector's output (about 400 files) and runs ours: seconds alone, longer on
  // a busy machine, hence the explicit timeouts.
  it('prints every category with ours beside each published detector, both metrics, and writes JSON', () => {
    const json = join(dir, 'eval.json');
    const result = boundless('eval', 'anomalies', '--data', NAB, '--json', json, '--no-loo');
    expect(result.status).toBe(0);
    const document = JSON.parse(readFileSync(json, 'utf8'));
    expect(document.categories.length).toBeGreaterThanOrEqual(3);
    for (const category of document.categories) {
      expect(result.stdout).toContain(`== ${category} (development: the shipped defaults)`);
      expect(document.development[category].nab).toBeGreaterThan(0);
    }
    expect(result.stdout).toMatch(/^\*\s+boundless\s+\d\.\d{3}/m);
    expect(result.stdout).toMatch(/Scorer check .* \d+ of \d+ detectors exact/);
    // Published detectors: our recomputation of their NAB score equals the score they published.
    const numenta = document.published.find((p: { detector: string }) => p.detector === 'numenta');
    for (const category of document.categories)
      expect(numenta.scores[category].nab).toBeCloseTo(numenta.nabAsPublished[category], 6);
    expect(document.scorer.maxError).toBeLessThan(0.1);
  }, 120_000);

  it('prints NAB scores only with --metric nab, and rejects an unknown metric or a missing data directory', () => {
    const result = boundless('eval', 'anomalies', '--data', NAB, '--no-loo', '--metric', 'nab');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('NAB published');
    expect(result.stdout).not.toContain('precision');
    const bad = boundless('eval', 'anomalies', '--data', NAB, '--no-loo', '--metric', 'auc');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--metric must be f1, nab or both');
    const missing = boundless('eval', 'anomalies', '--data', join(dir, 'nowhere'), '--no-loo');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no NAB data');
  }, 120_000);
});
