import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/boundless.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'prewarm-cli-'));

function boundless(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
}

function writeTrace(name: string, rows: number): string {
  const lines = ['timestamp,requests,peak_rps'];
  for (let i = 0; i < rows; i++) {
    const requests = 60 + Math.round(40 * Math.sin(i / 90)) + (i % 7) * 3;
    lines.push(`${new Date(Date.UTC(1995, 6, 1, 4) + i * 60_000).toISOString()},${requests},${3 + (i % 5)}`);
  }
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function plan(trace: string, out: string) {
  return boundless(
    'prewarm',
    'plan',
    '--trace',
    trace,
    '--duration-ms',
    '500',
    '--lead-minutes',
    '5',
    '--scale',
    '50',
    '--out',
    out,
  );
}

describe('Command: boundless prewarm plan', () => {
  it('writes one row per input minute and plans a prefix as it plans the whole input', () => {
    const whole = writeTrace('whole.csv', 600);
    const prefix = join(dir, 'prefix.csv');
    writeFileSync(prefix, readFileSync(whole, 'utf8').split('\n').slice(0, 401).join('\n'));
    const first = plan(whole, join(dir, 'whole.plan.csv'));
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('planned 600 minutes');
    expect(plan(prefix, join(dir, 'prefix.plan.csv')).status).toBe(0);
    const wholeRows = readFileSync(join(dir, 'whole.plan.csv'), 'utf8').trim().split('\n');
    const prefixRows = readFileSync(join(dir, 'prefix.plan.csv'), 'utf8').trim().split('\n');
    expect(wholeRows[0]).toBe('timestamp,provisioned_concurrency');
    expect(wholeRows).toHaveLength(601);
    expect(prefixRows).toEqual(wholeRows.slice(0, 401));
  });

  it('writes scheduled actions and burst proposals as JSON on request', () => {
    const trace = writeTrace('schedule.csv', 300);
    const out = join(dir, 'schedule.json');
    const result = boundless(
      'prewarm',
      'plan',
      '--trace',
      trace,
      '--duration-ms',
      '200',
      '--lead-minutes',
      '5',
      '--out',
      join(dir, 's.csv'),
      '--schedule-out',
      out,
      '--function-name',
      'access',
    );
    expect(result.status).toBe(0);
    const document = JSON.parse(readFileSync(out, 'utf8'));
    expect(document.scheduledActions[0].ResourceId).toBe('function:access:live');
    expect(document).toHaveProperty('dynamodb');
  });

  it('exits 2 with a clear message on bad input', () => {
    const result = boundless(
      'prewarm',
      'plan',
      '--trace',
      join(dir, 'missing.csv'),
      '--duration-ms',
      '100',
      '--lead-minutes',
      '5',
      '--out',
      join(dir, 'x.csv'),
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('cannot read traffic trace');
    const negative = boundless(
      'prewarm',
      'plan',
      '--trace',
      'x',
      '--duration-ms',
      '-1',
      '--lead-minutes',
      '5',
      '--out',
      'y',
    );
    expect(negative.status).toBe(2);
    expect(negative.stderr).toContain('--duration-ms must be a positive number');
  });
});
