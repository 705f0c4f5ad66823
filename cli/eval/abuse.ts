/**
 * Scoring abuse detections against labelled scenarios exactly as DESIGN §4.3 defines it: a detection matches
 * a label when the kinds are equal, one subject key has the same value, and start ≤ detectedAt ≤ end + 5 min.
 * Precision counts distinct (kind, subject) detections, recall counts labels, latency is detectedAt − start of
 * the first matching detection.
 */
import { quantile } from 'simple-statistics';
import type { Detection, DetectionKind, DetectionSubject } from '@boundless/copilot/detect';
import { EFFECT_OF, type Mitigation, type MitigationEffect } from '@boundless/copilot/mitigation';

export interface AbuseLabel {
  kind: DetectionKind;
  subject: DetectionSubject;
  start: string;
  end: string;
}

export interface KindScore {
  kind: DetectionKind;
  labels: number;
  detected: number;
  detections: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
  latencyMedianSeconds: number | null;
  latencyP90Seconds: number | null;
}

export const KINDS: readonly DetectionKind[] = ['token_sharing', 'scraping', 'geo_spike'];
const GRACE_MS = 5 * 60_000;
export const SUBJECT_KEYS = ['tokenId', 'accountId', 'ip', 'country'] as const;

export class AbuseEvalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AbuseEvalError';
  }
}

function sharesSubjectKey(a: DetectionSubject, b: DetectionSubject): boolean {
  return SUBJECT_KEYS.some((key) => a[key] !== undefined && a[key] === b[key]);
}

export function matches(
  detection: Pick<Detection, 'kind' | 'subject' | 'detectedAt'>,
  label: AbuseLabel,
): boolean {
  if (detection.kind !== label.kind || !sharesSubjectKey(detection.subject, label.subject)) return false;
  const at = Date.parse(detection.detectedAt);
  return Date.parse(label.start) <= at && at <= Date.parse(label.end) + GRACE_MS;
}

function subjectKey(kind: DetectionKind, subject: DetectionSubject): string {
  return JSON.stringify([kind, ...SUBJECT_KEYS.map((key) => subject[key] ?? null)]);
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Precision, recall, F1 and latency for one kind. */
export function scoreKind(
  kind: DetectionKind,
  detections: readonly Pick<Detection, 'kind' | 'subject' | 'detectedAt'>[],
  labels: readonly AbuseLabel[],
): KindScore {
  const ofKind = detections.filter((d) => d.kind === kind);
  const kindLabels = labels.filter((l) => l.kind === kind);
  const bySubject = new Map<string, boolean>();
  for (const d of ofKind) {
    const key = subjectKey(kind, d.subject);
    const hit = kindLabels.some((l) => matches(d, l));
    bySubject.set(key, (bySubject.get(key) ?? false) || hit);
  }
  const truePositives = [...bySubject.values()].filter(Boolean).length;
  const latencies = labelLatencies(ofKind, kindLabels);
  const precision = ratio(truePositives, bySubject.size);
  const recall = ratio(latencies.length, kindLabels.length);
  return {
    kind,
    labels: kindLabels.length,
    detected: latencies.length,
    detections: bySubject.size,
    truePositives,
    precision: round(precision),
    recall: round(recall),
    f1: round(ratio(2 * precision * recall, precision + recall)),
    latencyMedianSeconds: latencies.length > 0 ? round(quantile(latencies, 0.5), 1) : null,
    latencyP90Seconds: latencies.length > 0 ? round(quantile(latencies, 0.9), 1) : null,
  };
}

/** What became of one label: its first matching detection and the seconds from the label's start, or null. */
export interface LabelOutcome extends AbuseLabel {
  detectedAt: string | null;
  latencySeconds: number | null;
}

/** Each label with its first matching detection (the missed ones with null), in the labels' order. */
export function labelOutcomes(
  detections: readonly Pick<Detection, 'kind' | 'subject' | 'detectedAt'>[],
  labels: readonly AbuseLabel[],
): LabelOutcome[] {
  return labels.map((label) => {
    let first = Number.POSITIVE_INFINITY;
    for (const d of detections) if (matches(d, label)) first = Math.min(first, Date.parse(d.detectedAt));
    if (!Number.isFinite(first)) return { ...label, detectedAt: null, latencySeconds: null };
    return {
      ...label,
      detectedAt: new Date(first).toISOString(),
      latencySeconds: (first - Date.parse(label.start)) / 1000,
    };
  });
}

/** Seconds from each detected label's start to its first matching detection. */
export function labelLatencies(
  detections: readonly Pick<Detection, 'kind' | 'subject' | 'detectedAt'>[],
  labels: readonly AbuseLabel[],
): number[] {
  return latenciesOf(labelOutcomes(detections, labels));
}

/** The latencies of the labels found, in the outcomes' order. */
export function latenciesOf(outcomes: readonly LabelOutcome[]): number[] {
  return outcomes.flatMap((o) => (o.latencySeconds === null ? [] : [o.latencySeconds]));
}

export type Score = Omit<KindScore, 'kind'>;

/** A score from counts and latencies (several kinds, or several runs, pooled). */
function scoreOf(
  counts: Pick<Score, 'labels' | 'detected' | 'detections' | 'truePositives'>,
  latencies: readonly number[],
): Score {
  const precision = ratio(counts.truePositives, counts.detections);
  const recall = ratio(counts.detected, counts.labels);
  return {
    ...counts,
    precision: round(precision),
    recall: round(recall),
    f1: round(ratio(2 * precision * recall, precision + recall)),
    latencyMedianSeconds: latencies.length > 0 ? round(quantile([...latencies], 0.5), 1) : null,
    latencyP90Seconds: latencies.length > 0 ? round(quantile([...latencies], 0.9), 1) : null,
  };
}

/** Sums of the counts of several scores. */
function sumCounts(
  scores: readonly Pick<Score, 'labels' | 'detected' | 'detections' | 'truePositives'>[],
): Pick<Score, 'labels' | 'detected' | 'detections' | 'truePositives'> {
  const sum = (key: 'labels' | 'detected' | 'detections' | 'truePositives') =>
    scores.reduce((total, s) => total + s[key], 0);
  return {
    labels: sum('labels'),
    detected: sum('detected'),
    detections: sum('detections'),
    truePositives: sum('truePositives'),
  };
}

/** The same scores over every kind at once: distinct (kind, subject) detections, every label. */
export function scoreAll(
  detections: readonly Pick<Detection, 'kind' | 'subject' | 'detectedAt'>[],
  labels: readonly AbuseLabel[],
): Score {
  const scores = KINDS.map((kind) => scoreKind(kind, detections, labels));
  return scoreOf(sumCounts(scores), labelLatencies(detections, labels));
}

/** What the logs say about who is who, to tell which legitimate readers a detection would have hit. */
export interface ReaderDirectory {
  /** accountId -> its tokens and client addresses. */
  accounts: Map<string, { tokens: Set<string>; ips: Set<string> }>;
}

/** Accounts named by no label (directly, or through a labelled token) are the legitimate readers. */
export function legitimateAccounts(directory: ReaderDirectory, labels: readonly AbuseLabel[]): Set<string> {
  const labelledAccounts = new Set(labels.map((l) => l.subject.accountId).filter((a) => a !== undefined));
  const labelledTokens = new Set(labels.map((l) => l.subject.tokenId).filter((t) => t !== undefined));
  const legit = new Set<string>();
  for (const [account, seen] of directory.accounts) {
    if (labelledAccounts.has(account)) continue;
    if ([...seen.tokens].some((t) => labelledTokens.has(t))) continue;
    legit.add(account);
  }
  return legit;
}

/** Legitimate accounts a set of detections would touch: by account, by one of its tokens, or by its address. */
export function legitimateAccountsHit(
  detections: readonly Pick<Detection, 'subject'>[],
  directory: ReaderDirectory,
  legit: ReadonlySet<string>,
): Set<string> {
  const accounts = new Set<string>();
  const tokens = new Set<string>();
  const ips = new Set<string>();
  for (const { subject } of detections) {
    if (subject.accountId) accounts.add(subject.accountId);
    if (subject.tokenId) tokens.add(subject.tokenId);
    if (subject.ip) ips.add(subject.ip);
  }
  const hit = new Set<string>();
  for (const account of legit) {
    const seen = directory.accounts.get(account);
    if (accounts.has(account)) hit.add(account);
    else if (
      seen &&
      ([...seen.tokens].some((t) => tokens.has(t)) || [...seen.ips].some((ip) => ips.has(ip)))
    ) {
      hit.add(account);
    }
  }
  return hit;
}

/** How the policies' actions reached legitimate readers: how many, and the hardest thing done to each. */
export interface LegitimateImpact {
  readers: number;
  /** Named by any detection (by account, token or address), whatever was done. */
  detected: number;
  /** Reached by any action at all. */
  mitigated: number;
  /** Readers reached by each kind of action (one reader may be counted under several). */
  reauthenticated: number;
  shortened: number;
  throttled: number;
  denied: number;
}

/** Legitimate readers that applied mitigations reach, by the target's account, token or address. */
export function legitimateImpact(
  detections: readonly Pick<Detection, 'subject'>[],
  mitigations: readonly Pick<Mitigation, 'action' | 'target'>[],
  directory: ReaderDirectory,
  legit: ReadonlySet<string>,
): LegitimateImpact {
  const byEffect = new Map<MitigationEffect, Set<string>>();
  for (const m of mitigations) {
    const effect = EFFECT_OF[m.action];
    const reached = legitimateAccountsHit([{ subject: m.target }], directory, legit);
    const set = byEffect.get(effect) ?? new Set<string>();
    for (const account of reached) set.add(account);
    byEffect.set(effect, set);
  }
  const mitigated = new Set<string>();
  for (const set of byEffect.values()) for (const account of set) mitigated.add(account);
  const count = (effect: MitigationEffect) => byEffect.get(effect)?.size ?? 0;
  return {
    readers: legit.size,
    detected: legitimateAccountsHit(detections, directory, legit).size,
    mitigated: mitigated.size,
    reauthenticated: count('reauthenticate'),
    shortened: count('shorten'),
    throttled: count('throttle'),
    denied: count('deny'),
  };
}

/** Grid of thresholds for the WAF-style baseline (requests per 5 minutes per IP). */
export const RATE_RULE_GRID = [25, 50, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000] as const;

/** What several evaluations (seeds of one population) add up to: counts summed, latencies pooled. */
export interface PooledEvaluation {
  runs: number;
  lines: number;
  labels: number;
  kinds: KindScore[];
  overall: Score;
  legitimate: LegitimateImpact;
  mitigationsApplied: number;
  baseline: { scraping: Score; legitimateReadersHitShare: number };
}

/** Pools runs: precision and recall over all their detections and labels, medians over all latencies. */
export function poolEvaluations(
  runs: readonly {
    lines: number;
    labels: number;
    kinds: readonly KindScore[];
    latencies: readonly number[];
    kindLatencies: Readonly<Record<DetectionKind, readonly number[]>>;
    legitimate: LegitimateImpact;
    mitigations: { applied: number };
    baseline: { scraping: KindScore; latencies: readonly number[]; legitimateReadersHit: number };
  }[],
): PooledEvaluation {
  const kinds = KINDS.map((kind) =>
    Object.assign(
      { kind },
      scoreOf(
        sumCounts(runs.map((r) => r.kinds.find((k) => k.kind === kind)!)),
        runs.flatMap((r) => r.kindLatencies[kind]),
      ),
    ),
  );
  const sumLegit = (key: keyof LegitimateImpact) => runs.reduce((total, r) => total + r.legitimate[key], 0);
  const readers = sumLegit('readers');
  return {
    runs: runs.length,
    lines: runs.reduce((total, r) => total + r.lines, 0),
    labels: runs.reduce((total, r) => total + r.labels, 0),
    kinds,
    overall: scoreOf(
      sumCounts(kinds),
      runs.flatMap((r) => r.latencies),
    ),
    legitimate: {
      readers,
      detected: sumLegit('detected'),
      mitigated: sumLegit('mitigated'),
      reauthenticated: sumLegit('reauthenticated'),
      shortened: sumLegit('shortened'),
      throttled: sumLegit('throttled'),
      denied: sumLegit('denied'),
    },
    mitigationsApplied: runs.reduce((total, r) => total + r.mitigations.applied, 0),
    baseline: {
      scraping: scoreOf(
        sumCounts(runs.map((r) => r.baseline.scraping)),
        runs.flatMap((r) => r.baseline.latencies),
      ),
      legitimateReadersHitShare:
        readers === 0 ? 0 : runs.reduce((total, r) => total + r.baseline.legitimateReadersHit, 0) / readers,
    },
  };
}
