import { type Detection, isoTime } from './types.ts';
/**
 * How independent pieces of evidence add up to a finding. Each family of evidence (pace, coverage,
 * enumeration, automation, address churn, tirelessness; for sharing: places, devices, refusals) gives a
 * strength in [0, 1]; strengths of different families combine as independent evidence (noisy-OR), and a
 * finding is reported only when two families agree or one is conclusive on its own. The policies act on the
 * same two numbers (score and corroboration), so a single weak signal never leads to a denial.
 */

export interface Evidence {
  readonly family: string;
  /** 0..1: how strongly this family alone points at abuse. */
  readonly strength: number;
  /** What was seen, for the finding. */
  readonly signals: readonly string[];
}

/** A family counts as corroboration from this strength on. */
const CORROBORATING = 0.35;
/** Combined score a finding of two or more families needs. */
const REPORT_SCORE = 0.85;
/** A single family this strong is reported alone. */
const CONCLUSIVE = 0.95;

export function combined(evidence: readonly Evidence[]): number {
  let miss = 1;
  for (const e of evidence) miss *= 1 - Math.min(0.999, Math.max(0, e.strength));
  return Math.round((1 - miss) * 1000) / 1000;
}

/** Families strong enough to count as corroboration. */
export function corroboration(evidence: readonly Evidence[]): number {
  let n = 0;
  for (const e of evidence) if (e.strength >= CORROBORATING) n++;
  return n;
}

/** Whether the evidence is enough to report: two agreeing families, or one conclusive family. */
export function reportable(evidence: readonly Evidence[]): boolean {
  for (const e of evidence) if (e.strength >= CONCLUSIVE) return true;
  return corroboration(evidence) >= 2 && combined(evidence) >= REPORT_SCORE;
}

/** Strength from a measured value against rising thresholds: `steps` as [threshold, strength] pairs. */
export function stepped(value: number, steps: readonly (readonly [number, number])[]): number {
  let s = 0;
  for (const [threshold, strength] of steps) if (value >= threshold) s = strength;
  return s;
}

/** The evidence as a finding carries it: families by strength, with what each saw. */
export function evidenceSummary(evidence: readonly Evidence[]): {
  score: number;
  corroboration: number;
  families: { family: string; strength: number; signals: readonly string[] }[];
} {
  return {
    score: combined(evidence),
    corroboration: corroboration(evidence),
    families: [...evidence]
      .filter((e) => e.strength > 0)
      .sort((a, b) => b.strength - a.strength)
      .map((e) => ({ family: e.family, strength: Math.round(e.strength * 100) / 100, signals: e.signals })),
  };
}

/**
 * A scraping finding from its weighed evidence, observed until a policy says otherwise: the one shape every
 * scraping detector reports, with what is particular to it (`details`) after the common fields.
 */
export function scrapingDetection(
  subject: Detection['subject'],
  firstSeenMs: number,
  atMs: number,
  summary: ReturnType<typeof evidenceSummary>,
  behaviours: readonly string[],
  details: Record<string, unknown>,
): Detection {
  return {
    kind: 'scraping',
    subject,
    firstSeen: isoTime(firstSeenMs),
    detectedAt: isoTime(atMs),
    score: summary.score,
    evidence: { behaviours, ...summary, reasons: summary.families.map((f) => f.family), ...details },
    mitigation: 'observe',
  };
}
