import { describe, expect, it } from 'vitest';
import type { Detection } from '../detect/types.ts';
import { loadMitigationConfig, parseMitigationConfig } from './config.ts';
import { MitigationPlanner } from './policy.ts';

const config = loadMitigationConfig();

function detection(overrides: Partial<Detection> = {}): Detection {
  return {
    kind: 'token_sharing',
    subject: { tokenId: 'tok_shared_0001', accountId: 'acct-7' },
    firstSeen: '2026-11-02T10:00:00.000Z',
    detectedAt: '2026-11-02T10:00:40.000Z',
    score: 0.93,
    evidence: { countries: ['DE', 'BR', 'VN'] },
    mitigation: 'revoke_token',
    ...overrides,
  };
}

describe('Class: MitigationPlanner', () => {
  it('revokes a confidently shared token with an expiry and a deterministic id', () => {
    const first = new MitigationPlanner(config.policies, config.guardrails).decide(detection());
    const again = new MitigationPlanner(config.policies, config.guardrails).decide(detection());
    expect(first.outcome).toBe('apply');
    if (first.outcome !== 'apply' || again.outcome !== 'apply') return;
    expect(first.mitigation).toMatchObject({
      action: 'revoke_token',
      target: { tokenId: 'tok_shared_0001' },
      expiresAt: '2026-11-03T10:00:40.000Z',
      dryRun: false,
    });
    expect(again.mitigation.id).toBe(first.mitigation.id);
  });

  it('takes the milder policy for a less confident detection and skips below every bar', () => {
    const planner = new MitigationPlanner(config.policies, config.guardrails);
    const mild = planner.decide(detection({ score: 0.65 }));
    expect(mild.outcome === 'apply' && mild.mitigation.action).toBe('short_ttl');
    const weak = planner.decide(detection({ score: 0.3, subject: { tokenId: 'tok_other_0002' } }));
    expect(weak).toMatchObject({ outcome: 'skip', reason: 'below_threshold' });
  });

  it('does not act twice on a subject while its action is active, and again after expiry', () => {
    const planner = new MitigationPlanner(config.policies, config.guardrails);
    expect(planner.decide(detection()).outcome).toBe('apply');
    expect(planner.decide(detection({ detectedAt: '2026-11-02T11:00:00.000Z' }))).toMatchObject({
      reason: 'already_active',
    });
    expect(planner.decide(detection({ detectedAt: '2026-11-03T11:00:00.000Z' })).outcome).toBe('apply');
  });

  it('never rate-limits an allow-listed campus range but still revokes a token used there', () => {
    const guardrails = { ...config.guardrails, allowCidrs: ['192.0.2.0/24'] };
    const planner = new MitigationPlanner(config.policies, guardrails);
    const campusScraper = detection({
      kind: 'scraping',
      subject: { ip: '192.0.2.77' },
      mitigation: 'rate_limit_ip',
    });
    expect(planner.decide(campusScraper)).toMatchObject({ outcome: 'skip', reason: 'allow_listed' });
    const sharedTokenOnCampus = detection({ evidence: { ips: ['192.0.2.77'] } });
    expect(planner.decide(sharedTokenOnCampus).outcome).toBe('apply');
  });

  it('holds decisions beyond the hourly cap for a person', () => {
    const planner = new MitigationPlanner(config.policies, { ...config.guardrails, maxActionsPerHour: 2 });
    const decide = (n: number, time: string) =>
      planner.decide(
        detection({ subject: { tokenId: `tok_shared_000${n}` }, detectedAt: `2026-11-02T${time}:00.000Z` }),
      );
    expect(decide(1, '10:00').outcome).toBe('apply');
    expect(decide(2, '10:10').outcome).toBe('apply');
    expect(decide(3, '10:20')).toMatchObject({ outcome: 'skip', reason: 'hourly_cap' });
    expect(decide(4, '10:59').outcome).toBe('skip');
    // An hour after the first action one slot is free again.
    expect(decide(5, '11:01').outcome).toBe('apply');
    expect(decide(6, '11:02').outcome).toBe('skip');
  });

  it('skips a detection whose event time cannot be read', () => {
    const planner = new MitigationPlanner(config.policies, config.guardrails);
    expect(planner.decide(detection({ detectedAt: 'yesterday' }))).toMatchObject({
      reason: 'invalid_detection',
    });
  });

  it('marks every decision as dry-run when the guardrails say so', () => {
    const planner = new MitigationPlanner(config.policies, { ...config.guardrails, dryRun: true });
    const decision = planner.decide(detection());
    expect(decision.outcome === 'apply' && decision.mitigation.dryRun).toBe(true);
  });

  it('revokes a shared token at a lower bar than a scraping token: a revoked reader just asks again', () => {
    const planner = new MitigationPlanner(config.policies, config.guardrails);
    const shared = planner.decide(detection({ score: 0.76 }));
    expect(shared.outcome === 'apply' && shared.mitigation.action).toBe('revoke_token');
    const scraping = planner.decide(
      detection({
        kind: 'scraping',
        score: 0.76,
        subject: { tokenId: 'tok_scrape_0001', accountId: 'acct-9' },
      }),
    );
    expect(scraping.outcome === 'apply' && scraping.mitigation.action).toBe('short_ttl');
  });

  it('has no automatic action for geo spikes: those reach a person as findings', () => {
    const planner = new MitigationPlanner(config.policies, config.guardrails);
    const spike = detection({ kind: 'geo_spike', subject: { country: 'VN' }, mitigation: 'geo_rate_limit' });
    expect(planner.decide(spike)).toMatchObject({ outcome: 'skip', reason: 'no_policy' });
  });
});

describe('Function: parseMitigationConfig', () => {
  it('names the policy field that is wrong', () => {
    const broken = {
      policies: [
        { name: 'x', kinds: ['scraping'], action: 'rate_limit', minScore: 0.9, durationSeconds: 60 },
      ],
      guardrails: {},
    };
    expect(() => parseMitigationConfig(broken)).toThrow(
      /policies\.0: rate_limit needs limit and windowSeconds/,
    );
    expect(() => parseMitigationConfig({ policies: [], guardrails: {} })).toThrow(/policies/);
    expect(() =>
      parseMitigationConfig({ policies: broken.policies, guardrails: { allowCidrs: ['10.0.0.0/33'] } }),
    ).toThrow(/guardrails\.allowCidrs\.0: must be a CIDR/);
  });
});
