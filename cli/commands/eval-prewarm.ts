import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  CaseEvaluation,
  EvaluationCase,
  PeriodComparison,
  PrewarmEvaluation,
  StrategyComparison,
} from '../eval/prewarm.ts';
// Eager for the --trace default in the help text; the module is small and imports no packages.
import { DEFAULT_TRAFFIC_TRACE } from '@boundless/datasets/traffic';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { writeOutput } from '../output.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_TRACE = resolve(PROJECT_ROOT, '../shared/data', DEFAULT_TRAFFIC_TRACE);

function positiveNumber(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0)
      throw new CliError(`${name} must be a positive number, got "${text}"`);
    return value;
  };
}

function numberList(name: string, allowEmpty: boolean) {
  return (text: string): number[] => {
    if (text.trim() === '' && allowEmpty) return [];
    const values = text.split(',').map((part) => Number(part.trim()));
    if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v < 0)) {
      throw new CliError(`${name} must be a comma list of numbers, got "${text}"`);
    }
    return values;
  };
}

const money = (value: number) =>
  `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

function row(evaluation: CaseEvaluation, period: PeriodComparison, strategy: StrategyComparison): string[] {
  const { targetTracking: tracking } = period;
  const { ours } = strategy;
  return [
    evaluation.trace,
    `×${evaluation.scale}`,
    count(period.toMinute - period.fromMinute),
    count(tracking.coldStarts),
    money(tracking.totalCost),
    count(ours.coldStarts),
    times(strategy.coldStartRatio),
    money(ours.totalCost),
    times(strategy.costRatio),
    times(period.oracleCostRatio),
    times(strategy.coldStartRatioAtTrackingCost),
    strategy.meetsTarget ? 'met' : 'not met',
  ];
}

const HEADER = [
  'trace',
  'size',
  'minutes',
  'TT cold starts',
  'TT cost',
  'ours cold starts',
  '÷ TT',
  'ours cost',
  '÷ TT',
  'oracle cost ÷ TT',
  'ours at TT’s cost: cold starts ÷ TT',
  'target',
];

function markdownTable(rows: string[][]): string {
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < 2 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`;
  return [line(HEADER), rule, ...rows.map(line)].join('\n');
}

function formatEvaluation(evaluation: PrewarmEvaluation): string {
  const { settings, cases } = evaluation;
  const points = (strategy: StrategyComparison | undefined) =>
    (strategy?.curve ?? [])
      .map((p) => `${p.coldStartCost}: ${count(p.coldStarts)} / ${money(p.totalCost)}`)
      .join(', ');
  type Pick = (period: PeriodComparison) => StrategyComparison | undefined;
  const curves = (cs: CaseEvaluation[], pick: Pick) =>
    cs.map((c) => `  ${c.trace} ×${c.scale}: ${points(pick(c.development))} | ${points(pick(c.validation))}`);
  // One table per period, each titled, for the strategy `pick` selects.
  const tables = (cs: CaseEvaluation[], pick: Pick, development: string, validation: string) => [
    development,
    '',
    markdownTable(cs.map((c) => row(c, c.development, pick(c.development)!))),
    '',
    validation,
    '',
    markdownTable(cs.map((c) => row(c, c.validation, pick(c.validation)!))),
  ];
  const withLive = cases.filter((c) => c.development.live && c.validation.live);
  return [
    `${settings.durationMs} ms, ${settings.memoryMb} MB, lead ${settings.leadMinutes} min, keep-alive ${settings.keepAliveMinutes} min, ` +
      `a cold start valued at ${settings.coldStartCost} idle environment-minutes; the first ${settings.warmupDays} day(s) of each trace are ` +
      `warm-up (not counted), the last ${settings.validationDays} days validation. TT = target tracking at 70 %.`,
    '',
    ...tables(
      cases,
      (p) => p,
      'Development (every day between the warm-up and the last week):',
      'Validation (the last week of each trace):',
    ),
    '',
    'Our cost/cold-start curve (cold-start cost: cold starts / total), development | validation:',
    ...curves(cases, (p) => p),
    ...(withLive.length === 0
      ? []
      : [
          '',
          ...tables(
            withLive,
            (p) => p.live,
            `Ours re-planned every minute from the metrics (lead ${settings.liveLeadMinutes} min: target tracking's own reaction time), development:`,
            'Re-planned every minute, validation:',
          ),
          '',
          'Its curve, development | validation:',
          ...curves(withLive, (p) => p.live),
          '',
          ...tables(
            withLive,
            (p) => p.liveFloorWithTracking,
            'The every-minute plan as the minimum with target tracking (70 %) above it ("ours" = both layers), development:',
            'Every-minute minimum + target tracking, validation:',
          ),
          '',
          'Its curve (the minimum’s cold-start cost: cold starts / total), development | validation:',
          ...curves(withLive, (p) => p.liveFloorWithTracking),
        ]),
    ...(settings.levelBoundMinutes === undefined
      ? []
      : [
          '',
          `A reference told each minute's level (±${settings.levelBoundMinutes} min, future included), at target tracking's cost: cold starts ÷ TT, development | validation:`,
          ...cases.map(
            (c) =>
              `  ${c.trace} ×${c.scale}: ${times(c.development.levelBoundColdStartRatioAtTrackingCost ?? Number.NaN)} | ${times(c.validation.levelBoundColdStartRatioAtTrackingCost ?? Number.NaN)}`,
          ),
        ]),
  ].join('\n');
}

interface EvalFlags {
  trace: string;
  scales: number[];
  simulatedSeeds: number[];
  socialSeeds: number[];
  simulatedDays: number;
  durationMs?: number;
  leadMinutes?: number;
  liveLeadMinutes?: number;
  coldStartCost?: number;
  levelBound?: number;
  events?: boolean;
  json?: string;
}

async function loadCases(flags: EvalFlags): Promise<EvaluationCase[]> {
  const { loadTrafficTrace } = await import('@boundless/datasets/traffic');
  const { simulateMinuteTraffic } = await import('@boundless/datasets/minute-traffic');
  const cases: EvaluationCase[] = [];
  if (flags.scales.length > 0) {
    const trace = await loadTrafficTrace(flags.trace).catch((error: unknown) => {
      throw new CliError(error instanceof Error ? error.message : String(error), 2, { cause: error });
    });
    if (trace.skipped.length > 0)
      process.stderr.write(`${flags.trace}: skipped ${trace.skipped.length} bad rows\n`);
    const name = basename(flags.trace).replace(/\.csv$/, '');
    for (const scale of flags.scales) cases.push({ trace: name, scale, minutes: trace.minutes });
  }
  for (const seed of flags.simulatedSeeds) {
    process.stderr.write(`simulating release-day traffic, seed ${seed}…\n`);
    const { minutes, parameters } = simulateMinuteTraffic({ seed, days: flags.simulatedDays });
    // The release calendar holds the times people scheduled, never how big a release turned out.
    const events = flags.events ? parameters.releases.map((release) => Date.parse(release.at)) : undefined;
    cases.push({
      trace: `simulated release days, seed ${seed}`,
      scale: 1,
      minutes,
      ...(events && { events }),
    });
  }
  if (flags.socialSeeds.length > 0) {
    const { simulateSocialTraffic } = await import('@boundless/datasets/social-traffic');
    for (const seed of flags.socialSeeds) {
      process.stderr.write(`simulating social-media traffic, seed ${seed}…\n`);
      const { minutes } = simulateSocialTraffic({ seed, days: flags.simulatedDays });
      cases.push({ trace: `simulated social media, seed ${seed}`, scale: 1, minutes });
    }
  }
  if (cases.length === 0)
    throw new CliError('nothing to evaluate: give --scales, --simulated-seeds or --social-seeds');
  return cases;
}

async function evaluate(flags: EvalFlags): Promise<void> {
  // Loaded when the command runs, so other commands and --help start without them.
  const { evaluatePrewarming } = await import('../eval/prewarm.ts');
  const { PrewarmError } = await import('@boundless/copilot/prewarm');
  const cases = await loadCases(flags);
  let evaluation: PrewarmEvaluation;
  try {
    evaluation = evaluatePrewarming(
      cases,
      {
        durationMs: flags.durationMs,
        leadMinutes: flags.leadMinutes,
        liveLeadMinutes: flags.liveLeadMinutes,
        coldStartCost: flags.coldStartCost,
        levelBoundMinutes: flags.levelBound,
      },
      (done) => process.stderr.write(`  evaluated ${done.trace} ×${done.scale}\n`),
    );
  } catch (error) {
    if (error instanceof PrewarmError) throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
  process.stdout.write(`${formatEvaluation(evaluation)}\n`);
  if (flags.json) {
    await writeOutput(flags.json, `${JSON.stringify(evaluation, null, 2)}\n`, '--json');
  }
}

export function registerEvalPrewarm(program: Command): void {
  program
    .command('prewarm')
    .description(
      'compare our pre-warming plan with target tracking and an oracle on real and simulated traces, development weeks apart from the last (validation) week',
    )
    .option('--trace <csv>', 'real per-minute trace: timestamp,requests[,peak_rps]', DEFAULT_TRACE)
    .option(
      '--scales <list>',
      'sizes of the real trace, as independent audiences (empty for none)',
      numberList('--scales', true),
      [10, 100, 400, 1000],
    )
    .option(
      '--simulated-seeds <list>',
      'seeds of simulated release-day traces (empty for none)',
      numberList('--simulated-seeds', true),
      [1, 2, 3],
    )
    .option(
      '--social-seeds <list>',
      'seeds of simulated social-media traces: flash crowds from shares, deep daily cycle, growth (empty for none)',
      numberList('--social-seeds', true),
      [1, 2],
    )
    .option(
      '--simulated-days <n>',
      'days per simulated trace',
      (v) => Math.round(positiveNumber('--simulated-days')(v)),
      28,
    )
    .option('--duration-ms <ms>', 'request duration (default 200)', positiveNumber('--duration-ms'))
    .option('--lead-minutes <n>', 'planning lead (default 10)', (v) =>
      Math.round(positiveNumber('--lead-minutes')(v)),
    )
    .option(
      '--live-lead-minutes <n>',
      'also re-plan every minute from data this old: metric delay + decision + allocation (default 5; 0 for none)',
      (v) => {
        const value = Number(v);
        if (!Number.isInteger(value) || value < 0)
          throw new CliError(`--live-lead-minutes must be a whole number ≥ 0, got "${v}"`);
        return value;
      },
    )
    .option(
      '--cold-start-cost <minutes>',
      'our plan’s value of a cold start, in idle environment-minutes (default 20)',
      positiveNumber('--cold-start-cost'),
    )
    .option(
      '--level-bound <minutes>',
      'also run a reference told each minute’s level ±minutes around it (future included): how far a perfect forecast of the level gets',
      (v) => Math.round(positiveNumber('--level-bound')(v)),
    )
    .option(
      '--events',
      'give the planner each simulated trace’s release calendar (start times only; the real trace has none)',
    )
    .option('--json <out>', 'also write the whole evaluation as JSON')
    .action(evaluate);
}
