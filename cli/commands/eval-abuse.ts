import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KindScore, LabelOutcome, PooledEvaluation, Score } from '../eval/abuse.ts';
import type { AbuseEvaluation } from '../eval/abuse-run.ts';
import type { PopulationName } from '@boundless/datasets/simulator';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';

const POPULATION_NAMES: readonly PopulationName[] = ['development', 'validation', 'hard_negative'];

interface EvalAbuseOptions {
  input?: string;
  population: string;
  seeds?: string;
  hours?: string;
  readers?: string;
  json?: string;
  widen?: boolean;
}

const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)} %`;
const latency = (x: number | null) => (x === null ? '-' : `${x}s`);

/** Rows as aligned lines: columns `left` says so padded on the right, the others on the left. */
function columns(rows: string[][], left: (column: number) => boolean): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((cells) =>
    cells
      .map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function table(header: string[], rows: string[][]): string {
  return columns([header, ...rows], (i) => i === 0).join('\n');
}

const SCORE_HEADER = ['found', 'dets', 'precision', 'recall', 'F1', 'p50 lat', 'p90 lat'];

function scoreCells(s: Score): string[] {
  return [
    `${s.detected}/${s.labels}`,
    String(s.detections),
    s.precision.toFixed(3),
    s.recall.toFixed(3),
    s.f1.toFixed(3),
    latency(s.latencyMedianSeconds),
    latency(s.latencyP90Seconds),
  ];
}

/** At most `limit` names, and how many more --json holds. */
function listed(names: readonly string[], limit = 20): string {
  const more = names.length > limit ? ` … ${names.length - limit} more (--json has all)` : '';
  return names.slice(0, limit).join(', ') + more;
}

/** Labels no detection matched, one a line (at most `limit`; all of them are in --json). */
function reportMissed(
  heading: string,
  missed: readonly (LabelOutcome & { seed?: number })[],
  labels: number,
  limit = 20,
): string {
  if (labels === 0) return `${heading}: none (no labels)`;
  if (missed.length === 0) return `${heading}: none of ${labels}`;
  const subject = (o: LabelOutcome) =>
    Object.entries(o.subject)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ');
  const rows = missed
    .slice(0, limit)
    .map((o) => [
      ...(o.seed === undefined ? [] : [`seed ${o.seed}`]),
      o.kind,
      subject(o),
      `${o.start} – ${o.end}`,
    ]);
  const more = missed.length > limit ? `\n  … ${missed.length - limit} more (--json has every label)` : '';
  const lines = columns(rows, () => true).map((line) => `  ${line}`);
  return [`${heading}: ${missed.length} of ${labels}`, ...lines].join('\n') + more;
}

/** One labelled directory (--input): per kind, all kinds, the rate-rule baseline, legitimate readers. */
function reportOne(e: AbuseEvaluation): string {
  const l = e.legitimate;
  return [
    `lines ${e.lines}, records ${e.records}, labels ${e.labels}`,
    table(
      ['kind', ...SCORE_HEADER],
      [
        ...e.kinds.map((k: KindScore) => [k.kind, ...scoreCells(k)]),
        ['all kinds', ...scoreCells(e.overall)],
        [`baseline N=${e.baseline.bestRequestsPer5Min}/5min`, ...scoreCells(e.baseline.scraping)],
      ],
    ),
    `legitimate readers ${l.readers}: named by a detection ${l.detected}, mitigated ${l.mitigated} (${pct(l.readers ? l.mitigated / l.readers : 0, 3)}): ` +
      `asked to re-authenticate ${l.reauthenticated}, grants shortened ${l.shortened}, throttled ${l.throttled}, denied ${l.denied}; ` +
      `the baseline would hit ${pct(e.baseline.legitimateReadersHitShare, 3)}`,
    ...(e.legitimateNamed.length > 0 ? [`legitimate readers named: ${listed(e.legitimateNamed)}`] : []),
    reportMissed(
      'missed labels',
      e.outcomes.filter((o) => o.detectedAt === null),
      e.labels,
    ),
  ].join('\n');
}

/** The populations side by side, then each population's kinds. */
interface PopulationResult {
  name: PopulationName;
  /** What the report calls it: the name, "(widened)" on the stress run, "seen" for seeds already looked at. */
  title: string;
  pooled: PooledEvaluation;
  seeds: number[];
  /** Per seed: the labels no detection matched, and the legitimate readers a detection named. */
  bySeed: { seed: number; missed: LabelOutcome[]; legitimateNamed: string[] }[];
}

function reportPopulations(results: PopulationResult[]): string {
  const overall = table(
    ['population (seeds)', 'lines', ...SCORE_HEADER],
    results.map(({ title, pooled, seeds }) => [
      `${title} (${seeds.join(',')})`,
      String(pooled.lines),
      ...scoreCells(pooled.overall),
    ]),
  );
  const legit = table(
    [
      'population',
      'legit readers',
      'named',
      'mitigated',
      'share',
      're-authenticate',
      'shortened',
      'throttled',
      'denied',
    ],
    results.map(({ title, pooled }) => {
      const l = pooled.legitimate;
      return [
        title,
        String(l.readers),
        String(l.detected),
        String(l.mitigated),
        pct(l.readers ? l.mitigated / l.readers : 0, 3),
        String(l.reauthenticated),
        String(l.shortened),
        String(l.throttled),
        String(l.denied),
      ];
    }),
  );
  const kinds = table(
    ['population / kind', ...SCORE_HEADER],
    results.flatMap(({ title, pooled }) => [
      ...pooled.kinds.map((k) => [`${title} / ${k.kind}`, ...scoreCells(k)]),
      [`${title} / rate-rule baseline`, ...scoreCells(pooled.baseline.scraping)],
    ]),
  );
  const missed = results.map(({ title, pooled, bySeed }) =>
    reportMissed(
      `${title} / missed labels`,
      bySeed.flatMap(({ seed, missed }) => missed.map((o) => ({ ...o, seed }))),
      pooled.labels,
    ),
  );
  return [
    'all kinds (precision over distinct (kind, subject) detections, recall over labels):',
    overall,
    '',
    'legitimate readers (accounts named by no label) reached by the default policies:',
    legit,
    '',
    kinds,
    '',
    ...missed,
  ].join('\n');
}

function list(name: string, text: string): number[] {
  const values = text.split(',').map((s) => s.trim());
  if (values.some((v) => !/^\d+$/.test(v)))
    throw new CliError(`--${name} must be a comma list of integers, got "${text}"`);
  return values.map(Number);
}

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new CliError(`--${name} must be a positive number, got "${text}"`);
  return value;
}

export function registerEvalAbuse(program: Command): void {
  program
    .command('abuse')
    .description(
      'evaluate abuse detection on the development, validation and hard-negative populations (or a labelled directory)',
    )
    .option('--input <dir>', 'one directory with CloudFront logs and labels.jsonl, instead of simulating')
    .option('--population <name>', `all, or one of ${POPULATION_NAMES.join(', ')}`, 'all')
    .option('--seeds <list>', "simulator seeds (default: each population's own)")
    .option('--hours <h>', "simulated hours per seed (default: each population's own)")
    .option('--readers <n>', "reader accounts per seed (default: each population's own)")
    .option(
      '--widen',
      'the development stress run: development ranges widened to [a/2, 2b] under each mix, on the stress seeds (3002 with abuse, 3001 hard negatives)',
    )
    .option('--json <file>', 'also write the full evaluation as JSON')
    .action(async (options: EvalAbuseOptions) => {
      // Loaded when the command runs, so other commands and --help start without the detectors.
      const { AbuseEvalError, poolEvaluations } = await import('../eval/abuse.ts');
      const { evaluateAbuse } = await import('../eval/abuse-run.ts');
      const { LogParseError } = await import('@boundless/copilot/logs');
      const evaluate = (dir: string) =>
        evaluateAbuse(dir).catch((error: unknown) => {
          if (error instanceof AbuseEvalError || error instanceof LogParseError) {
            throw new CliError(error.message, 2, { cause: error });
          }
          throw error;
        });
      if (options.input) {
        const evaluation = await evaluate(options.input);
        process.stdout.write(`${reportOne(evaluation)}\n`);
        if (options.json) {
          const { detections, ...summary } = evaluation;
          await writeFile(
            options.json,
            `${JSON.stringify({ ...summary, detections: detections.length }, null, 2)}\n`,
          );
        }
        return;
      }
      const { POPULATIONS, simulateToFiles } = await import('@boundless/datasets/simulator');
      const widen = options.widen === true;
      const names: PopulationName[] =
        options.population === 'all'
          ? POPULATION_NAMES.filter((name) => !widen || POPULATIONS[name].stressSeeds.length > 0)
          : POPULATION_NAMES.includes(options.population as PopulationName)
            ? [options.population as PopulationName]
            : (() => {
                throw new CliError(
                  `unknown population "${options.population}"; use all or one of ${POPULATION_NAMES.join(', ')}`,
                );
              })();
      const seedsOverride = options.seeds === undefined ? undefined : list('seeds', options.seeds);
      const hours = positive('hours', options.hours);
      const readers = positive('readers', options.readers);
      const work = await mkdtemp(join(tmpdir(), 'boundless-abuse-'));
      const results: PopulationResult[] = [];
      try {
        for (const name of names) {
          const spec = POPULATIONS[name];
          const seeds = seedsOverride ?? [...(widen ? spec.stressSeeds : spec.seeds)];
          if (seeds.length === 0)
            throw new CliError(`population ${name} has no stress seeds; give --seeds to widen it anyway`);
          const runs: AbuseEvaluation[] = [];
          for (const seed of seeds) {
            const dir = join(work, `${name}-${seed}`);
            const simulated = await simulateToFiles({
              seed,
              outDir: dir,
              population: name,
              widen,
              durationHours: hours ?? spec.hours,
              readers: Math.round(readers ?? spec.readers),
            });
            process.stderr.write(
              `${name}${widen ? ' (widened)' : ''} seed ${seed}: simulated ${simulated.lines} lines and ${simulated.labels} labels; detecting\n`,
            );
            runs.push(await evaluate(dir));
            await rm(dir, { recursive: true, force: true });
          }
          const seen = seeds.some((seed) => spec.seenSeeds.includes(seed));
          const title = `${name}${widen ? ' widened' : ''}${seen ? ' seen' : ''}`;
          const bySeed = runs.map((run, i) => ({
            seed: seeds[i]!,
            missed: run.outcomes.filter((o) => o.detectedAt === null),
            legitimateNamed: run.legitimateNamed,
          }));
          results.push({ name, title, seeds, pooled: poolEvaluations(runs), bySeed });
        }
      } finally {
        await rm(work, { recursive: true, force: true });
      }
      process.stdout.write(`${reportPopulations(results)}\n`);
      if (options.json) {
        await writeFile(options.json, `${JSON.stringify(results, null, 2)}\n`);
      }
    });
}
