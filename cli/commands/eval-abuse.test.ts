import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/boundless.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eval-abuse-cli-'));

function boundless(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
}

describe('Command: boundless eval abuse', () => {
  it('reports the populations side by side, with legitimate readers by what was done to them', () => {
    const json = join(dir, 'eval.json');
    const run = boundless(
      'eval',
      'abuse',
      '--population',
      'hard_negative',
      '--seeds',
      '5',
      '--hours',
      '1',
      '--readers',
      '150',
      '--json',
      json,
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/population \(seeds\)/);
    expect(run.stdout).toMatch(/^hard_negative \(5\)/m);
    expect(run.stdout).toMatch(/re-authenticate\s+shortened\s+throttled\s+denied/);
    const [result] = JSON.parse(readFileSync(json, 'utf8')) as {
      name: string;
      pooled: { labels: number; legitimate: { readers: number; denied: number } };
    }[];
    expect(result!.name).toBe('hard_negative');
    expect(result!.pooled.labels).toBe(0);
    // Readers who read within the hour (not every account does).
    expect(result!.pooled.legitimate.readers).toBeGreaterThan(30);
  }, 120_000);

  it('runs the development stress run with --widen: widened development ranges on the stress seed', () => {
    const run = boundless(
      'eval',
      'abuse',
      '--widen',
      '--population',
      'hard_negative',
      '--hours',
      '1',
      '--readers',
      '120',
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^hard_negative widened \(3001\)/m);
    expect(run.stderr).toMatch(/hard_negative \(widened\) seed 3001/);
  }, 120_000);

  it('scores a labelled directory and lists the labels it missed, in the text and in --json', () => {
    const logs = join(dir, 'labelled');
    const simulate = boundless('simulate', '--seed', '7', '--hours', '1', '--readers', '150', '--out', logs);
    expect(simulate.status, simulate.stderr).toBe(0);
    // A label nothing in the logs can match: the report must name it as missed.
    const unmatched = {
      kind: 'geo_spike',
      subject: { country: 'ZZ' },
      start: '2026-11-02T00:10:00.000Z',
      end: '2026-11-02T00:20:00.000Z',
    };
    appendFileSync(join(logs, 'labels.jsonl'), `${JSON.stringify(unmatched)}\n`);
    const json = join(dir, 'labelled.json');
    const run = boundless('eval', 'abuse', '--input', logs, '--json', json);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^missed labels: \d+ of \d+$/m);
    expect(run.stdout).toMatch(
      /^ {2}geo_spike\s+country=ZZ\s+2026-11-02T00:10:00.000Z – 2026-11-02T00:20:00.000Z$/m,
    );
    const written = JSON.parse(readFileSync(json, 'utf8')) as {
      labels: number;
      overall: { detected: number };
      outcomes: { subject: { country?: string }; detectedAt: string | null }[];
    };
    expect(written.outcomes).toHaveLength(written.labels);
    expect(written.outcomes.filter((o) => o.detectedAt !== null)).toHaveLength(written.overall.detected);
    expect(written.outcomes.find((o) => o.subject.country === 'ZZ')?.detectedAt).toBeNull();
  }, 120_000);

  it('names an unknown population and exits with an error', () => {
    const run = boundless('eval', 'abuse', '--population', 'everyone');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(
      /unknown population "everyone"; use all or one of development, validation, hard_negative/,
    );
  });
});
