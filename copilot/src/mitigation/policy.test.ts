import { describe, expect, it } from 'vitest';
import type { Detection } from '../detect/types.ts';
import { loadMitigationConfig, parseMitigationConfig } from './config.ts';
import { defaultAction, MitigationPlanner } from './policy.ts';
import { EFFECT_OF } from './types.ts';

const config = loadMitigationConfig();

/** A token shared on two families of evidence (say, impossible travel and a crowd of networks). */
function detection(overrides: Partial<Detection> = {}): Detection {
  return {
    kind: 'token_sharing',
    subject: { tokenId: 'tok_shared_0001', accountId: 'acct-7' },
    firstSeen: '2026-11-02T10:00:00.000Z',
    detectedAt: '2026-11-02T10:00:40.000Z',
    score: 0.97,
    evidence: { countries: ['DE', 'BR', 'VN'], corroboration: 2 },
    mitigation: 'revoke_token',
    ...overrides,
  };
}

describe('Class: MitigationPlanner', () => {
  it('revokes a token shared on corroborated evidence, with an expiry and a deterministic id', () => {
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
    expect(first.mitigation.reason).toMatch(/cost if mistaken: denied/);
    expect(again.mitigation.id).toBe(first.mitigation.id);
  });

  it('answers a single weak signal softly: re-authentication or shorter grants, never a denial', () => {
    const planner = new MitigationPlanner(config.policies, config.guardrails);
    const oneFamily = { corroboration: 1 };
    const reauth = planner.decide(detection({ score: 0.88, evidence: oneFamily }));
    expect(reauth.outcome === 'apply' && reauth.mitigation.action).toBe('force_reauth');
    const shorter = planner.decide(
      detection({ score: 0.72, evidence: oneFamily, subject: { tokenId: 'tok_b', accountId: 'acct-8' } }),
    );
    expect(shorter.outcome === 'apply' && shorter.mitigation.action).toBe('short_ttl');
    const weak = planner.decide(detection({ score: 0.3, subject: { tokenId: 'tok_other_0002' } }));
    expect(weak).toMatchObject({ outcome: 'skip', reason: 'below_threshold' });
  });

  it('asks a scraping account to re-authenticate only on two families of evidence, and never shortens it', () => {
    const scraping = (corroboration: number, score: number) =>
      defaultAction(
        { kind: 'scraping', subject: { accountId: 'acct-s' }, score, evidence: { corroboration } },
        config.policies,
      );
    expect(scraping(2, 0.93)).toBe('force_reauth');
    // A scraper takes a grant per title anyway: five-minute grants would cost the reader and not the scraper.
    expect(scraping(1, 0.96)).toBe('observe');
    expect(scraping(2, 0.88)).toBe('observe');
    expect(scraping(2, 0.6)).toBe('observe');
  });

  it('throttles an address only when no account or token names the scraper', () => {
    const scraping = (subject: Record<string, string>) =>
      defaultAction(
        { kind: 'scraping', subject, score: 0.87, evidence: { corroboration: 2 } },
        config.policies,
      );
    expect(scraping({ ip: '198.51.100.7' })).toBe('rate_limit');
    // A reader at home: its account is the handle, and its household would share the limit.
    expect(scraping({ accountId: 'acct-s', ip: '198.51.100.7' })).toBe('observe');
  });

  it('does not act twice on a subject while its action is active, and again after expiry', () => {
    const planner = new MitigationPlanner(config.policies, config.guardrails);
    expect(planner.decide(detection()).outcome).toBe('apply');
    const again = planner.decide(detection({ detectedAt: '2026-11-02T11:00:00.000Z' }));
    expect(again).toMatchObject({ reason: 'already_active' });
    // Said as the dashboard shows it: the action and its subject in words, and until when (no internal key).
    expect(again.outcome === 'skip' && again.detail).toMatch(
      /^[a-z ]+ on (account|token|address) \S+.* is in force until 2026-11-0\dT/,
    );
    expect(again.outcome === 'skip' && again.detail).not.toContain('{');
    expect(planner.decide(detection({ detectedAt: '2026-11-03T11:00:00.000Z' })).outcome).toBe('apply');
  });

  it('never rate-limits an allow-listed campus range but still revokes a token used there', () => {
    const guardrails = { ...config.guardrails, allowCidrs: ['192.0.2.0/24'] };
    const planner = new MitigationPlanner(config.policies, guardrails);
    const campusScraper = detection({
      kind: 'scraping',
      subject: { ip: '192.0.2.77' },
      score: 0.95,
    });
    expect(planner.decide(campusScraper)).toMatchObject({ outcome: 'skip', reason: 'allow_listed' });
    const sharedTokenOnCampus = detection({ evidence: { ips: ['192.0.2.77'], corroboration: 2 } });
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

  it('has no automatic action for geo spikes: those reach a person as findings', () => {
    const planner = new MitigationPlanner(config.policies, config.guardrails);
    const spike = detection({ kind: 'geo_spike', subject: { country: 'VN' }, mitigation: 'observe' });
    expect(planner.decide(spike)).toMatchObject({ outcome: 'skip', reason: 'no_policy' });
    expect(defaultAction(spike, config.policies)).toBe('observe');
  });

  it('states for every default policy what it costs a reader caught by mistake', () => {
    for (const policy of config.policies) {
      expect(policy.costToLegitimateReader.length).toBeGreaterThan(30);
      // The cost names the kind of effect the action has, so a reader of the policy knows what "mistaken" means.
      const effect = EFFECT_OF[policy.action];
      const words = {
        reauthenticate: /re-authenticate/,
        shorten: /shortened/,
        throttle: /throttled/,
        deny: /denied/,
      };
      if (effect !== 'observe') expect(policy.costToLegitimateReader).toMatch(words[effect]);
    }
  });
});

describe('Function: parseMitigationConfig', () => {
  const policy = {
    name: 'x',
    kinds: ['scraping'],
    subjects: ['ip'],
    action: 'rate_limit',
    minScore: 0.9,
    minCorroboration: 2,
    durationSeconds: 60,
    costToLegitimateReader: 'throttled: the address is slowed down for a minute',
  };

  it('names the policy field that is wrong', () => {
    expect(() => parseMitigationConfig({ policies: [policy], guardrails: {} })).toThrow(
      /policies\.0: rate_limit needs limit and windowSeconds/,
    );
    expect(() => parseMitigationConfig({ policies: [], guardrails: {} })).toThrow(/policies/);
    expect(() =>
      parseMitigationConfig({
        policies: [{ ...policy, limit: 10, windowSeconds: 60 }],
        guardrails: { allowCidrs: ['10.0.0.0/33'] },
      }),
    ).toThrow(/guardrails\.allowCidrs\.0: must be a CIDR/);
    expect(() =>
      parseMitigationConfig({ policies: [{ ...policy, action: 'revoke_token' }], guardrails: {} }),
    ).toThrow(/revoke_token cannot act on ip; it takes tokenId/);
    const { costToLegitimateReader: _cost, ...silent } = policy;
    expect(() => parseMitigationConfig({ policies: [silent], guardrails: {} })).toThrow(
      /costToLegitimateReader/,
    );
  });

  it('refuses a denial that rests on a single weak signal', () => {
    const deny = { ...policy, action: 'block_ip', minScore: 0.8, minCorroboration: 1 };
    expect(() => parseMitigationConfig({ policies: [deny], guardrails: {} })).toThrow(
      /block_ip denies access: set minCorroboration >= 2 or minScore >= 0.95/,
    );
    expect(
      parseMitigationConfig({ policies: [{ ...deny, minCorroboration: 2 }], guardrails: {} }).policies,
    ).toHaveLength(1);
  });
});
