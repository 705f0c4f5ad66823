import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Traces as other people's exports write them: gaps, shuffled and repeated rows, other timestamp forms, no
// busiest-second column, idle hours, huge counts, less than a day, any start minute. The contract (DESIGN
// §4.2) must hold on each, and the plan must stay sensible.

const BIN = fileURLToPath(new URL('../../bin/boundless.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'prewarm-foreign-'));
const MINUTE = 60_000;
const LEAD = 10;
const START = Date.UTC(2026, 2, 8, 13, 37);

interface Row {
  time: number;
  requests: number;
  peak: number;
}

/** A daily cycle with deterministic minute-to-minute noise, starting at an odd minute of the day. */
function daily(days: number, start = START, size = 600): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < days * 1440; i++) {
    const time = start + i * MINUTE;
    const phase = ((time % 86_400_000) / 86_400_000) * 2 * Math.PI;
    const noise = Math.sin(i * 12.9898) * 0.15;
    const requests = Math.round(size * (1.1 + Math.sin(phase)) * (1 + noise));
    const mean = requests / 60;
    rows.push({ time, requests, peak: Math.round(mean + 3 * Math.sqrt(mean)) });
  }
  return rows;
}

const iso = (time: number) => new Date(time).toISOString();

function write(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function csv(name: string, rows: readonly Row[], time = iso): string {
  return write(name, [
    'timestamp,requests,peak_rps',
    ...rows.map((r) => `${time(r.time)},${r.requests},${r.peak}`),
  ]);
}

/** Runs `prewarm plan`; its rows as [timestamp, capacity] and its stderr. */
function plan(trace: string, ...extra: string[]) {
  const out = `${trace}.plan.csv`;
  const result = spawnSync(
    process.execPath,
    [
      BIN,
      'prewarm',
      'plan',
      '--trace',
      trace,
      '--duration-ms',
      '200',
      '--lead-minutes',
      String(LEAD),
      '--out',
      out,
      ...extra,
    ],
    { encoding: 'utf8' },
  );
  expect(result.stderr).toContain('planned');
  expect(result.status).toBe(0);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  expect(lines[0]).toBe('timestamp,provisioned_concurrency');
  const rows = lines.slice(1).map((line) => {
    const cut = line.lastIndexOf(',');
    return [line.slice(0, cut), Number(line.slice(cut + 1))] as const;
  });
  for (const [, capacity] of rows) expect(Number.isInteger(capacity) && capacity >= 0).toBe(true);
  return { rows, capacity: rows.map(([, c]) => c), stderr: result.stderr };
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

describe('Command: boundless prewarm plan on traces it never saw', () => {
  it('answers a gap of missing hours with no rows, keeps the plan after it, and stays causal across it', () => {
    const full = daily(3);
    const gapFrom = 1440 + 120;
    const gapTo = gapFrom + 4 * 60;
    const gapped = full.filter((_, i) => i < gapFrom || i >= gapTo);
    const whole = plan(csv('full.csv', full));
    const holed = plan(csv('gapped.csv', gapped));
    expect(holed.rows).toHaveLength(gapped.length);
    // Said, since a schedule holds the row before the gap through it: 240 minutes, one gap of four hours.
    expect(holed.stderr).toContain('240 minutes without a row in 1 gap (the longest 4.0 h)');
    expect(whole.stderr).not.toContain('without a row');
    expect(holed.rows.map(([t]) => t)).toEqual(gapped.map((r) => iso(r.time)));
    // Before the gap: the same plan. The hour after it: neither collapsed nor inflated by the gap.
    expect(holed.capacity.slice(0, gapFrom)).toEqual(whole.capacity.slice(0, gapFrom));
    const after = mean(holed.capacity.slice(gapFrom, gapFrom + 60));
    const reference = mean(whole.capacity.slice(gapTo, gapTo + 60));
    expect(after).toBeGreaterThan(0.75 * reference);
    expect(after).toBeLessThan(1.35 * reference);
    // Causality across the gap: flooding every row after the first post-gap minute − lead leaves it alone.
    const firstAfter = gapped[gapFrom]!.time;
    const flooded = gapped.map((r) =>
      r.time > firstAfter - LEAD * MINUTE ? { ...r, requests: r.requests * 50, peak: r.peak * 50 } : r,
    );
    const floodedPlan = plan(csv('gapped-flooded.csv', flooded));
    expect(floodedPlan.capacity.slice(0, gapFrom + 1)).toEqual(holed.capacity.slice(0, gapFrom + 1));
    expect(floodedPlan.capacity.slice(gapFrom + 1)).not.toEqual(holed.capacity.slice(gapFrom + 1));
  });

  it('plans shuffled and repeated rows as the sorted trace, answering each row in input order', () => {
    const rows = daily(2);
    const sorted = plan(csv('sorted.csv', rows));
    // A fixed shuffle, then every 50th row written twice.
    const order = rows.map((_, i) => i).sort((a, b) => ((a * 7919) % 3001) - ((b * 7919) % 3001) || a - b);
    const shuffled = order.flatMap((i) => (i % 50 === 0 ? [i, i] : [i]));
    const messy = plan(
      csv(
        'shuffled.csv',
        shuffled.map((i) => rows[i]!),
      ),
    );
    expect(messy.rows).toHaveLength(shuffled.length);
    expect(messy.rows.map(([t]) => t)).toEqual(shuffled.map((i) => iso(rows[i]!.time)));
    expect(messy.capacity).toEqual(shuffled.map((i) => sorted.capacity[i]));
    expect(messy.stderr).toContain(`${Math.ceil(rows.length / 50)} rows repeating a minute`);
    expect(messy.stderr).toMatch(/[1-9]\d* rows out of time order, sorted/);
  });

  it('reads ISO times with a zone, unix seconds and unix milliseconds as the same minutes', () => {
    const rows = daily(1);
    const reference = plan(csv('utc.csv', rows)).capacity;
    expect(mean(reference)).toBeGreaterThan(1);
    const zoned = (time: number) => `${iso(time + 5.5 * 3_600_000).slice(0, 19)}+05:30`;
    expect(plan(csv('zoned.csv', rows, zoned)).capacity).toEqual(reference);
    expect(plan(csv('seconds.csv', rows, (t) => String(t / 1000))).capacity).toEqual(reference);
    expect(plan(csv('millis.csv', rows, String)).capacity).toEqual(reference);
  });

  it('plans without a peak_rps column from the requests alone', () => {
    const rows = daily(2);
    const path = write('no-peak.csv', [
      'timestamp,requests',
      ...rows.map((r) => `${iso(r.time)},${r.requests}`),
    ]);
    const { capacity } = plan(path);
    expect(capacity).toHaveLength(rows.length);
    // Busier hours get more capacity than quiet ones.
    const busy = rows.map((r, i) => [r.requests, capacity[i]!] as const).slice(1440);
    busy.sort((a, b) => a[0] - b[0]);
    expect(mean(busy.slice(-200).map(([, c]) => c))).toBeGreaterThan(
      2 * mean(busy.slice(0, 200).map(([, c]) => c)),
    );
  });

  it('provisions at most one environment through hours without traffic and recovers when traffic returns', () => {
    const rows = daily(3, START, 3000);
    const idleFrom = 1440 + 60;
    const idleTo = idleFrom + 5 * 60;
    const idle = rows.map((r, i) => (i >= idleFrom && i < idleTo ? { ...r, requests: 0, peak: 0 } : r));
    const whole = plan(csv('busy.csv', rows)).capacity;
    const { capacity } = plan(csv('idle.csv', idle));
    // Once the idle minutes are known the plan drops to at most one environment (its error spread, learned in
    // busy hours, relaxes over a day, so the chance that traffic returns stays priced: PREWARM.md).
    const busyBefore = mean(whole.slice(idleFrom + LEAD + 30, idleTo));
    expect(busyBefore).toBeGreaterThan(3);
    expect(Math.max(...capacity.slice(idleFrom + LEAD + 30, idleTo))).toBeLessThanOrEqual(1);
    // Traffic returns at idleTo; an hour later the plan is back to what it is without the idle hours.
    const later = mean(capacity.slice(idleTo + 60, idleTo + 180));
    expect(later).toBeGreaterThan(0.75 * mean(whole.slice(idleTo + 60, idleTo + 180)));
  });

  it('plans very large counts without overflow, in proportion, up to the stated cap', () => {
    const rows = daily(1);
    const big = rows.map((r) => ({ ...r, requests: r.requests * 10_000, peak: r.peak * 10_000 }));
    const small = plan(csv('small.csv', rows)).capacity;
    const large = plan(csv('large.csv', big)).capacity;
    expect(mean(large)).toBeGreaterThan(5_000 * mean(small));
    const huge = rows.map((r) => ({ ...r, requests: r.requests * 1e12, peak: r.peak * 1e12 }));
    const capped = plan(csv('huge.csv', huge));
    expect(Math.max(...capped.capacity)).toBe(100_000);
    expect(capped.stderr).toMatch(/\d+ minutes at the cap of 100000 environments/);
  });

  it('plans a trace of a few hours starting at any minute: nothing before the lead, then a plan', () => {
    const rows = daily(1, Date.UTC(2026, 6, 1, 23, 11)).slice(0, 180);
    const { capacity, stderr } = plan(csv('short.csv', rows));
    expect(capacity).toHaveLength(180);
    expect(capacity.slice(0, LEAD)).toEqual(new Array(LEAD).fill(0));
    expect(stderr).toContain(`${LEAD} minutes without history`);
    expect(Math.min(...capacity.slice(LEAD + 5))).toBeGreaterThan(0);
  });

  it('answers unreadable rows in place and counts them; refuses a file without the columns', () => {
    const rows = daily(1).slice(0, 120);
    const lines = [
      'timestamp,requests,peak_rps',
      ...rows.map((r) => `${iso(r.time)},${r.requests},${r.peak}`),
    ];
    lines.splice(60, 0, 'yesterday,5,1', `${iso(rows[70]!.time)},-4,1`, '"unclosed,5,1');
    const { rows: planned, stderr } = plan(write('bad-rows.csv', lines));
    expect(planned).toHaveLength(lines.length - 1);
    expect(planned[58]![1]).toBe(planned[59]![1]);
    expect(stderr).toContain('3 bad rows skipped');
    const wrong = spawnSync(
      process.execPath,
      [
        BIN,
        'prewarm',
        'plan',
        '--trace',
        write('wrong.csv', ['time,count', '1,2']),
        '--duration-ms',
        '200',
        '--lead-minutes',
        '5',
        '--out',
        join(dir, 'wrong.plan.csv'),
      ],
      { encoding: 'utf8' },
    );
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('the header must name timestamp and requests');
  });
});
