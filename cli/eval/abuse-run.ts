/**
 * One pass over labelled CloudFront logs: the detectors, the WAF-style rate-based baseline (N requests per
 * 5 minutes per IP, every N of a grid at once), and the reader directory used to count legitimate readers hit.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AbuseDetectors, type Detection, type DetectionKind, tokenClaimsOf } from '@boundless/copilot/detect';
import { embeddedGeo, type GeoLookup } from '@boundless/copilot/geo';
import {
  type EdgeLogRecord,
  newParseStats,
  type ParseStats,
  readCloudFrontLogs,
} from '@boundless/copilot/logs';
import {
  loadMitigationConfig,
  type Mitigation,
  type MitigationConfig,
  MitigationPlanner,
} from '@boundless/copilot/mitigation';
import {
  type AbuseLabel,
  AbuseEvalError,
  KINDS,
  type KindScore,
  type LegitimateImpact,
  legitimateAccounts,
  legitimateAccountsHit,
  legitimateImpact,
  RATE_RULE_GRID,
  type ReaderDirectory,
  type LabelOutcome,
  labelLatencies,
  labelOutcomes,
  latenciesOf,
  type Score,
  scoreAll,
  scoreKind,
  SUBJECT_KEYS,
} from './abuse.ts';

const SLOT_MS = 10_000;
const SLOTS = 30;

/** Sliding 5-minute request count per IP in 10-second slots; remembers when each threshold was first crossed. */
class RateRuleBaseline {
  private readonly ips = new Map<
    string,
    { slots: Uint32Array; slot: number; sum: number; crossed: number }
  >();
  readonly firstCrossing = RATE_RULE_GRID.map(() => new Map<string, number>());

  observe(ip: string, t: number): void {
    let s = this.ips.get(ip);
    if (s === undefined) {
      s = { slots: new Uint32Array(SLOTS), slot: Math.floor(t / SLOT_MS), sum: 0, crossed: 0 };
      this.ips.set(ip, s);
    }
    const slot = Math.floor(t / SLOT_MS);
    for (let k = s.slot + 1; k <= slot && k <= s.slot + SLOTS; k++) {
      s.sum -= s.slots[k % SLOTS]!;
      s.slots[k % SLOTS] = 0;
    }
    s.slot = Math.max(s.slot, slot);
    s.slots[slot % SLOTS]!++;
    s.sum++;
    while (s.crossed < RATE_RULE_GRID.length && s.sum >= RATE_RULE_GRID[s.crossed]!) {
      this.firstCrossing[s.crossed]!.set(ip, t);
      s.crossed++;
    }
  }

  detections(gridIndex: number): Pick<Detection, 'kind' | 'subject' | 'detectedAt'>[] {
    return [...this.firstCrossing[gridIndex]!].map(([ip, t]) => ({
      kind: 'scraping' as const,
      subject: { ip },
      detectedAt: new Date(t).toISOString(),
    }));
  }
}

export interface AbuseEvaluation {
  lines: number;
  records: number;
  skipped: ParseStats['skipped'];
  labels: number;
  kinds: KindScore[];
  /** Every kind at once: precision over distinct (kind, subject), recall over all labels. */
  overall: Score;
  /** Each label with its first matching detection: which were missed, and how late the others were found. */
  outcomes: LabelOutcome[];
  /** Legitimate accounts named by any detection, sorted: the readers to look at first when precision drops. */
  legitimateNamed: string[];
  /** Latency of every detected label (seconds), overall and per kind, for pooling runs. */
  latencies: number[];
  kindLatencies: Record<DetectionKind, number[]>;
  legitimateReaders: number;
  /** Legitimate readers named by any detection (whatever the policies did). */
  legitimateReadersHit: number;
  legitimateReadersHitShare: number;
  /** What the default policies did, replayed in event time with their guardrails, and whom it reached. */
  mitigations: { applied: number; byAction: Record<string, number> };
  legitimate: LegitimateImpact;
  baseline: {
    rule: string;
    bestRequestsPer5Min: number;
    scraping: KindScore;
    latencies: number[];
    legitimateReadersHit: number;
    legitimateReadersHitShare: number;
    grid: { requestsPer5Min: number; f1: number; precision: number; recall: number }[];
  };
  detections: Detection[];
}

/**
 * What makes a parsed line no label, or undefined: a kind scored, a start and an end that parse (a label with
 * no end can match no detection), a subject naming at least one of the keys detections are matched on, each
 * of them a string (the report prints the subject, and matching compares strings).
 */
function labelProblem(label: AbuseLabel | null): string | undefined {
  if (typeof label !== 'object' || label === null) return 'not an object';
  if (!KINDS.includes(label.kind)) return 'bad kind';
  if (Number.isNaN(Date.parse(label.start))) return 'bad start';
  if (Number.isNaN(Date.parse(label.end))) return 'bad end';
  if (Date.parse(label.end) < Date.parse(label.start)) return 'end before start';
  const subject = label.subject as Record<string, unknown> | null | undefined;
  if (typeof subject !== 'object' || subject === null) return 'no subject';
  const keys = SUBJECT_KEYS.filter((key) => subject[key] !== undefined);
  if (keys.length === 0) return `a subject without ${SUBJECT_KEYS.join(', ')}`;
  const odd = keys.find((key) => typeof subject[key] !== 'string' || subject[key] === '');
  return odd === undefined ? undefined : `subject ${odd} is not a non-empty string`;
}

async function readLabels(path: string): Promise<AbuseLabel[]> {
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    // A directory without labels is most likely not one `boundless simulate` wrote: say what it should hold.
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const reason = missing
      ? 'no such file (--input takes a directory boundless simulate wrote: its logs and labels.jsonl)'
      : (error as Error).message;
    throw new AbuseEvalError(`cannot read labels ${path}: ${reason}`, { cause: error });
  });
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line, i) => {
      try {
        const label = JSON.parse(line) as AbuseLabel;
        const problem = labelProblem(label);
        if (problem !== undefined) throw new Error(problem);
        return label;
      } catch (error) {
        throw new AbuseEvalError(`${path}:${i + 1}: not a label (${(error as Error).message})`, {
          cause: error,
        });
      }
    });
}

function remember(directory: ReaderDirectory, r: EdgeLogRecord): void {
  const claims = tokenClaimsOf(r.query);
  if (!claims) return;
  let seen = directory.accounts.get(claims.accountId);
  if (!seen) {
    seen = { tokens: new Set(), ips: new Set() };
    directory.accounts.set(claims.accountId, seen);
  }
  seen.tokens.add(claims.tokenId);
  seen.ips.add(r.clientIp);
}

export async function evaluateAbuse(
  dir: string,
  geo: GeoLookup = embeddedGeo(),
  mitigation: MitigationConfig = loadMitigationConfig(),
): Promise<AbuseEvaluation> {
  const labels = await readLabels(join(dir, 'labels.jsonl'));
  const detectors = new AbuseDetectors(geo, {}, mitigation.policies);
  const baseline = new RateRuleBaseline();
  const directory: ReaderDirectory = { accounts: new Map() };
  const stats = newParseStats();
  const detections: Detection[] = [];
  for await (const batch of readCloudFrontLogs([dir], stats)) {
    for (const r of batch) {
      detectors.observe(r, detections);
      baseline.observe(r.clientIp, r.timestampMs);
      remember(directory, r);
    }
  }
  const legit = legitimateAccounts(directory, labels);
  const hit = legitimateAccountsHit(detections, directory, legit);
  // Each label's first matching detection, once: the missed labels and every latency come from it.
  const outcomes = labelOutcomes(detections, labels);
  // The policies as the copilot applies them: in event order, each decision seeing those before it.
  // No hourly cap: every action the policies would take is counted, none held back for a person.
  const planner = new MitigationPlanner(mitigation.policies, {
    ...mitigation.guardrails,
    maxActionsPerHour: Number.MAX_SAFE_INTEGER,
    dryRun: true,
  });
  const applied: Mitigation[] = [];
  for (const d of detections) {
    const decision = planner.decide(d);
    if (decision.outcome === 'apply') applied.push(decision.mitigation);
  }
  const byAction: Record<string, number> = {};
  for (const m of applied) byAction[m.action] = (byAction[m.action] ?? 0) + 1;
  const grid = RATE_RULE_GRID.map((n, i) => ({
    n,
    score: scoreKind('scraping', baseline.detections(i), labels),
  }));
  const best = grid.reduce((a, b) => (b.score.f1 > a.score.f1 ? b : a));
  const bestIndex = RATE_RULE_GRID.indexOf(best.n);
  const baselineHit = legitimateAccountsHit(baseline.detections(bestIndex), directory, legit);
  return {
    lines: stats.lines,
    records: stats.records,
    skipped: stats.skipped,
    labels: labels.length,
    kinds: KINDS.map((kind) => scoreKind(kind, detections, labels)),
    overall: scoreAll(detections, labels),
    outcomes,
    legitimateNamed: [...hit].sort(),
    latencies: latenciesOf(outcomes),
    kindLatencies: Object.fromEntries(
      KINDS.map((kind) => [kind, latenciesOf(outcomes.filter((o) => o.kind === kind))]),
    ) as Record<DetectionKind, number[]>,
    legitimateReaders: legit.size,
    legitimateReadersHit: hit.size,
    legitimateReadersHitShare: legit.size === 0 ? 0 : hit.size / legit.size,
    mitigations: { applied: applied.length, byAction },
    legitimate: legitimateImpact(detections, applied, directory, legit),
    baseline: {
      rule: 'rate-based: block an IP above N requests per 5 minutes',
      bestRequestsPer5Min: best.n,
      scraping: best.score,
      latencies: labelLatencies(
        baseline.detections(bestIndex),
        labels.filter((l) => l.kind === 'scraping'),
      ),
      legitimateReadersHit: baselineHit.size,
      legitimateReadersHitShare: legit.size === 0 ? 0 : baselineHit.size / legit.size,
      grid: grid.map((g) => ({
        requestsPer5Min: g.n,
        f1: g.score.f1,
        precision: g.score.precision,
        recall: g.score.recall,
      })),
    },
    detections,
  };
}
