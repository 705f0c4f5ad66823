import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTunables, synthTemplates } from '@boundless/infra';

/**
 * How long synthesis of every stack takes: in process as change sets use it (`synthTemplates`, bundling and the
 * template linter off), and as `npm run synth -w infra` runs it (the pinned cdk CLI: esbuild bundles, cdk-nag,
 * CloudFormation validation). CPU seconds of the CLI are its user + system time, which stays meaningful on a
 * busy machine where wall time does not.
 */
const INFRA = fileURLToPath(new URL('../infra/', import.meta.url));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(): Promise<Record<string, number | string>> {
  const tunables = loadTunables();
  let started = performance.now();
  const templates = synthTemplates(tunables);
  const firstMs = performance.now() - started;
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    started = performance.now();
    synthTemplates(tunables);
    warm.push(performance.now() - started);
  }
  started = performance.now();
  synthTemplates(tunables, { nag: true });
  const nagMs = performance.now() - started;

  const out = mkdtempSync(join(tmpdir(), 'bench-cdk-'));
  const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%U %S'] : [];
  started = performance.now();
  const cli = spawnSync(
    time[0] ?? join(INFRA, '../node_modules/.bin/cdk'),
    [
      ...time.slice(1),
      ...(time.length > 0 ? [join(INFRA, '../node_modules/.bin/cdk')] : []),
      'synth',
      '--quiet',
      '--output',
      out,
      '--no-notices',
    ],
    { cwd: INFRA, encoding: 'utf8' },
  );
  const cliMs = performance.now() - started;
  rmSync(out, { recursive: true, force: true });
  if (cli.status !== 0) throw new Error(`cdk synth failed: ${cli.stderr.slice(-2000)}`);
  const cpu = time.length > 0 ? (cli.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number) : [];
  const loadAverage = Number(spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ')[0]);
  return {
    stacks: Object.keys(templates).length,
    resources: Object.values(templates).reduce((n, t) => n + Object.keys(t.Resources ?? {}).length, 0),
    synthTemplatesFirstSeconds: Math.round(firstMs) / 1000,
    synthTemplatesWarmMedianSeconds: Math.round(median(warm)) / 1000,
    synthTemplatesWithNagSeconds: Math.round(nagMs) / 1000,
    cdkSynthWallSeconds: Math.round(cliMs) / 1000,
    cdkSynthCpuSeconds: cpu.length === 2 ? Math.round((cpu[0]! + cpu[1]!) * 100) / 100 : 'n/a',
    loadAverageAfter: loadAverage,
  };
}
