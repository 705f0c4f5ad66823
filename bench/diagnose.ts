/**
 * Offline diagnosis speed: reading a 30-minute window of the telemetry directory and diagnosing it, per case,
 * over every incident scenario (first dev seed; both estates, faults and no-fault windows). Scenarios are
 * generated first, outside the timing (cached under node_modules/.cache/boundless like the evaluation's), then
 * diagnosed in BENCH_DIAGNOSE_PASSES passes (default 3). The target is under 2 s per window.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateOwnScenarios } from '../cli/eval/diagnose-eval.ts';

const CACHE = fileURLToPath(new URL('../node_modules/.cache/boundless', import.meta.url));
const PASSES = Number(process.env.BENCH_DIAGNOSE_PASSES ?? 3);

export async function run(): Promise<Record<string, number | string>> {
  const options = { cacheDir: CACHE, sets: ['dev' as const], seeds: 1 };
  const first = await evaluateOwnScenarios(options);
  const times: number[] = [];
  for (let pass = 0; pass < PASSES; pass++) {
    for (const result of await evaluateOwnScenarios(options)) times.push(result.ms);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
  const result = {
    cases: first.length,
    passes: PASSES,
    window: '30m',
    medianMs: Math.round(q(0.5)),
    p95Ms: Math.round(q(0.95)),
    maxMs: Math.round(times.at(-1)!),
    under2s: times.filter((t) => t < 2000).length / times.length,
    cache: join('node_modules', '.cache', 'boundless'),
  };
  process.stdout.write(
    `diagnose: ${result.cases} windows × ${PASSES} passes: median ${result.medianMs} ms, p95 ${result.p95Ms} ms, max ${result.maxMs} ms (${(100 * result.under2s).toFixed(1)} % under 2 s)\n`,
  );
  return result;
}
