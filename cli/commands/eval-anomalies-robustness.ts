import type { Population } from '../eval/anomaly-sim.ts';
import type { FalseAlarms, SimulatedReport, Transform } from '../eval/anomalies-robustness.ts';
import type { SetScore } from '../eval/anomalies-nab.ts';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { writeOutput } from '../output.ts';
import { DEFAULT_NAB_DATA } from './eval-anomalies.ts';

function grid(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const format = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [format(header), ...rows.map(format)].join('\n');
}

const scoreCells = (s: SetScore) => [
  s.f1.toFixed(3),
  s.precision.toFixed(3),
  s.recall.toFixed(3),
  `${s.caughtWindows}/${s.windows}`,
  `${s.clusters} (${s.trueClusters})`,
  s.nab.toFixed(1),
];
const SCORE_HEADER = ['F1', 'precision', 'recall', 'windows', 'clusters (true)', 'NAB'];

const alarmCells = (a: FalseAlarms) => [
  String(a.series),
  a.weeks.toFixed(1),
  String(a.alarms),
  String(a.alarmedSeries),
  a.perWeek.toFixed(2),
];
const ALARM_HEADER = ['series', 'weeks', 'false alarms', 'series alarmed', 'per series-week'];

function renderTransforms(categories: string[], scores: Map<Transform, Map<string, SetScore>>): string {
  const rows: string[][] = [];
  for (const [transform, byCategory] of scores)
    for (const category of categories)
      rows.push([`${transform}  ${category}`, ...scoreCells(byCategory.get(category)!)]);
  return grid(['transform  category', ...SCORE_HEADER], rows);
}

function renderPopulation(report: SimulatedReport): string {
  const keys = [...report.anomalies.keys()];
  const rows = keys.map((key) => [
    key,
    ...scoreCells(report.anomalies.get(key)!),
    ...alarmCells(report.noAnomaly.get(key)!),
  ]);
  return grid(['archetype', ...SCORE_HEADER, ...ALARM_HEADER], rows);
}

interface RobustnessFlags {
  data: string;
  population: string;
  perArchetype: string;
  shipped: boolean;
  json?: string;
}

async function evaluate(flags: RobustnessFlags): Promise<void> {
  const populations: Population[] =
    flags.population === 'both'
      ? ['development', 'validation']
      : flags.population === 'development' || flags.population === 'validation'
        ? [flags.population]
        : [];
  if (populations.length === 0)
    throw new CliError(`--population must be development, validation or both, got "${flags.population}"`, 2);
  const perArchetype = Number(flags.perArchetype);
  const { MAX_PER_ARCHETYPE } = await import('../eval/anomaly-sim.ts');
  if (!Number.isInteger(perArchetype) || perArchetype < 1 || perArchetype > MAX_PER_ARCHETYPE)
    throw new CliError(
      `--per-archetype must be an integer from 1 to ${MAX_PER_ARCHETYPE}, got "${flags.perArchetype}"`,
      2,
    );
  const { loadNabBenchmark } = await import('../eval/anomalies-nab.ts');
  const robustness = await import('../eval/anomalies-robustness.ts');
  const { NabDataError } = await import('@boundless/datasets/nab');
  const out: string[] = [];
  const json: Record<string, unknown> = {};
  try {
    const benchmark = loadNabBenchmark(flags.data);
    if (flags.shipped) {
      const scores = robustness.transformedScores(benchmark);
      out.push(
        'Shipped categories, transformed (development: the design has seen these series); the shipped defaults',
        renderTransforms(benchmark.categories, scores),
        '',
      );
      json.transforms = Object.fromEntries(
        [...scores].map(([t, byCategory]) => [t, Object.fromEntries(byCategory)]),
      );
    }
    for (const population of populations) {
      const report = robustness.simulatedReport(population, perArchetype, benchmark.cost);
      out.push(
        `Simulated ${population} population (${perArchetype} series per archetype with labelled anomalies, as many without): the shipped defaults`,
        renderPopulation(report),
        '',
      );
      json[population] = {
        anomalies: Object.fromEntries(report.anomalies),
        noAnomaly: Object.fromEntries(report.noAnomaly),
      };
    }
  } catch (error) {
    if (error instanceof NabDataError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (flags.json) await writeOutput(flags.json, `${JSON.stringify(json, null, 2)}\n`, '--json');
}

export function registerEvalAnomaliesRobustness(program: Command): void {
  program
    .command('anomalies-robustness')
    .description(
      'the anomaly detector on series it was not designed on: the shipped NAB series resampled, rescaled, ' +
        'offset, negated, with a trend, gaps or another clock; and simulated series of other shapes, with ' +
        'labelled anomalies (window F1, NAB) and without (false alarms per series-week)',
    )
    .option(
      '--data <dir>',
      'NAB directory (for the shipped series and the standard profile)',
      DEFAULT_NAB_DATA,
    )
    .option('--population <which>', 'simulated population: development, validation or both', 'both')
    .option('--per-archetype <n>', 'simulated series per archetype, with and without anomalies', '8')
    .option('--no-shipped', 'skip the transformed shipped series')
    .option('--json <out>', 'also write the figures as JSON')
    .action(evaluate);
}
