import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIVE_SCENARIO_KINDS } from '@boundless/datasets/live';
import { startLiveStack } from '../test/support/live-copilot.ts';
import { quantile } from 'simple-statistics';

/**
 * Attack to refusal: wall seconds from an abuser's first request to the first request the edge refuses, with the
 * whole loop live as `boundless start` runs it (edge real-time records -> copilot pipeline -> admin API -> edge
 * KeyValueStore, or WAF adapter -> web ACL IP set), a few legitimate readers reading throughout. Each kind of live scenario runs RUNS times, each
 * on an account no earlier run abused; the numbers are the median and the 90th percentile per kind and overall.
 */
const RUNS = 5;
const KINDS = LIVE_SCENARIO_KINDS;

export async function run(): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-live-mitigation-'));
  const stack = await startLiveStack(dataDir);
  const live = stack.scenarios({ readers: 4, randomSeed: 2026 });
  try {
    const results: Record<string, number> = {};
    const all: number[] = [];
    let missed = 0;
    for (const kind of KINDS) {
      const seconds: number[] = [];
      for (let i = 0; i < RUNS; i += 1) {
        const report = await live.runScenario(kind);
        const s = report.refusedAfterSeconds;
        process.stdout.write(
          `  ${kind} on ${report.subject.accountId || report.subject.ips.join(',')}: ${s === null ? 'never refused' : `refused after ${s.toFixed(2)} s`}\n`,
        );
        if (s === null) missed += 1;
        else seconds.push(s);
      }
      all.push(...seconds);
      results[`${kind}_refused_runs`] = seconds.length;
      results[`${kind}_attack_to_refusal_s_median`] = round(quantileOf(seconds, 0.5));
      results[`${kind}_attack_to_refusal_s_p90`] = round(quantileOf(seconds, 0.9));
    }
    const readers = live.stats().readers;
    return {
      runs: RUNS * KINDS.length,
      never_refused: missed,
      attack_to_refusal_s_median: round(quantileOf(all, 0.5)),
      attack_to_refusal_s_p90: round(quantileOf(all, 0.9)),
      attack_to_refusal_s_max: round(Math.max(...all)),
      ...results,
      legit_requests_served: readers.served,
      legit_requests_refused: readers.refused,
    };
  } finally {
    await live.stop();
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function quantileOf(values: readonly number[], q: number): number {
  return values.length === 0 ? Number.NaN : quantile([...values], q);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
