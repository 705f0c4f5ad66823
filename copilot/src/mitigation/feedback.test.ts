import { describe, expect, it } from 'vitest';
import type { Detection } from '../detect/types.ts';
import { loadMitigationConfig } from './config.ts';
import { type FeedbackRule, FeedbackRules, feedbackSubject } from './feedback.ts';
import { MitigationPlanner } from './policy.ts';

const config = loadMitigationConfig();

const detection = (detectedAt: string, tokenId = 'tok_next_0001'): Detection => ({
  kind: 'token_sharing',
  subject: { tokenId, accountId: 'acct-7' },
  firstSeen: detectedAt,
  detectedAt,
  score: 0.93,
  // Corroborated, so each detection revokes its own token (an account-wide action would still be active).
  evidence: { corroboration: 2 },
  mitigation: 'revoke_token',
});

const rule = (overrides: Partial<FeedbackRule> = {}): FeedbackRule => ({
  id: 'fb_1',
  kind: 'suppress',
  subject: { accountId: 'acct-7' },
  expiresAt: '2026-11-03T10:00:00.000Z',
  createdAt: '2026-11-02T10:00:00.000Z',
  actor: 'user:on-call-1',
  reason: 'a class on one account',
  mitigationId: 'mit_1',
  detectionKind: 'token_sharing',
  status: 'active',
  ...overrides,
});

describe('Class: FeedbackRules with the planner', () => {
  it('skips a later detection of the same account, with a new token, until the suppression expires', () => {
    const feedback = new FeedbackRules([rule()]);
    const planner = new MitigationPlanner(config.policies, { ...config.guardrails }, feedback);

    const during = planner.decide(detection('2026-11-02T12:00:00.000Z'));
    const after = planner.decide(detection('2026-11-03T10:00:01.000Z', 'tok_later_0002'));

    expect(during).toMatchObject({ outcome: 'skip', reason: 'suppressed' });
    expect(during.outcome === 'skip' && during.detail).toContain('user:on-call-1');
    expect(after.outcome).toBe('apply');
  });

  it('ignores ended rules and allow-list records (the guardrails carry those)', () => {
    const feedback = new FeedbackRules([rule({ status: 'ended' }), rule({ id: 'fb_2', kind: 'allow_list' })]);
    const planner = new MitigationPlanner(config.policies, { ...config.guardrails }, feedback);
    expect(planner.decide(detection('2026-11-02T12:00:00.000Z')).outcome).toBe('apply');
    feedback.add(rule({ id: 'fb_3' }));
    expect(planner.decide(detection('2026-11-02T12:30:00.000Z', 'tok_third_0003')).outcome).toBe('skip');
    feedback.end('fb_3');
    expect(planner.decide(detection('2026-11-02T13:00:00.000Z', 'tok_fourth_0004')).outcome).toBe('apply');
  });

  it('names the account behind a target first, then the address, then the token', () => {
    expect(feedbackSubject({ tokenId: 't', accountId: 'a' })).toEqual({ accountId: 'a' });
    expect(feedbackSubject({ ip: '203.0.113.9' })).toEqual({ ip: '203.0.113.9' });
    expect(feedbackSubject({ tokenId: 't' })).toEqual({ tokenId: 't' });
    expect(feedbackSubject({ country: 'DE' })).toBeUndefined();
  });

  it('honours an account the owner allow-listed while running', () => {
    const guardrails = { ...config.guardrails, allowAccounts: [] as string[] };
    const planner = new MitigationPlanner(config.policies, guardrails);
    guardrails.allowAccounts.push('acct-7');
    expect(planner.decide(detection('2026-11-02T12:00:00.000Z'))).toMatchObject({ reason: 'allow_listed' });
  });
});
