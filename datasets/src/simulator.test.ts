import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { verifyEdgeToken } from '@boundless/delivery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from './errors.ts';
import {
  type Label,
  SIMULATOR_SECRET,
  type SimulatedRequest,
  simulateRequests,
  simulateToFiles,
} from './simulator.ts';

const require = createRequire(import.meta.url);
const geoip = require('geoip-country') as { lookup(ip: string): { country: string } | null };

type Row = Record<string, string>;

async function readLogs(dir: string): Promise<{ files: string[]; rows: Row[]; perFile: Row[][] }> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.gz')).sort();
  const perFile: Row[][] = [];
  for (const file of files) {
    const text = gunzipSync(await readFile(join(dir, file))).toString('utf8');
    const lines = text.split('\n').filter((l) => l.length > 0);
    expect(lines[0]).toBe('#Version: 1.0');
    const fields = lines[1]!.replace('#Fields: ', '').split(' ');
    perFile.push(
      lines.slice(2).map((line) => {
        const values = line.split('\t');
        return Object.fromEntries(fields.map((f, i) => [f, values[i] ?? '']));
      }),
    );
  }
  return { files, rows: perFile.flat(), perFile };
}

function tokenIdOf(query: string): string | undefined {
  const bbt = /(?:^|&)bbt=([^&]+)/.exec(query)?.[1];
  return bbt?.split('.')[2];
}

function accountIdOf(query: string): string | undefined {
  const bbt = /(?:^|&)bbt=([^&]+)/.exec(query)?.[1];
  return bbt?.split('.')[3];
}

const epoch = (row: Row) => Date.parse(`${row.date}T${row.time}Z`);

describe('Function: simulateToFiles', () => {
  let dir: string;
  let logs: Awaited<ReturnType<typeof readLogs>>;
  let labels: Label[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boundless-sim-'));
    await simulateToFiles({ seed: 5, outDir: join(dir, 'run'), durationHours: 2, readers: 600 });
    logs = await readLogs(join(dir, 'run'));
    labels = (await readFile(join(dir, 'run', 'labels.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Label);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes hourly CloudFront-named files whose lines are in event-time order within the hour', () => {
    expect(logs.files).toHaveLength(2);
    logs.files.forEach((file, i) => {
      expect(file).toMatch(new RegExp(`^E2BDLS7SIM4QXA\\.2026-11-02-0${i}\\.[0-9a-f]{8}\\.gz$`));
      const times = logs.perFile[i]!.map(epoch);
      expect(times.every((t, j) => j === 0 || t >= times[j - 1]!)).toBe(true);
      expect(times.every((t) => new Date(t).getUTCHours() === i)).toBe(true);
    });
  });

  it('labels every scenario kind, and each label subject is visible in the logs within its span', () => {
    expect(new Set(labels.map((l) => l.kind))).toEqual(new Set(['token_sharing', 'scraping', 'geo_spike']));
    for (const label of labels) {
      const from = Date.parse(label.start);
      const to = Date.parse(label.end);
      expect(to).toBeGreaterThanOrEqual(from);
      const inSpan = logs.rows.filter((r) => {
        const t = Math.floor(epoch(r) / 1000);
        return t >= Math.floor(from / 1000) && t <= Math.floor(to / 1000);
      });
      const { tokenId, accountId, ip, country } = label.subject;
      const seen = inSpan.some(
        (r) =>
          (tokenId !== undefined && tokenIdOf(r['cs-uri-query']!) === tokenId) ||
          (accountId !== undefined && accountIdOf(r['cs-uri-query']!) === accountId) ||
          (ip !== undefined && r['c-ip'] === ip) ||
          (country !== undefined && geoip.lookup(r['c-ip']!)?.country === country),
      );
      expect(seen, JSON.stringify(label)).toBe(true);
    }
  });

  it('records realistic edge outcomes: statuses, cache results and ranges', () => {
    const statuses = new Set(logs.rows.map((r) => r['sc-status']));
    for (const status of ['200', '206', '304', '403', '404']) expect(statuses).toContain(status);
    const results = new Set(logs.rows.map((r) => r['x-edge-result-type']));
    for (const result of ['Hit', 'Miss', 'RefreshHit']) expect(results).toContain(result);
    const partial = logs.rows.filter((r) => r['sc-status'] === '206');
    expect(partial.every((r) => Number(r['sc-range-end']) >= Number(r['sc-range-start']))).toBe(true);
  });

  it('signs served asset requests with valid edge tokens scoped to the requested title', () => {
    const served = logs.rows.filter(
      (r) => r['sc-status'] === '200' && r['cs-uri-stem']!.startsWith('/titles/'),
    );
    expect(served.length).toBeGreaterThan(100);
    for (const row of served.slice(0, 500)) {
      const bbt = /bbt=([^&]+)/.exec(row['cs-uri-query']!)![1]!;
      const claims = verifyEdgeToken(bbt, () => SIMULATOR_SECRET, Math.floor(epoch(row) / 1000));
      expect(row['cs-uri-stem']!.startsWith(claims.scope)).toBe(true);
    }
  });

  it('refuses an output directory that already holds files', async () => {
    await writeFile(join(dir, 'stale.txt'), 'x');
    await expect(simulateToFiles({ seed: 1, outDir: dir, durationHours: 1, readers: 10 })).rejects.toThrow(
      /not empty/,
    );
  });
});

describe('Function: simulateToFiles on a heap too small for its readers', () => {
  it('stops with a clear error once the heap stays short of its reserve, and runs where it has room', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'boundless-sim-heap-'));
    try {
      const run = (name: string, free: number) =>
        simulateToFiles({
          seed: 3,
          outDir: join(dir, name),
          durationHours: 2,
          readers: 4000,
          scenarios: 'none',
          heap: () => ({ total_available_size: free * 1e9, heap_size_limit: 1e9 }),
        });
      // 10 % free at every look: the second look (32,768 lines) stops the run, naming what to do, and leaves
      // the directory empty (its first hours of logs removed), so the same directory takes the retry.
      await expect(run('short', 0.1)).rejects.toThrow(DatasetError);
      expect(await readdir(join(dir, 'short'))).toEqual([]);
      await expect(run('short', 0.1)).rejects.toThrow(
        /does not fit in memory: 32,768 log lines written, 95 MB of the heap's 954 MB left; ask for fewer --readers/,
      );
      // 20 % free: the same run completes, past the lines at which the short heap stopped it.
      const result = await run('room', 0.2);
      expect(result.lines).toBeGreaterThan(32_768);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Function: simulateToFiles determinism', () => {
  it('writes byte-identical files for the same seed and different ones for another seed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'boundless-sim-det-'));
    try {
      const run = async (name: string, seed: number) => {
        const out = join(dir, name);
        await simulateToFiles({ seed, outDir: out, durationHours: 1, readers: 150, scenarios: ['scraping'] });
        const files = (await readdir(out)).sort();
        return Promise.all(files.map(async (f) => [f, (await readFile(join(out, f))).toString('base64')]));
      };
      const first = await run('a', 42);
      const second = await run('b', 42);
      const other = await run('c', 43);
      expect(second).toEqual(first);
      expect(other).not.toEqual(first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Function: simulateRequests', () => {
  const requests: SimulatedRequest[] = [...simulateRequests({ seed: 9, durationHours: 3, readers: 1500 })];

  it('yields one event-time-ordered stream inside the run window', () => {
    const start = Date.parse('2026-11-02T00:00:00Z');
    expect(requests.every((r, i) => i === 0 || r.time >= requests[i - 1]!.time)).toBe(true);
    expect(requests[0]!.time).toBeGreaterThanOrEqual(start);
    expect(requests.at(-1)!.time).toBeLessThan(start + 3 * 3_600_000);
  });

  it('draws client addresses that the country database places in the simulated country', () => {
    const mismatched = requests.filter((r, i) => i % 7 === 0 && geoip.lookup(r.ip)?.country !== r.country);
    expect(mismatched).toEqual([]);
  });

  it('contains the hard-negative populations a detector must not flag', () => {
    const populations = new Set(requests.map((r) => r.population));
    for (const p of ['b2c', 'household', 'traveller', 'campus', 'crawler', 'monitor'])
      expect(populations).toContain(p);
    const accountsPerIp = new Map<string, Set<string>>();
    for (const r of requests) {
      if (r.population !== 'campus' || !r.token) continue;
      const set = accountsPerIp.get(r.ip) ?? new Set();
      set.add(r.token.grant.accountId);
      accountsPerIp.set(r.ip, set);
    }
    expect(Math.max(...[...accountsPerIp.values()].map((s) => s.size))).toBeGreaterThanOrEqual(10);
    const googlebot = requests.filter((r) => r.userAgent.includes('Googlebot'));
    expect(googlebot.length).toBeGreaterThan(0);
    expect(googlebot.every((r) => r.ip.startsWith('66.249.') && !r.path.startsWith('/titles/'))).toBe(true);
    const travellerCountries = new Map<string, Set<string>>();
    for (const r of requests.filter((q) => q.population === 'traveller')) {
      const set = travellerCountries.get(r.actor) ?? new Set();
      set.add(r.country);
      travellerCountries.set(r.actor, set);
    }
    expect([...travellerCountries.values()].every((s) => s.size <= 2)).toBe(true);
  });

  it('bursts when the new title is released', () => {
    const release = Date.parse('2026-11-02T01:00:00Z');
    const window = 10 * 60_000;
    const before = requests.filter(
      (r) => r.population === 'b2c' && r.time >= release - window && r.time < release,
    );
    const after = requests.filter(
      (r) => r.population === 'b2c' && r.time >= release + window && r.time < release + 2 * window,
    );
    expect(after.length).toBeGreaterThan(3 * before.length);
  });

  it('rejects bad options with a clear error', () => {
    expect(() => simulateRequests({ seed: -1 })).toThrow(DatasetError);
    expect(() => simulateRequests({ seed: 1, durationHours: 0 })).toThrow(/durationHours/);
    expect(() => simulateRequests({ seed: 1, readers: 1.5 })).toThrow(/readers/);
    expect(() => simulateRequests({ seed: 1, scenarios: ['nope' as 'scraping'] })).toThrow(/scenarios/);
    expect(() => simulateRequests({ seed: 1, start: new Date('garbage') })).toThrow(/start/);
  });
});
