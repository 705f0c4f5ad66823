import { describe, expect, it } from 'vitest';
import {
  activeMitigations,
  applyDecision,
  newerSnapshot,
  upsertFeedback,
  upsertFinding,
  upsertMitigation,
  upsertPrewarmDecision,
} from './merge.ts';
import type {
  FeedbackRule,
  PrewarmDecisionRecord,
  PrewarmDecisions,
  StoredFinding,
  StoredMitigation,
} from './types.ts';

const finding = (id: string, detectedAt: string): StoredFinding => ({
  id,
  kind: 'scraping',
  subject: { accountId: 'a' },
  firstSeen: detectedAt,
  detectedAt,
  score: 0.9,
  severity: 'critical',
  summary: id,
  evidence: {},
});

const mitigation = (
  status: StoredMitigation['status'],
  updatedAt: string,
  expiresAt = '2026-12-05T11:00:00Z',
) =>
  ({
    id: 'mit_1',
    policy: 'p',
    action: 'revoke_token',
    target: { tokenId: 't' },
    params: {},
    decidedAt: '2026-12-05T10:00:00Z',
    expiresAt,
    reason: 'r',
    evidence: {},
    detection: { kind: 'scraping', subject: {}, score: 0.9, firstSeen: '', detectedAt: '' },
    dryRun: false,
    status,
    updatedAt,
  }) as StoredMitigation;

describe('Live-event merging', () => {
  it('adds a finding once however often it arrives, newest first', () => {
    let list = [finding('old', '2026-12-05T09:00:00Z')];
    const fresh = finding('new', '2026-12-05T10:00:00Z');
    list = upsertFinding(list, fresh);
    list = upsertFinding(list, fresh);
    expect(list.map((f) => f.id)).toEqual(['new', 'old']);
  });

  it('marks the finding a live escalation escalates, as the API lists them, and keeps the mark on replays', () => {
    const observed = finding('observed', '2026-12-05T09:00:00Z');
    const escalation = {
      ...finding('escalation', '2026-12-05T09:10:00Z'),
      escalates: { id: 'observed', detectedAt: observed.detectedAt },
    };
    let list = upsertFinding([observed, finding('other', '2026-12-05T08:00:00Z')], escalation);
    expect(list.map((f) => [f.id, f.escalatedBy?.id])).toEqual([
      ['escalation', undefined],
      ['observed', 'escalation'],
      ['other', undefined],
    ]);
    // The observed finding replayed (a reconnect) keeps the mark it got from its escalation.
    list = upsertFinding(list, observed);
    expect(list.find((f) => f.id === 'observed')?.escalatedBy).toEqual({
      id: 'escalation',
      detectedAt: escalation.detectedAt,
    });
  });

  it('keeps a decision when the finding is replayed without it', () => {
    let list = [finding('f', '2026-12-05T10:00:00Z')];
    list = applyDecision(list, {
      findingId: 'f',
      decision: { outcome: 'skip', reason: 'suppressed', detail: 'x' },
    });
    list = upsertFinding(list, finding('f', '2026-12-05T10:00:00Z'));
    expect(list[0]?.decision?.reason).toBe('suppressed');
    expect(
      applyDecision(list, { findingId: 'unknown', decision: { outcome: 'apply', reason: '', detail: '' } }),
    ).toBe(list);
  });

  it('never lets a replayed "applied" bring back a mitigation that was lifted', () => {
    const applied = mitigation('active', '2026-12-05T10:00:00Z');
    const lifted = mitigation('rolled_back', '2026-12-05T10:05:00Z');
    let list = upsertMitigation([], applied);
    list = upsertMitigation(list, lifted);
    list = upsertMitigation(list, applied);
    expect(list).toHaveLength(1);
    expect(list[0]?.status).toBe('rolled_back');
    // Lifted at the instant it was applied (expiry at decision time): the final state still wins.
    const sameInstant = mitigation('expired', '2026-12-05T10:00:00Z');
    expect(upsertMitigation(upsertMitigation([], sameInstant), applied)[0]?.status).toBe('expired');
  });

  it('lists active mitigations soonest to expire first and drops those past expiry', () => {
    const now = Date.parse('2026-12-05T10:30:00Z');
    const soon = { ...mitigation('active', 'x', '2026-12-05T10:31:00Z'), id: 'soon' };
    const later = { ...mitigation('active', 'x', '2026-12-05T12:00:00Z'), id: 'later' };
    const past = { ...mitigation('active', 'x', '2026-12-05T10:00:00Z'), id: 'past' };
    expect(activeMitigations([later, past, soon], now).map((m) => m.id)).toEqual(['soon', 'later']);
  });

  it('keeps an ended suppression ended and takes the newer SLO snapshot', () => {
    const rule = { id: 'fb', createdAt: '2026-12-05T10:00:00Z', status: 'active' } as FeedbackRule;
    const ended = upsertFeedback([rule], { ...rule, status: 'ended' });
    expect(upsertFeedback(ended, rule)[0]?.status).toBe('ended');
    const older = { asOf: '2026-12-05T10:00:00.000Z', slos: [] };
    const newer = { asOf: '2026-12-05T10:01:00.000Z', slos: [] };
    expect(newerSnapshot(newer, older)).toBe(newer);
    expect(newerSnapshot(older, newer)).toBe(newer);
    expect(newerSnapshot(undefined, older)).toBe(older);
  });
});

describe('Pre-warming decisions, live', () => {
  const decision = (at: string, requested: number): PrewarmDecisionRecord => ({
    id: `fn@${at}`,
    at,
    functionName: 'fn',
    mode: 'live',
    demand: null,
    forecast: { minute: at, median: 1, p90: 2 },
    planned: requested,
    requested,
    bounds: { min: 0, max: 10 },
    previous: null,
    changed: true,
    applied: true,
  });
  const view: PrewarmDecisions = {
    status: {
      mode: 'live',
      functions: ['fn'],
      bounds: { min: 0, max: 10 },
      leadMinutes: 5,
      allocationMinutes: 3,
      intervalMs: 60_000,
    },
    decisions: [decision('2026-12-05T10:01:00.000Z', 2)],
    count: 1,
  };

  it('adds a decision once however often it arrives, newest first, and keeps at most the limit', () => {
    const late = decision('2026-12-05T10:00:00.000Z', 1);
    const fresh = decision('2026-12-05T10:02:00.000Z', 3);
    let merged = upsertPrewarmDecision(view, fresh);
    merged = upsertPrewarmDecision(merged, fresh);
    merged = upsertPrewarmDecision(merged, late);
    expect(merged.decisions.map((d) => d.requested)).toEqual([3, 2, 1]);
    expect(merged.count).toBe(3);
    expect(upsertPrewarmDecision(merged, fresh, 2).decisions.map((d) => d.requested)).toEqual([3, 2]);
  });
});
