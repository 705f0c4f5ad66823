import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarios, DEFAULT_SCENARIOS_PATH } from '@boundless/datasets/incidents';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateOwnScenarios } from './diagnose-eval.ts';

const cacheDir = mkdtempSync(join(tmpdir(), 'diagnose-eval-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('Function: evaluateOwnScenarios', () => {
  it('shows no claim without evidence found in the telemetry, over every scenario', async () => {
    const catalog = await loadScenarios(DEFAULT_SCENARIOS_PATH);
    const problems: string[] = [];
    let shown = 0;
    const results = await evaluateOwnScenarios({
      cacheDir,
      sets: ['dev'],
      seeds: 1,
      onCase: (result, diagnosed) => {
        shown += diagnosed.diagnosis.hypotheses.length;
        for (const u of diagnosed.uncited)
          problems.push(`${result.id} #${u.rank} ${u.component}: ${u.problem}`);
      },
    });
    expect(results.map((r) => r.group)).toEqual(catalog.scenarios.map((s) => s.id));
    // Fault scenarios show hypotheses, so the check below is not vacuous.
    expect(shown).toBeGreaterThanOrEqual(results.filter((r) => r.expect).length);
    expect(problems).toEqual([]);
    expect(results.every((r) => r.withEvidence === r.hypotheses)).toBe(true);
  }, 240_000);
});
