import type {
  FeedbackRule,
  FindingDecision,
  PrewarmDecisionRecord,
  PrewarmDecisions,
  SloSnapshot,
  StoredFinding,
  StoredMitigation,
} from './types.ts';

/**
 * Folding live events into the lists the REST API returned. Every event may arrive twice (a reconnect replays
 * what was missed, and a refetch may already hold it) and late (an older state after a newer one), so each
 * merge is an upsert by id that never lets an older version replace a newer one: the same rows whatever the
 * order and however often an event comes.
 */

export function upsertFinding(
  list: readonly StoredFinding[],
  finding: StoredFinding,
  limit = 500,
): StoredFinding[] {
  const existing = list.find((f) => f.id === finding.id);
  // A finding never changes once made, except for its decision and the escalation that later names it: keep
  // what we already have of either.
  const merged = existing
    ? {
        ...finding,
        decision: finding.decision ?? existing.decision,
        escalatedBy: finding.escalatedBy ?? existing.escalatedBy,
      }
    : finding;
  // An escalation marks the finding it escalates, as the API's list does (the store derives the mark there).
  const escalated = finding.escalates;
  const rest = list
    .filter((f) => f.id !== finding.id)
    .map((f) =>
      escalated !== undefined && f.id === escalated.id && f.escalatedBy === undefined
        ? { ...f, escalatedBy: { id: finding.id, detectedAt: finding.detectedAt } }
        : f,
    );
  return [merged, ...rest]
    .sort((a, b) => b.detectedAt.localeCompare(a.detectedAt) || a.id.localeCompare(b.id))
    .slice(0, limit);
}

export function applyDecision(
  list: readonly StoredFinding[],
  decided: { findingId: string; decision: FindingDecision },
): StoredFinding[] {
  if (!list.some((f) => f.id === decided.findingId)) return list as StoredFinding[];
  return list.map((f) => (f.id === decided.findingId ? { ...f, decision: decided.decision } : f));
}

/** Status moves one way (active → expired/rolled back); `updatedAt` orders versions of one mitigation. */
export function upsertMitigation(
  list: readonly StoredMitigation[],
  mitigation: StoredMitigation,
): StoredMitigation[] {
  const existing = list.find((m) => m.id === mitigation.id);
  if (existing && isNewer(existing, mitigation)) return list as StoredMitigation[];
  return [mitigation, ...list.filter((m) => m.id !== mitigation.id)].sort(
    (a, b) => b.decidedAt.localeCompare(a.decidedAt) || a.id.localeCompare(b.id),
  );
}

function isNewer(a: StoredMitigation, b: StoredMitigation): boolean {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt;
  // Same instant: a final state beats active, so a replayed "applied" cannot resurrect a lifted mitigation.
  return a.status !== 'active' && b.status === 'active';
}

export function upsertFeedback(list: readonly FeedbackRule[], rule: FeedbackRule): FeedbackRule[] {
  const existing = list.find((r) => r.id === rule.id);
  if (existing?.status === 'ended' && rule.status === 'active') return list as FeedbackRule[];
  return [rule, ...list.filter((r) => r.id !== rule.id)].sort(
    (a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id),
  );
}

/** A snapshot replaces the current one unless it is older (a replayed report after a fresher refetch). */
export function newerSnapshot(current: SloSnapshot | undefined, next: SloSnapshot): SloSnapshot {
  if (!current?.asOf || !next.asOf) return next.asOf ? next : (current ?? next);
  return next.asOf >= current.asOf ? next : current;
}

/** Active mitigations for the countdown list: active and not yet past expiry, soonest to expire first. */
export function activeMitigations(list: readonly StoredMitigation[], nowMs: number): StoredMitigation[] {
  return list
    .filter((m) => m.status === 'active' && Date.parse(m.expiresAt) > nowMs)
    .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt) || a.id.localeCompare(b.id));
}

/** Pre-warming decisions the Capacity view fetches and keeps as live ones arrive: an hour of ticks. */
export const PREWARM_DECISIONS_SHOWN = 60;

/**
 * A pre-warming decision pushed live, into its function's decisions: once per id (one per function and tick),
 * newest first, at most `limit` kept.
 */
export function upsertPrewarmDecision(
  view: PrewarmDecisions,
  record: PrewarmDecisionRecord,
  limit = PREWARM_DECISIONS_SHOWN,
): PrewarmDecisions {
  const decisions = [record, ...view.decisions.filter((d) => d.id !== record.id)]
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, limit);
  return { ...view, decisions, count: decisions.length };
}
