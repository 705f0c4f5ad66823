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
    expect(ledger.admit(sharing(0, 0.85, 1))).toBeDefined();
    expect(ledger.admit(sharing(10, 0.85, 1))).toBeUndefined();
    expect(ledger.admit(sharing(10, 0.6, 1))).toBeUndefined();
    expect(ledger.admit(sharing(45, 0.85, 1))).toBeDefined();
  });

  it('admits the finding proper after a glimpse of the same subject, and an escalation after it', () => {
    // A glimpse (0.3, observed) names the account as its findings proper do: the policies must still see those.
    const ledger = new FindingLedger(EPISODE_MS);
    expect(ledger.admit(sharing(0, 0.3, 0))).toBeDefined();
    expect(ledger.admit(sharing(5, 0.6, 1))).toBeDefined();
    expect(ledger.admit(sharing(9, 0.6, 2))).toBeDefined();
    expect(ledger.admit(sharing(12, 0.94, 2))).toBeDefined();
    // Weaker or equal evidence later in the episode (another detector instance, a re-read) stays a repeat.
    expect(ledger.admit(sharing(20, 0.85, 2))).toBeUndefined();
    expect(ledger.admit(sharing(20, 0.3, 0))).toBeUndefined();
    // Other subjects are other episodes.
    expect(ledger.admit(sharing(20, 0.3, 0, 'acc-2'))).toBeDefined();
  });

  it('treats findings read again after a restart as repeats, whatever order the store gives them in', () => {
    const ledger = new FindingLedger(EPISODE_MS);
    ledger.seed([sharing(12, 0.94, 2), sharing(0, 0.3, 0)]);
    expect(ledger.admit(sharing(0, 0.3, 0))).toBeUndefined();
    expect(ledger.admit(sharing(12, 0.94, 2))).toBeUndefined();
    expect(ledger.admit(sharing(13, 0.97, 3))).toBeDefined();
  });

  it('stores an escalation under its own id, naming the finding it escalates, the same id when read again', () => {
    const ledger = new FindingLedger(EPISODE_MS);
    const observed = sharing(0, 0.6, 1);
    const proper = sharing(9, 0.85, 1);
    // One detection's id for every report of the episode: the store would hold two rows under it.
    expect(proper.id).toBe(observed.id);
    expect(ledger.admit(observed)).toEqual(observed);
    const escalation = ledger.admit(proper);
    expect(escalation).toMatchObject({
      score: 0.85,
      escalates: { id: observed.id, detectedAt: observed.detectedAt },
    });
    expect(escalation?.id).not.toBe(observed.id);
    const further = ledger.admit(sharing(12, 0.94, 2));
    expect(further?.escalates).toEqual({ id: escalation?.id, detectedAt: proper.detectedAt });

    // After a restart, seeded from the store, the same escalation read again is a repeat; one that the store
    // missed gets the id the first run gave it.
    const restarted = new FindingLedger(EPISODE_MS);
    restarted.seed([observed]);
    expect(restarted.admit(proper)).toEqual(escalation);
  });

  it('takes the later of two findings seeded at one time as the one an escalation names', () => {
    const ledger = new FindingLedger(EPISODE_MS);
    const first = ledger.admit(sharing(0, 0.6, 1)) as Finding;
    const second = ledger.admit(sharing(0, 0.85, 1)) as Finding;
    expect(second.escalates?.id).toBe(first.id);
    const restarted = new FindingLedger(EPISODE_MS);
    // Newest first, as the store lists them.
    restarted.seed([second, first]);
    expect(restarted.admit(sharing(5, 0.94, 2))?.escalates?.id).toBe(second.id);
  });

  it('forgets a finding that could not be stored, so its retry is admitted', () => {
    const ledger = new FindingLedger(EPISODE_MS);
    const finding = sharing(0, 0.85, 1);
    expect(ledger.admit(finding)).toBeDefined();
    ledger.forget(finding);
    expect(ledger.admit(finding)).toEqual(finding);
    // An escalation that could not be stored is retried as the same escalation, not as a new episode.
    const escalation = ledger.admit(sharing(5, 0.94, 2)) as Finding;
    ledger.forget(escalation);
    expect(ledger.admit(sharing(5, 0.94, 2))).toEqual(escalation);
  });
});
