import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/boundless.mjs', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Resolves with everything printed so far once `marker` appears on stdout. */
function printed(child: ChildProcessWithoutNullStreams, marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(marker)) resolve(out);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before "${marker}": ${err}`)));
  });
}

describe('Command: boundless start', () => {
  it('prints the URLs, demo users and walkthrough, serves, and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, [
      BIN,
      'start',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--inject',
      'throttling:delivery-grant-access:5m',
      '--inject-after',
      '10m',
    ]);
    const banner = await printed(child, 'Press Ctrl-C');
    const api = /Access API[^\n]*?(http:\/\/\S+)/.exec(banner)?.[1];

    expect(banner).toMatch(/CloudFront edge[^\n]*http:\/\/127\.0\.0\.1:\d+/);
    // The copilot's every-minute pre-warming loop runs by default, on every function of the emulation.
    expect(banner).toMatch(/prewarm: re-planning provisioned concurrency of \d+ function\(s\) every minute;/);
    // The dashboard's address comes first, before everything else the banner says.
    const dashboard = /^\s*Dashboard: (http:\/\/\S+)/.exec(banner.slice(banner.indexOf('\nDashboard:')))?.[1];
    expect(banner.slice(banner.indexOf('\nDashboard:')).trimStart().startsWith('Dashboard: http')).toBe(true);
    expect(banner.indexOf('Dashboard:')).toBeLessThan(banner.indexOf('Access API'));
    const page = await fetch(`${dashboard}abuse?range=6h`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(banner).toContain('/v1/access');
    const jwks = await fetch(`${api}/local/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(banner).toMatch(/Injected faults:\n {2}throttling on delivery-grant-access: /);
    expect(banner).toContain('boundless diagnose --telemetry');
    // The fault from --inject waits for its baseline; another comes and goes through the admin endpoint.
    const listed = (await (await fetch(`${api}/local/faults`)).json()) as {
      faults: { id: string; kind: string }[];
    };
    expect(listed.faults).toMatchObject([
      { kind: 'throttling', target: 'delivery-grant-access', on: 'function' },
    ]);
    const injected = await fetch(`${api}/local/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'dependency_latency', target: 'delivery-grant-access', durationS: 60 }),
    });
    expect(injected.status).toBe(201);
    const { fault } = (await injected.json()) as { fault: { id: string } };
    expect((await fetch(`${api}/local/faults/${fault.id}`, { method: 'DELETE' })).status).toBe(200);
    // Edge kinds land on the distribution by default.
    const onEdge = await fetch(`${api}/local/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'cache_hit_collapse', durationS: 30 }),
    });
    expect(onEdge.status).toBe(201);
    expect(((await onEdge.json()) as { fault: unknown }).fault).toMatchObject({
      on: 'edge',
      target: 'ELOCALEDGE',
    });

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const stopped = printed(child, 'stopped.');
    child.kill('SIGINT');
    await stopped;
    expect(await exited).toBe(0);
    // A fresh clone builds the dashboard on its first start (seconds, more on a loaded machine).
  }, 120_000);

  it('refuses a bad --port with exit code 2 and says what was wrong', async () => {
    const child = spawn(process.execPath, [BIN, 'start', '--port', 'eighty']);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--port must be an integer');
  });

  it('refuses an unknown fault, before starting anything', async () => {
    const child = spawn(process.execPath, [BIN, 'start', '--data-dir', dataDir, '--inject', 'meltdown']);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--inject meltdown: unknown fault "meltdown".*cache_hit_collapse/);
  });

  it('refuses a release calendar with a bad start time, naming its line, before starting anything', async () => {
    const calendar = join(dataDir, 'releases.csv');
    writeFileSync(calendar, 'start,title\n2026-12-01T18:00:00Z,first\nnext tuesday,second\n');
    const child = spawn(process.execPath, [
      BIN,
      'start',
      '--data-dir',
      dataDir,
      '--prewarm-events',
      calendar,
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('event calendar line 3: "next tuesday" is not an ISO-8601 time');
  });
});
