import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// What a user's first mistakes get back: one line that says what is wrong and the way out, a usage exit code,
// no stack trace, and nothing written where they did not mean to write.
const BIN = fileURLToPath(new URL('../../bin/boundless.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bad-input-cli-'));

function boundless(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('Command line: bad input on first use', () => {
  it('report: a data dir that does not exist is named, not created and given an empty report', () => {
    const missing = join(dir, 'no-such-data-dir');
    const run = boundless('report', '--data-dir', missing, '--format', 'none');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`no data dir at ${missing}`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(missing)).toBe(false);
  });

  /** `start` on a data dir whose tunables.json holds `content`: a usage error naming the file exactly once. */
  function startWithTunables(name: string, content: string) {
    const dataDir = join(dir, name);
    mkdirSync(dataDir);
    const file = join(dataDir, 'tunables.json');
    writeFileSync(file, content);
    const run = boundless('start', '--data-dir', dataDir, '--port', '0', '--no-dashboard', '--no-simulate');
    expect(run.status).toBe(2);
    expect(run.stderr.split(file)).toHaveLength(2);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    return { stderr: run.stderr, file };
  }

  it('start: a damaged tunables.json names the file once, says why it does not parse and how to get the defaults back', () => {
    const { stderr } = startWithTunables('damaged', '{"cache": {');
    expect(stderr).toMatch(/tunables\.json: not valid JSON \(.+\)/);
    expect(stderr).toContain('delete it to start again from the defaults');
  });

  it('start: tunables.json that parses but breaks the schema names the file once and the setting at fault', () => {
    const { stderr, file } = startWithTunables('wrong-setting', '{"cache": 5}');
    expect(stderr).toContain(`${file}: invalid tunables`);
    expect(stderr).toMatch(/\n\s+cache: /);
  });

  it('start: a release calendar with the pre-warming loop off is a usage error, before anything starts', () => {
    const calendar = join(dir, 'calendar.csv');
    writeFileSync(calendar, 'start\n2026-11-02T09:00:00Z\n');
    for (const off of [['--prewarm', 'off'], ['--no-copilot']]) {
      const dataDir = join(dir, `prewarm-${off.join('')}`);
      const run = boundless(
        'start',
        '--data-dir',
        dataDir,
        '--port',
        '0',
        '--no-dashboard',
        '--no-simulate',
        ...off,
        '--prewarm-events',
        calendar,
      );
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`--prewarm-events has no effect with ${off.join(' ')}`);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(dataDir)).toBe(false);
    }
  });

  it('says why an input file cannot be read: a missing events calendar or series', () => {
    const trace = join(dir, 'trace.csv');
    writeFileSync(trace, 'timestamp,requests\n2026-11-02T00:00:00Z,5\n');
    const missing = join(dir, 'no-such-calendar.csv');
    const plan = boundless(
      'prewarm',
      'plan',
      '--trace',
      trace,
      '--duration-ms',
      '200',
      '--lead-minutes',
      '10',
      '--events',
      missing,
      '--out',
      join(dir, 'plan.csv'),
    );
    expect(plan.status).toBe(2);
    expect(plan.stderr).toContain(`cannot read ${missing}: no such file`);
    const anomalies = boundless('anomalies', '--input', dir, '--out', join(dir, 'scores.csv'));
    expect(anomalies.status).toBe(2);
    expect(anomalies.stderr).toContain(`cannot read ${dir}: it is a directory`);
  });
});

describe('Command line: eval diagnose checks its flags before it generates anything', () => {
  it.each([
    [['--set', 'foo'], '--set must be dev, validation, all, got "foo"'],
    [['--only', '('], '--only "(" is not a regular expression'],
    [['--seeds', 'two'], '--seeds must be a whole number ≥ 1, got "two"'],
    [['--own-only', '--rca-only'], 'leave nothing to evaluate'],
  ])('eval diagnose %j is a usage error with one line, no stack trace', (flags, message) => {
    const run = boundless('eval', 'diagnose', '--cache', join(dir, 'diagnose-cache'), ...flags);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'diagnose-cache'))).toBe(false);
  });
});

describe('Command line: a malformed CSV is named by file and line', () => {
  it('prewarm plan and eval prewarm name the trace whose header is wrong; prewarm plan names the calendar', () => {
    const trace = join(dir, 'not-a-trace.csv');
    writeFileSync(trace, 'a,b\nx,y\n');
    const good = join(dir, 'good-trace.csv');
    writeFileSync(good, 'timestamp,requests\n2026-11-02T00:00:00Z,5\n');
    const calendar = join(dir, 'not-a-calendar.csv');
    writeFileSync(calendar, 'when\n2026-11-02T09:00:00Z\n');
    const plan = (traceFile: string, ...more: string[]) =>
      boundless(
        'prewarm',
        'plan',
        '--trace',
        traceFile,
        '--duration-ms',
        '200',
        '--lead-minutes',
        '10',
        ...more,
        '--out',
        join(dir, 'p.csv'),
      );
    const badTrace = plan(trace);
    expect(badTrace.status).toBe(2);
    expect(badTrace.stderr).toContain(`${trace}: line 1: the header must name timestamp and requests`);
    const badCalendar = plan(good, '--events', calendar);
    expect(badCalendar.status).toBe(2);
    expect(badCalendar.stderr).toContain(
      `${calendar}: event calendar: the header must name a "start" column`,
    );
    const evaluation = boundless('eval', 'prewarm', '--trace', trace, '--simulated-seeds', '');
    expect(evaluation.status).toBe(2);
    expect(evaluation.stderr).toContain(`${trace}: line 1: the header must name`);
    const missing = boundless(
      'eval',
      'prewarm',
      '--trace',
      join(dir, 'no-such-trace.csv'),
      '--simulated-seeds',
      '',
    );
    expect(missing.stderr).toContain(
      `cannot read traffic trace ${join(dir, 'no-such-trace.csv')}: no such file`,
    );
  });
});

describe('Command line: report --focus', () => {
  it('a missing or non-FOCUS cost export is a usage error naming the file, before any report is written', () => {
    const dataDir = join(dir, 'report-data');
    mkdirSync(dataDir);
    const notFocus = join(dir, 'not-focus.csv');
    writeFileSync(notFocus, 'a,b\n1,2\n');
    const missing = join(dir, 'no-such-focus.csv');
    const report = (focus: string) =>
      boundless(
        'report',
        '--data-dir',
        dataDir,
        '--date',
        '2026-11-02',
        '--format',
        'none',
        '--focus',
        focus,
      );
    const wrong = report(notFocus);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain(
      `--focus ${notFocus} is not a FOCUS 1.0 export: missing FOCUS columns: ChargePeriodStart`,
    );
    const absent = report(missing);
    expect(absent.status).toBe(2);
    expect(absent.stderr).toContain(`--focus: cannot read ${missing}: no such file`);
    expect(existsSync(join(dataDir, 'reports'))).toBe(false);
  });
});

describe('Command line: deploy', () => {
  it.each([
    [['--canary-percent', '200'], '--canary-percent must be a share above 0 and below 100, got "200"'],
    [['--canary-minutes', 'abc'], '--canary-minutes must be minutes in 0.01..60, got "abc"'],
    [['--fault', 'latency:999999'], '--fault wants errors:<0..1> or latency:<1..60000 ms>'],
    [
      ['--api', 'localhost:4000'],
      '--api must be an http(s) URL such as http://127.0.0.1:4000, got "localhost:4000"',
    ],
  ])('deploy %j says what the flag takes, before asking the running stack', (flags, message) => {
    // No stack listens on port 1: a flag checked only by the stack would report "did not answer" instead.
    const run = boundless(
      'deploy',
      'delivery-grant-access',
      '--version',
      'v2',
      '--api',
      'http://127.0.0.1:1',
      ...flags,
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe('Command line: prewarm simulate', () => {
  it('--days beyond the simulator bound is named in the flag`s words, and nothing is written', () => {
    const out = join(dir, 'too-long.csv');
    const run = boundless('prewarm', 'simulate', '--days', '100', '--out', out);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--days must be a whole number of days from 1 to 62, got "100"');
    expect(existsSync(out)).toBe(false);
  });
});

describe('Command line: simulate independent', () => {
  it.each([
    ['comic', '--catalog takes type=weight pairs separated by commas, e.g. comic=60,episode=40; got "comic"'],
    ['comic=60,manga=40', 'unknown content type "manga" in the catalog mix'],
    ['comic=0', 'catalog weights must be finite and non-negative, at least one of them positive'],
  ])('--catalog %s is named, and nothing is written', (catalog, message) => {
    const out = join(dir, `catalog-${catalog.replace(/[^a-z0-9]/g, '_')}`);
    const run = boundless('simulate', 'independent', '--catalog', catalog, '--out', out);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it.each(['1.5', '-0.2', 'half', ''])('--ipv6 %j is named, and nothing is written', (share) => {
    const out = join(dir, `ipv6-${share.replace(/[^a-z0-9]/g, '_')}`);
    const run = boundless('simulate', 'independent', '--ipv6', share, '--out', out);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--ipv6 must be a share between 0 and 1, got "${share}"`);
    expect(existsSync(out)).toBe(false);
  });

  it.each(['-5', '3601', 'soon', ''])('--disorder %j is named, and nothing is written', (seconds) => {
    const out = join(dir, `disorder-${seconds.replace(/[^a-z0-9]/g, '_')}`);
    const run = boundless('simulate', 'independent', '--disorder', seconds, '--out', out);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `--disorder must be a number of seconds between 0 and 3600, got "${seconds}"`,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('Command line: start on a taken port', () => {
  it('says another start may be running and how to move, as a usage error', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        // Asynchronous: the port is held by this process, which must stay free to answer.
        const child = spawn(process.execPath, [
          BIN,
          'start',
          '--data-dir',
          join(dir, 'taken-port'),
          '--port',
          String(port),
          '--no-copilot',
          '--no-simulate',
          '--no-dashboard',
        ]);
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        child.on('close', (status) => resolve({ status, stderr }));
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('EADDRINUSE');
      expect(run.stderr).toContain('another boundless start may be running');
      expect(run.stderr).toContain('--port 0 for any free ports');
    } finally {
      taken.close();
    }
  }, 60_000);
});

describe('Command line: detect on a file that is not a CloudFront log', () => {
  it('warns that no line was a record, and still writes an empty detections file', () => {
    const input = join(dir, 'not-a-log.txt');
    writeFileSync(input, 'hello\nworld\n');
    const out = join(dir, 'none.jsonl');
    const run = boundless('detect', '--input', input, '--out', out);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('none of the 2 lines was a CloudFront standard log record');
    expect(existsSync(out)).toBe(true);
  });
});

describe('Command line: evaluation inputs that are not what they should be', () => {
  it('eval abuse --input without labels says what the directory should hold; eval diagnose --scenarios says why', () => {
    const empty = join(dir, 'not-a-simulation');
    mkdirSync(empty);
    const abuse = boundless('eval', 'abuse', '--input', empty);
    expect(abuse.status).toBe(2);
    expect(abuse.stderr).toContain('no such file (--input takes a directory boundless simulate wrote');
    const catalog = join(dir, 'scenarios.json');
    writeFileSync(catalog, '{not json');
    const diagnose = boundless(
      'eval',
      'diagnose',
      '--own-only',
      '--scenarios',
      catalog,
      '--cache',
      join(dir, 'c2'),
    );
    expect(diagnose.status).toBe(2);
    expect(diagnose.stderr).toMatch(new RegExp(`cannot read incident scenarios from ${catalog}: .*JSON`));
  });
});
