import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  concurrencyPerSecond,
  scaleAudiences,
  scheduledPolicy,
  secondArrivals,
  simulatePeriods,
} from '@boundless/copilot/prewarm';
import { loadTrafficTrace } from '@boundless/datasets/traffic';
import { describe, expect, it } from 'vitest';
import { evaluatePrewarming } from '../eval/prewarm.ts';

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

function plan(trace: string, out: string, ...extra: string[]) {
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
    ...extra,
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

  it('plans --scale k as k independent audiences: the same plan as for the trace scaled that way', () => {
    const trace = writeTrace('audiences.csv', 400);
    const rows = readFileSync(trace, 'utf8').trim().split('\n');
    // DESIGN §4.2: requests ×k, the busiest second's excess over the mean ×√k.
    const scaled = rows.slice(1).map((line) => {
      const [timestamp, requests, peak] = line.split(',');
      const mean = Number(requests) / 60;
      return `${timestamp},${Number(requests) * 50},${(Number(requests) * 50) / 60 + Math.sqrt(50) * (Number(peak) - mean)}`;
    });
    const prescaled = join(dir, 'prescaled.csv');
    writeFileSync(prescaled, `${[rows[0], ...scaled].join('\n')}\n`);
    expect(plan(trace, join(dir, 'scaled-by-flag.csv')).status).toBe(0);
    const unscaled = boundless(
      'prewarm',
      'plan',
      '--trace',
      prescaled,
      '--duration-ms',
      '500',
      '--lead-minutes',
      '5',
      '--out',
      join(dir, 'scaled-by-file.csv'),
    );
    expect(unscaled.status).toBe(0);
    expect(readFileSync(join(dir, 'scaled-by-flag.csv'), 'utf8')).toBe(
      readFileSync(join(dir, 'scaled-by-file.csv'), 'utf8'),
    );
  });

  it('writes the very plan eval prewarm simulates for the same --scale, lead and cold-start cost', async () => {
    // Nine days: a warm-up day, a development day and a validation week, as the evaluation needs.
    const trace = writeTrace('evaluated.csv', 9 * 1440);
    const out = join(dir, 'evaluated.plan.csv');
    const args = ['--trace', trace, '--duration-ms', '200', '--lead-minutes', '5', '--scale', '100'];
    expect(boundless('prewarm', 'plan', ...args, '--cold-start-cost', '40', '--out', out).status).toBe(0);
    const capacity = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(',')[1]));
    const { minutes } = await loadTrafficTrace(trace);
    const evaluation = evaluatePrewarming([{ trace: 'evaluated', scale: 100, minutes }], {
      sweepCosts: [],
      coldStartCost: 40,
      liveLeadMinutes: 5,
    });
    const { development, validation } = evaluation.cases[0]!;
    // The evaluation's every-minute row (lead 5) simulated on the arrivals it simulates: the same results.
    const arrivals = secondArrivals(scaleAudiences(minutes, 100), 1);
    const simulated = simulatePeriods(
      concurrencyPerSecond(arrivals, 200),
      arrivals,
      scheduledPolicy('prewarm plan', capacity),
      { durationMs: 200 },
      [development, validation],
    );
    [development, validation].forEach((period, p) => {
      expect(simulated[p]!.coldStarts).toBe(period.live!.ours.coldStarts);
      expect(simulated[p]!.totalCost).toBe(period.live!.ours.totalCost);
    });
    // Not vacuous: the plan of another size is another plan.
    const other = join(dir, 'other-size.plan.csv');
    const otherArgs = args.map((arg) => (arg === '100' ? '400' : arg));
    expect(boundless('prewarm', 'plan', ...otherArgs, '--cold-start-cost', '40', '--out', other).status).toBe(
      0,
    );
    expect(readFileSync(other, 'utf8')).not.toBe(readFileSync(out, 'utf8'));
  });

  it('computes row t from input rows at least lead minutes older only', () => {
    const trace = writeTrace('causal.csv', 500);
    const lines = readFileSync(trace, 'utf8').trim().split('\n');
    const row = 300;
    // Every input row after t − lead (line row + 1 holds row `row`) becomes a flood.
    const flooded = lines.map((line, i) => {
      if (i === 0 || i - 1 <= row - 5) return line;
      const [timestamp, requests, peak] = line.split(',');
      return `${timestamp},${Number(requests) * 40},${Number(peak) * 40}`;
    });
    const changed = join(dir, 'causal-flooded.csv');
    writeFileSync(changed, `${flooded.join('\n')}\n`);
    expect(plan(trace, join(dir, 'causal.plan.csv')).status).toBe(0);
    expect(plan(changed, join(dir, 'causal-flooded.plan.csv')).status).toBe(0);
    const before = readFileSync(join(dir, 'causal.plan.csv'), 'utf8').trim().split('\n');
    const after = readFileSync(join(dir, 'causal-flooded.plan.csv'), 'utf8').trim().split('\n');
    expect(after.slice(0, row + 2)).toEqual(before.slice(0, row + 2));
    expect(after.slice(row + 2)).not.toEqual(before.slice(row + 2));
  });

  it('states the cold-start cost it planned for, and plans more for a dearer one', () => {
    const trace = writeTrace('cost.csv', 600);
    const run = (cost: string, out: string) => plan(trace, join(dir, out), '--cold-start-cost', cost);
    const cheap = run('2', 'cheap.csv');
    expect(cheap.status).toBe(0);
    expect(cheap.stderr).toContain('a cold start valued at 2 idle environment-minutes');
    expect(run('200', 'dear.csv').status).toBe(0);
    const total = (name: string) =>
      readFileSync(join(dir, name), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .reduce((sum, line) => sum + Number(line.split(',')[1]), 0);
    expect(total('dear.csv')).toBeGreaterThan(total('cheap.csv'));
    expect(run('0', 'zero.csv').stderr).toContain('--cold-start-cost must be a positive number');
  });
});

describe('Command: boundless prewarm simulate', () => {
  it('writes a per-minute trace that prewarm plan reads', () => {
    const out = join(dir, 'simulated.csv');
    const result = boundless('prewarm', 'simulate', '--seed', '3', '--days', '1', '--out', out);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('wrote 1440 minutes');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,requests,peak_rps');
    expect(lines).toHaveLength(1441);
    expect(plan(out, join(dir, 'simulated.plan.csv')).status).toBe(0);
  });

  it('writes the release calendar that prewarm plan --events reads, and the calendar raises the plan', () => {
    const trace = join(dir, 'releases.csv');
    const calendar = join(dir, 'releases.events.csv');
    const withCalendar = boundless(
      'prewarm',
      'simulate',
      '--seed',
      '2',
      '--days',
      '10',
      '--out',
      trace,
      '--events-out',
      calendar,
    );
    expect(withCalendar.status).toBe(0);
    const starts = readFileSync(calendar, 'utf8').trim().split('\n');
    expect(starts[0]).toBe('start,kind');
    expect(starts.length).toBeGreaterThanOrEqual(3);
    const args = ['prewarm', 'plan', '--trace', trace, '--duration-ms', '200', '--lead-minutes', '10'];
    expect(boundless(...args, '--out', join(dir, 'plain.plan.csv')).status).toBe(0);
    const planned = boundless(...args, '--events', calendar, '--out', join(dir, 'events.plan.csv'));
    expect(planned.status).toBe(0);
    expect(planned.stderr).toContain(`${starts.length - 1} scheduled events`);
    const total = (name: string) =>
      readFileSync(join(dir, name), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => Number(line.split(',')[1]));
    const plain = total('plain.plan.csv');
    const raised = total('events.plan.csv');
    // Only the minutes after the releases the planner has learned from move, and only up.
    expect(raised.every((value, row) => value >= plain[row]!)).toBe(true);
    expect(raised.filter((value, row) => value > plain[row]!).length).toBeGreaterThan(10);
    const last = Date.parse(starts[starts.length - 1]!.split(',')[0]!);
    const firstRaised = raised.findIndex((value, row) => value > plain[row]!);
    expect(
      Date.parse(readFileSync(trace, 'utf8').split('\n')[firstRaised + 1]!.split(',')[0]!),
    ).toBeGreaterThanOrEqual(last);
  });

  it('exits 2 naming the line of a bad release calendar', () => {
    const calendar = join(dir, 'bad.events.csv');
    writeFileSync(calendar, 'start\n2026-11-05T18:00:00Z\nnext tuesday\n');
    const result = plan(writeTrace('calendar.csv', 60), join(dir, 'calendar.plan.csv'), '--events', calendar);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('event calendar line 3');
  });

  it('exits 2 on a bad start time', () => {
    const result = boundless('prewarm', 'simulate', '--start', 'yesterday', '--out', join(dir, 'bad.csv'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--start must be an ISO-8601 time');
  });
});

describe('Command: boundless eval prewarm', () => {
  it('reports development and validation weeks apart, with target tracking and the oracle', () => {
    const result = boundless(
      'eval',
      'prewarm',
      '--scales',
      '',
      '--simulated-seeds',
      '7',
      '--social-seeds',
      '4',
      '--simulated-days',
      '9',
      '--json',
      join(dir, 'eval.json'),
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Development');
    expect(result.stdout).toContain('Validation (the last week of each trace)');
    expect(result.stdout).toContain('| simulated release days, seed 7');
    const evaluation = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8'));
    expect(result.stdout).toContain('| simulated social media, seed 4');
    expect(evaluation.cases).toHaveLength(2);
    expect(evaluation.cases[0].validation.oracle.coldStarts).toBe(0);
    // The every-minute re-plan at target tracking's reaction time is reported beside the schedule.
    expect(result.stdout).toContain('Re-planned every minute, validation');
    expect(evaluation.cases[0].validation.live.curve.length).toBeGreaterThan(1);
    expect(evaluation.cases[0].validation.toMinute - evaluation.cases[0].validation.fromMinute).toBe(
      7 * 1440,
    );
  });

  it('refuses a live lead that is not a whole number of minutes', () => {
    const result = boundless('eval', 'prewarm', '--scales', '', '--live-lead-minutes', '2.5');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--live-lead-minutes must be a whole number');
  });

  it('exits 2 when there is nothing to evaluate', () => {
    const result = boundless(
      'eval',
      'prewarm',
      '--scales',
      '',
      '--simulated-seeds',
      '',
      '--social-seeds',
      '',
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('nothing to evaluate');
  });
});
