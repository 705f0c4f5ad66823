import { describe, expect, it } from 'vitest';
import { detectionToFinding } from '../detect/finding.ts';
import type { Detection } from '../detect/types.ts';
import type { Finding } from '../findings.ts';
import { FindingLedger } from './dedupe.ts';

const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
const MIN = 60_000;
const EPISODE_MS = 30 * MIN;

/** An account's token-sharing detection at `minutes` after T0 with this score and corroboration. */
function sharing(minutes: number, score: number, corroboration: number, accountId = 'acc-1'): Finding {
  const detection: Detection = {
    kind: 'token_sharing',
    subject: { accountId },
    firstSeen: new Date(T0).toISOString(),
    detectedAt: new Date(T0 + minutes * MIN).toISOString(),
    score,
    evidence: { behaviours: ['token_sharing'], reasons: ['countries_at_once'], score, corroboration },
    mitigation: 'observe',
  };
  return detectionToFinding(detection);
}

describe('FindingLedger: one finding per kind, subject and episode', () => {
  it('refuses the same evidence again within the episode, and admits it in a new one', () => {
    const ledger = new FindingLedger(EPISODE_MS);
    expect(ledger.admit(sharing(0, 0.85, 1))).toBe(true);
    expect(ledger.admit(sharing(10, 0.85, 1))).toBe(false);
    expect(ledger.admit(sharing(10, 0.6, 1))).toBe(false);
    expect(ledger.admit(sharing(45, 0.85, 1))).toBe(true);
  });

  it('admits the finding proper after a glimpse of the same subject, and an escalation after it', () => {
    // A glimpse (0.3, observed) names the account as its findings proper do: the policies must still see those.
    const ledger = new FindingLedger(EPISODE_MS);
    expect(ledger.admit(sharing(0, 0.3, 0))).toBe(true);
    expect(ledger.admit(sharing(5, 0.6, 1))).toBe(true);
    expect(ledger.admit(sharing(9, 0.6, 2))).toBe(true);
    expect(ledger.admit(sharing(12, 0.94, 2))).toBe(true);
    // Weaker or equal evidence later in the episode (another detector instance, a re-read) stays a repeat.
    expect(ledger.admit(sharing(20, 0.85, 2))).toBe(false);
    expect(ledger.admit(sharing(20, 0.3, 0))).toBe(false);
    // Other subjects are other episodes.
    expect(ledger.admit(sharing(20, 0.3, 0, 'acc-2'))).toBe(true);
  });

  it('treats findings read again after a restart as repeats, whatever order the store gives them in', () => {
    const ledger = new FindingLedger(EPISODE_MS);
    ledger.seed([sharing(12, 0.94, 2), sharing(0, 0.3, 0)]);
    expect(ledger.admit(sharing(0, 0.3, 0))).toBe(false);
    expect(ledger.admit(sharing(12, 0.94, 2))).toBe(false);
    expect(ledger.admit(sharing(13, 0.97, 3))).toBe(true);
  });

  it('forgets a finding that could not be stored, so its retry is admitted', () => {
    const ledger = new FindingLedger(EPISODE_MS);
    const finding = sharing(0, 0.85, 1);
    expect(ledger.admit(finding)).toBe(true);
    ledger.forget(finding);
    expect(ledger.admit(finding)).toBe(true);
  });
});
