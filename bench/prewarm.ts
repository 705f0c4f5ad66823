import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planProvisionedConcurrency, scaleAudiences } from '@boundless/copilot/prewarm';
import { DEFAULT_TRAFFIC_TRACE, loadTrafficTrace } from '@boundless/datasets/traffic';

const TRACE = resolve(
  fileURLToPath(new URL('../', import.meta.url)),
  '../shared/data',
  DEFAULT_TRAFFIC_TRACE,
);

/** Time to plan the month-long NASA trace (best of 5 after a warm-up run), and minutes planned per second. */
export async function run(): Promise<Record<string, number | string>> {
  const trace = await loadTrafficTrace(TRACE);
  const minutes = scaleAudiences(trace.minutes, 400);
  const options = { durationMs: 200, leadMinutes: 10 };
  planProvisionedConcurrency(minutes, options);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    planProvisionedConcurrency(minutes, options);
    best = Math.min(best, performance.now() - started);
  }
  const results = {
    prewarm_plan_month_ms: Math.round(best * 10) / 10,
    prewarm_plan_minutes: minutes.length,
    prewarm_plan_points_per_s: Math.round(minutes.length / (best / 1000)),
  };
  process.stdout.write(`${JSON.stringify(results)}\n`);
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
