import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KindScore } from '../eval/abuse.ts';
import type { AbuseEvaluation } from '../eval/abuse-run.ts';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';

interface EvalAbuseOptions {
  input?: string;
  seed: string;
  json?: string;
}

function row(name: string, s: KindScore): string {
  const latency = (x: number | null) => (x === null ? '-' : `${x}s`);
  return [
    name.padEnd(24),
    `${s.detected}/${s.labels}`.padStart(7),
    String(s.detections).padStart(6),
    s.precision.toFixed(3).padStart(9),
    s.recall.toFixed(3).padStart(7),
    s.f1.toFixed(3).padStart(6),
    latency(s.latencyMedianSeconds).padStart(9),
    latency(s.latencyP90Seconds).padStart(9),
  ].join(' ');
}

function report(e: AbuseEvaluation): string {
  const header = `${'kind'.padEnd(24)} ${'found'.padStart(7)} ${'dets'.padStart(6)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'F1'.padStart(6)} ${'p50 lat'.padStart(9)} ${'p90 lat'.padStart(9)}`;
  const pct = (x: number) => `${(100 * x).toFixed(3)} %`;
  return [
    `lines ${e.lines}, records ${e.records}, labels ${e.labels}`,
    header,
    ...e.kinds.map((k) => row(k.kind, k)),
    row(`baseline N=${e.baseline.bestRequestsPer5Min}/5min`, e.baseline.scraping),
    `legitimate readers hit: ${e.legitimateReadersHit}/${e.legitimateReaders} (${pct(e.legitimateReadersHitShare)}); ` +
      `baseline: ${pct(e.baseline.legitimateReadersHitShare)}`,
  ].join('\n');
}

async function scenarioDir(
  options: EvalAbuseOptions,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  if (options.input) return { dir: options.input, cleanup: async () => {} };
  const seed = Number(options.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new CliError(`--seed must be a non-negative integer, got "${options.seed}"`);
  const dir = await mkdtemp(join(tmpdir(), 'boundless-abuse-'));
  const { simulateToFiles } = await import('@boundless/datasets/simulator');
  const result = await simulateToFiles({ seed, outDir: join(dir, 'scenarios') });
  process.stderr.write(`simulated ${result.lines} lines and ${result.labels} labels (seed ${seed})\n`);
  return { dir: join(dir, 'scenarios'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function registerEvalAbuse(program: Command): void {
  program
    .command('abuse')
    .description('evaluate abuse detection on labelled scenarios against a rate-based baseline')
    .option('--input <dir>', 'directory with CloudFront logs and labels.jsonl (default: simulate one)')
    .option('--seed <n>', 'simulator seed when --input is absent', '1')
    .option('--json <file>', 'also write the full evaluation as JSON')
    .action(async (options: EvalAbuseOptions) => {
      // Loaded when the command runs, so other commands and --help start without the detectors.
      const { AbuseEvalError } = await import('../eval/abuse.ts');
      const { evaluateAbuse } = await import('../eval/abuse-run.ts');
      const { LogParseError } = await import('@boundless/copilot/logs');
      const { dir, cleanup } = await scenarioDir(options);
      try {
        const evaluation = await evaluateAbuse(dir).catch((error: unknown) => {
          if (error instanceof AbuseEvalError || error instanceof LogParseError) {
            throw new CliError(error.message, 2, { cause: error });
          }
          throw error;
        });
        process.stdout.write(`${report(evaluation)}\n`);
        if (options.json) {
          const { detections, ...summary } = evaluation;
          await writeFile(
            options.json,
            `${JSON.stringify({ ...summary, detections: detections.length }, null, 2)}\n`,
          );
        }
      } finally {
        await cleanup();
      }
    });
}
