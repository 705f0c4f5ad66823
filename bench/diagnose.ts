/**
 * Offline diagnosis speed: reading a 30-minute window of the telemetry directory and diagnosing it, per case,
 * over every incident scenario (first dev seed; both estates, faults and no-fault windows). Scenarios are
 * generated first, outside the timing (cached under node_modules/.cache/boundless like the evaluation's), then
 * diagnosed in BENCH_DIAGNOSE_PASSES passes (default 3). Then the public RCA cases (Nezha's TrainTicket faults,
 * much bigger windows: about 8,000 log events, 25,000 metric points and 13,000 spans each) when their archive is
 * in ../shared/data, in the same number of passes. The target is under 2 s per window. Besides the clock, each
 * figure is given in CPU time (user plus system): on a shared machine the clock measures the load as much.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateOwnScenarios, evaluateRcaCases } from '../cli/eval/diagnose-eval.ts';
import { type CaseResult, summarise } from '../cli/eval/diagnose-score.ts';

const CACHE = fileURLToPath(new URL('../node_modules/.cache/boundless', import.meta.url));
const RCA = fileURLToPath(
  new URL('../../shared/data/rca/nezha-trainticket-2023-01-29.tar.gz', import.meta.url),
);
const PASSES = Number(process.env.BENCH_DIAGNOSE_PASSES ?? 3);

/** The time figures of a run (the evaluation's own summary) and the share of windows under 2 s. */
function timeFigures(results: readonly CaseResult[]) {
  const s = summarise(results, false);
  return {
    medianMs: Math.round(s.medianMs),
    p95Ms: Math.round(s.p95Ms),
    maxMs: Math.round(s.maxMs),
    medianCpuMs: Math.round(s.medianCpuMs),
    maxCpuMs: Math.round(s.maxCpuMs),
    under2s: results.filter((r) => r.ms < 2000).length / results.length,
  };
}

export async function run(): Promise<Record<string, number | string>> {
  const options = { cacheDir: CACHE, sets: ['dev' as const], seeds: 1 };
  const first = await evaluateOwnScenarios(options);
  const own: CaseResult[] = [];
  for (let pass = 0; pass < PASSES; pass++) own.push(...(await evaluateOwnScenarios(options)));
  const ownFigures = timeFigures(own);
  const result: Record<string, number | string> = {
    cases: first.length,
    passes: PASSES,
    window: '30m',
    ...ownFigures,
    cache: join('node_modules', '.cache', 'boundless'),
  };
  const line = (name: string, n: number, f: ReturnType<typeof timeFigures>) =>
    `${name}: ${n} windows × ${PASSES} passes: median ${f.medianMs} ms, p95 ${f.p95Ms} ms, max ${f.maxMs} ms (${(100 * f.under2s).toFixed(1)} % under 2 s); CPU median ${f.medianCpuMs} ms, max ${f.maxCpuMs} ms\n`;
  process.stdout.write(line('diagnose', first.length, ownFigures));
  if (existsSync(RCA)) {
    const rca: CaseResult[] = [];
    for (let pass = 0; pass < PASSES; pass++)
      rca.push(...(await evaluateRcaCases({ path: RCA, cacheDir: CACHE })));
    const figures = timeFigures(rca);
    for (const [key, value] of Object.entries(figures))
      result[`public${key[0]!.toUpperCase()}${key.slice(1)}`] = value;
    result.publicCases = rca.length / PASSES;
    process.stdout.write(line('diagnose, public RCA cases', rca.length / PASSES, figures));
  } else process.stdout.write(`diagnose: no public RCA cases at ${RCA}: only our scenarios were timed\n`);
  return result;
}
