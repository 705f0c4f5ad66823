import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The command line contract of DESIGN §4.2 where it is easy to break without noticing: the same input gives the
// same output on a machine in any time zone, one output row per input row, and a usage exit code of 2.
const BIN = fileURLToPath(new URL('../../bin/boundless.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'contracts-cli-'));

function boundless(args: string[], timeZone = 'UTC') {
  return spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TZ: timeZone },
  });
}

/** Six hours around New York's spring-forward gap (2026-03-08 02:00-03:00 there), one row a minute. */
function writeTrace(name: string, stamp: (ms: number) => string, extra: string[] = []): string {
  const lines = ['timestamp,requests,peak_rps'];
  const start = Date.UTC(2026, 2, 8, 4);
  for (let i = 0; i < 360; i++) {
    const requests = 600 + Math.round(400 * Math.sin(i / 40)) + (i % 11) * 7;
    lines.push(`${stamp(start + i * 60_000)},${requests},${12 + (i % 5)}`);
  }
  const path = join(dir, name);
  writeFileSync(path, `${[...lines, ...extra].join('\n')}\n`);
  return path;
}

function plan(trace: string, out: string, timeZone?: string) {
  const args = ['prewarm', 'plan', '--trace', trace, '--duration-ms', '300', '--lead-minutes', '5'];
  return boundless([...args, '--out', out], timeZone);
}

const rowsOf = (path: string) => readFileSync(path, 'utf8').trim().split('\n').slice(1);

describe('Command line contract (DESIGN §4.2)', () => {
  it('prewarm plan reads times without a zone as UTC, whatever the machine’s zone', () => {
    const zoned = writeTrace('zoned.csv', (ms) => new Date(ms).toISOString());
    const bare = writeTrace('bare.csv', (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' '));
    expect(plan(zoned, join(dir, 'zoned.plan.csv')).status).toBe(0);
    const run = plan(bare, join(dir, 'bare.plan.csv'), 'America/New_York');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('0 bad rows skipped');
    const capacity = (path: string) => rowsOf(path).map((row) => row.split(',')[1]);
    expect(rowsOf(join(dir, 'bare.plan.csv'))).toHaveLength(360);
    expect(capacity(join(dir, 'bare.plan.csv'))).toEqual(capacity(join(dir, 'zoned.plan.csv')));
    expect(new Set(capacity(join(dir, 'zoned.plan.csv'))).size).toBeGreaterThan(1);
  });

  it('prewarm plan writes one row per input row, a row it cannot use keeping the plan in force', () => {
    const clean = writeTrace('clean.csv', (ms) => new Date(ms).toISOString());
    const lines = readFileSync(clean, 'utf8').trim().split('\n');
    // A value that is not a number (unusable: the plan in force), then a minute repeated (its own minute's plan,
    // which is the one in force here): both still answered.
    const damaged = [...lines.slice(0, 201), '2026-03-08T07:20:30Z,lots,3', lines[200]!, ...lines.slice(201)];
    writeFileSync(join(dir, 'damaged.csv'), `${damaged.join('\n')}\n`);
    expect(plan(clean, join(dir, 'clean.plan.csv')).status).toBe(0);
    const run = plan(join(dir, 'damaged.csv'), join(dir, 'damaged.plan.csv'));
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('1 bad rows skipped');
    expect(run.stderr).toContain('1 rows repeating a minute');
    const before = rowsOf(join(dir, 'clean.plan.csv'));
    const after = rowsOf(join(dir, 'damaged.plan.csv'));
    expect(after).toHaveLength(362);
    const inForce = before[199]!.split(',')[1];
    expect(after.slice(200, 202)).toEqual([
      `2026-03-08T07:20:30Z,${inForce}`,
      `${lines[200]!.split(',')[0]},${inForce}`,
    ]);
    expect([...after.slice(0, 200), ...after.slice(202)]).toEqual(before);
  });

  it('diagnose reads --at without a zone as UTC, whatever the machine’s zone', () => {
    const telemetry = join(dir, 'telemetry');
    mkdirSync(join(telemetry, 'logs'), { recursive: true });
    const out = join(dir, 'diag.json');
    const run = boundless(
      ['diagnose', '--telemetry', telemetry, '--at', '2026-03-08 02:30:00', '--out', out],
      'Asia/Kolkata',
    );
    expect(run.status, run.stderr).toBe(0);
    const diagnosis = JSON.parse(readFileSync(out, 'utf8')) as { at: string; hypotheses: unknown[] };
    expect(diagnosis.at).toBe('2026-03-08T02:30:00.000Z');
    expect(diagnosis.hypotheses).toEqual([]);
  });

  it('exits 2 on a usage mistake commander finds, as on any other, and 0 for help', () => {
    const missing = boundless(['detect', '--out', join(dir, 'never.jsonl')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("required option '--input <paths...>' not specified");
    expect(boundless(['anomalies', '--input', 'x.csv', '--out', 'y.csv', '--no-such-option']).status).toBe(2);
    expect(boundless(['prewarm']).status).toBe(2);
    expect(boundless(['prewarm', 'plan', '--help']).status).toBe(0);
  });
});
