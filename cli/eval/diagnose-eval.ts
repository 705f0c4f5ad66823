import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_SCENARIOS_PATH,
  generateIncident,
  INCIDENT_SIMULATOR_VERSION,
  type IncidentScenario,
  loadScenarios,
} from '@boundless/datasets/incidents';
import {
  type Diagnosis,
  diagnoseSnapshot,
  type UncitedClaim,
  uncitedClaims,
} from '@boundless/copilot/diagnose';
import type { Finding } from '@boundless/copilot/findings';
import type { TelemetrySnapshot } from '@boundless/copilot/telemetry';
import { readTelemetryDirectory } from '@boundless/copilot/telemetry-dir';
import { type CaseResult, type CaseTime, scoreCase } from './diagnose-score.ts';
import { listRcaCases, rcaRoot, readRcaAnswers } from './rca-cases.ts';

/**
 * `boundless eval diagnose`: the offline diagnostician on the project's own incident scenarios (simulated, with
 * dev seeds for choosing parameters and validation seeds only reported) and on public RCA cases of other
 * people's systems. Each case is read from disk and diagnosed exactly as `boundless diagnose` does it; the
 * answer is read only to score.
 */
interface DiagnosedCase {
  diagnosis: Diagnosis;
  snapshot: TelemetrySnapshot;
  time: CaseTime;
  /** Shown claims without evidence, or citing what is not in the telemetry (checked outside the timing). */
  uncited: UncitedClaim[];
}

async function diagnoseCaseDir(
  telemetryDir: string,
  atMs: number,
  windowMs: number,
  findings?: Finding[],
): Promise<DiagnosedCase> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const snapshot = await readTelemetryDirectory(telemetryDir, { startMs: atMs - windowMs, endMs: atMs });
  const inputs = { snapshot, ...(findings ? { findings } : {}) };
  const diagnosis = diagnoseSnapshot(inputs, { atMs, windowMs });
  const used = process.cpuUsage(cpu);
  const time = { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
  return { diagnosis, snapshot, time, uncited: uncitedClaims(diagnosis, inputs) };
}

async function readFindings(path: string): Promise<Finding[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Finding);
}

export interface OwnEvalOptions {
  cacheDir: string;
  sets: ('dev' | 'validation')[];
  scenariosPath?: string;
  only?: (scenario: IncidentScenario) => boolean;
  /** Use only the first n seeds of each set. */
  seeds?: number;
  onCase?: (result: CaseResult, diagnosed: DiagnosedCase) => void;
}

function caseKey(scenario: IncidentScenario, seed: number): string {
  const hash = createHash('sha256')
    .update(`${INCIDENT_SIMULATOR_VERSION}|${JSON.stringify(scenario)}|${seed}`)
    .digest('hex');
  return `${scenario.id}-${seed}-${hash.slice(0, 8)}`;
}

export async function evaluateOwnScenarios(options: OwnEvalOptions): Promise<CaseResult[]> {
  const catalog = await loadScenarios(options.scenariosPath ?? DEFAULT_SCENARIOS_PATH);
  const results: CaseResult[] = [];
  for (const set of options.sets) {
    const seeds = catalog.seeds[set].slice(0, options.seeds ?? Number.POSITIVE_INFINITY);
    for (const scenario of catalog.scenarios) {
      if (options.only && !options.only(scenario)) continue;
      for (const seed of seeds) {
        const dir = join(options.cacheDir, 'incidents', caseKey(scenario, seed));
        // Generated once per simulator version, scenario and seed; the same bytes every time.
        const cached = await stat(join(dir, 'answer.json')).then(
          () => true,
          () => false,
        );
        let atMs: number;
        let windowMs: number;
        let expect: { component: string; fault: string } | null;
        if (cached) {
          const meta = JSON.parse(await readFile(join(dir, 'case.json'), 'utf8')) as { at: string };
          const answer = JSON.parse(await readFile(join(dir, 'answer.json'), 'utf8')) as {
            expect: typeof expect;
          };
          atMs = Date.parse(meta.at);
          windowMs = 30 * 60_000;
          expect = answer.expect;
        } else {
          const generated = await generateIncident(scenario, seed, dir);
          ({ atMs, windowMs, expect } = generated);
        }
        const findings = await readFindings(join(dir, 'findings.jsonl'));
        const diagnosed = await diagnoseCaseDir(join(dir, 'telemetry'), atMs, windowMs, findings);
        const result = scoreCase(
          `${scenario.id}#${seed}`,
          scenario.id,
          set,
          expect,
          diagnosed.diagnosis,
          diagnosed.time,
          diagnosed.uncited,
        );
        results.push(result);
        options.onCase?.(result, diagnosed);
      }
    }
  }
  return results;
}

export interface RcaEvalOptions {
  /** A directory of cases or a .tar.gz of them. */
  path: string;
  cacheDir: string;
  /** Only these case ids (the rest of an archive is not even unpacked). */
  cases?: string[];
  onCase?: (result: CaseResult, diagnosed: DiagnosedCase) => void;
}

/**
 * Public cases, split by position into dev (odd: 1st, 3rd, ...) and validation (even) halves, so a figure can be
 * reported on cases no parameter was chosen on.
 */
export async function evaluateRcaCases(options: RcaEvalOptions): Promise<CaseResult[]> {
  const wanted = options.cases ? new Set(options.cases) : undefined;
  const root = await rcaRoot(
    options.path,
    join(options.cacheDir, 'rca'),
    wanted
      ? (entry) =>
          entry.endsWith('answers.jsonl') ||
          [...wanted].some((id) => entry.includes(`/${id}/`) || entry.startsWith(`${id}/`))
      : undefined,
  );
  const cases = (await listRcaCases(root)).filter((c) => !wanted || wanted.has(c.id));
  const answers = await readRcaAnswers(root);
  // The split follows the answers file's order of all cases, so a partial unpack splits the same way.
  const order = [...answers.keys()].sort();
  const results: CaseResult[] = [];
  for (const c of cases) {
    const answer = answers.get(c.id);
    if (!answer) continue;
    const position = order.indexOf(c.id);
    const diagnosed = await diagnoseCaseDir(c.telemetryDir, c.atMs, c.windowMs);
    const result = scoreCase(
      c.id,
      answer.fault ?? 'fault',
      position % 2 === 0 ? 'dev' : 'validation',
      { component: answer.service },
      diagnosed.diagnosis,
      diagnosed.time,
      diagnosed.uncited,
    );
    results.push(result);
    options.onCase?.(result, diagnosed);
  }
  return results;
}
