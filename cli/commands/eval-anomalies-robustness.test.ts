import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ARCHETYPES } from '../eval/anomaly-sim.ts';

const BIN = fileURLToPath(new URL('../../bin/boundless.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eval-anomalies-robustness-cli-'));

function boundless(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
}

describe('Command: boundless eval anomalies-robustness', () => {
  it('scores a simulated population per archetype, with and without anomalies, and writes JSON', () => {
    const json = join(dir, 'robustness.json');
    const run = boundless(
      'eval',
      'anomalies-robustness',
      '--population',
      'validation',
      '--per-archetype',
      '1',
      '--no-shipped',
      '--json',
      json,
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Simulated validation population/);
    expect(run.stdout).toMatch(/^weekly\s/m);
    expect(run.stdout).toMatch(/per series-week/);
    const result = JSON.parse(readFileSync(json, 'utf8')) as {
      validation: {
        anomalies: Record<string, { windows: number }>;
        noAnomaly: Record<string, { series: number }>;
      };
    };
    // One series per archetype with --per-archetype 1, and at least one anomaly window in each.
    expect(result.validation.noAnomaly.all!.series).toBe(ARCHETYPES.length);
    expect(result.validation.anomalies.all!.windows).toBeGreaterThanOrEqual(ARCHETYPES.length);
  });

  it('rejects an unknown population and a bad count with exit 2', () => {
    const population = boundless('eval', 'anomalies-robustness', '--population', 'test');
    expect(population.status).toBe(2);
    expect(population.stderr).toMatch(/--population must be development, validation or both/);
    const count = boundless('eval', 'anomalies-robustness', '--per-archetype', '0');
    expect(count.status).toBe(2);
    expect(count.stderr).toMatch(/--per-archetype must be an integer/);
  });
});
