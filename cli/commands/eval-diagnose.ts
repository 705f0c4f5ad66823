import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseResult } from '../eval/diagnose-score.ts';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_RCA = resolve(PROJECT_ROOT, '../shared/data/rca/nezha-trainticket-2023-01-29.tar.gz');
const DEFAULT_CACHE = resolve(PROJECT_ROOT, 'node_modules/.cache/boundless');

interface EvalDiagnoseFlags {
  set: 'dev' | 'validation' | 'all';
  scenarios?: string;
  only?: string;
  seeds?: string;
  rca: string;
  rcaCases?: string;
  ownOnly?: boolean;
  rcaOnly?: boolean;
  cache: string;
  json?: string;
  quiet?: boolean;
}

/** Nezha's own published result on TrainTicket (FSE 2023), printed beside ours. */
const PUBLISHED = { name: 'Nezha (published, TrainTicket)', ac1: 0.867, ac3: 0.978 };

const SETS = ['dev', 'validation', 'all'] as const;

/** The flags a user types, checked before any scenario is generated or archive unpacked. */
function checkFlags(flags: EvalDiagnoseFlags): RegExp | undefined {
  if (!SETS.includes(flags.set)) throw new CliError(`--set must be ${SETS.join(', ')}, got "${flags.set}"`);
  if (flags.seeds !== undefined && !/^[1-9]\d*$/.test(flags.seeds))
    throw new CliError(`--seeds must be a whole number ≥ 1, got "${flags.seeds}"`);
  if (flags.ownOnly && flags.rcaOnly)
    throw new CliError('--own-only and --rca-only together leave nothing to evaluate; give one of them');
  if (flags.only === undefined) return undefined;
  try {
    return new RegExp(flags.only);
  } catch (error) {
    throw new CliError(`--only "${flags.only}" is not a regular expression: ${(error as Error).message}`, 2, {
      cause: error,
    });
  }
}

async function evaluate(flags: EvalDiagnoseFlags): Promise<void> {
  const only = checkFlags(flags);
  const { byGroup, formatTable, summarise } = await import('../eval/diagnose-score.ts');
  const { evaluateOwnScenarios, evaluateRcaCases } = await import('../eval/diagnose-eval.ts');
  const { RcaDataError } = await import('../eval/rca-cases.ts');
  const { ScenarioError } = await import('@boundless/datasets/incidents');
  const progress = (r: CaseResult) => {
    if (flags.quiet) return;
    const verdict = r.expect
      ? r.rank === 1
        ? `first${r.kind === r.expect.fault || !r.expect.fault ? '' : ` (kind ${r.kind}, expected ${r.expect.fault})`}`
        : r.rank > 0
          ? `rank ${r.rank}`
          : `missed (first: ${r.top ? `${r.top.component} ${r.top.fault}` : 'no fault found'})`
      : r.hypotheses === 0
        ? 'no fault found (right)'
        : `false alarm: ${r.top?.component} ${r.top?.fault}`;
    process.stderr.write(
      `  ${r.set.padEnd(10)} ${r.id.padEnd(40)} ${verdict} [${Math.round(r.ms)} ms, cpu ${Math.round(r.cpuMs)} ms]\n`,
    );
  };
  const sets: ('dev' | 'validation')[] = flags.set === 'all' ? ['dev', 'validation'] : [flags.set];
  const out: Record<string, unknown> = {};
  const tables: string[] = [];
  try {
    if (!flags.rcaOnly) {
      process.stderr.write(`own scenarios (${sets.join(' + ')} seeds)...\n`);
      const own = await evaluateOwnScenarios({
        cacheDir: flags.cache,
        sets,
        ...(flags.scenarios ? { scenariosPath: flags.scenarios } : {}),
        ...(only ? { only: (s) => only.test(s.id) } : {}),
        ...(flags.seeds ? { seeds: Number(flags.seeds) } : {}),
        onCase: progress,
      });
      tables.push(
        formatTable(
          'Own scenarios, per scenario',
          byGroup(own, (r) => r.group),
        ),
      );
      tables.push(
        formatTable(
          'Own scenarios, per fault kind',
          byGroup(own, (r) => r.expect?.fault ?? 'no fault'),
        ),
      );
      tables.push(
        formatTable('Own scenarios, per seed set', [
          ...byGroup(own, (r) => r.set),
          { label: 'all', summary: summarise(own) },
        ]),
      );
      out.own = {
        cases: own,
        summary: summarise(own),
        dev: summarise(own.filter((r) => r.set === 'dev')),
        validation: summarise(own.filter((r) => r.set === 'validation')),
      };
    }
    if (!flags.ownOnly) {
      process.stderr.write(
        `public RCA cases from ${flags.rca} (unpacked once under ${flags.cache}/rca)...\n`,
      );
      const rca = await evaluateRcaCases({
        path: flags.rca,
        cacheDir: flags.cache,
        ...(flags.rcaCases ? { cases: flags.rcaCases.split(',') } : {}),
        onCase: progress,
      });
      const rows = [
        ...byGroup(rca, (r) => r.set, false),
        ...byGroup(rca, (r) => r.group, false),
        { label: 'all', summary: summarise(rca, false) },
      ];
      tables.push(formatTable('Public RCA cases (dev = odd cases, validation = even)', rows));
      tables.push(`${PUBLISHED.name}: AC@1 ${PUBLISHED.ac1.toFixed(3)}  AC@3 ${PUBLISHED.ac3.toFixed(3)}`);
      out.rca = { cases: rca, summary: summarise(rca, false), published: PUBLISHED };
    }
  } catch (error) {
    if (error instanceof RcaDataError || error instanceof ScenarioError)
      throw new CliError(error.message, 2, { cause: error });
    throw error;
  }
  process.stdout.write(`${tables.join('\n\n')}\n`);
  if (flags.json) await writeFile(flags.json, `${JSON.stringify(out, null, 2)}\n`);
}

export function registerEvalDiagnose(evaluate_: Command): void {
  evaluate_
    .command('diagnose')
    .description(
      'the offline diagnostician on our incident scenarios and on public RCA cases (Nezha TrainTicket): AC@1, AC@3, Avg@5, kind@1, abstention on no-fault scenarios, evidence share, time per diagnosis',
    )
    .option(
      '--set <set>',
      'which seeds of our scenarios: dev (chosen on), validation (only reported) or all',
      'all',
    )
    .option('--scenarios <json>', 'scenario catalog (default: datasets/incidents/scenarios.json)')
    .option('--only <regex>', 'only scenarios whose id matches')
    .option('--seeds <n>', 'only the first n seeds of each set')
    .option('--rca <path>', 'public RCA cases: a directory or a .tar.gz', DEFAULT_RCA)
    .option('--rca-cases <ids>', 'only these case ids, comma-separated')
    .option('--own-only', 'skip the public cases')
    .option('--rca-only', 'skip our scenarios')
    .option('--cache <dir>', 'where generated scenarios and unpacked archives are kept', DEFAULT_CACHE)
    .option('--json <file>', 'also write every case and summary as JSON')
    .option('--quiet', 'no line per case')
    .action(evaluate);
}
