import { describe, expect, it } from 'vitest';
import type { Detection } from '../detect/types.ts';
import type { Finding } from '../findings.ts';
import type { MitigationEngine } from '../mitigation/engine.ts';
import type { CopilotStore, FindingDecision, StoredMitigation } from '../state/copilot-store.ts';
import { FindingLedger } from './dedupe.ts';
import { FindingDesk } from './finding-desk.ts';
import { newPipelineCounters } from './types.ts';

const detection: Detection = {
  kind: 'token_sharing',
  subject: { accountId: 'acct-9' },
  firstSeen: '2026-11-02T10:00:00.000Z',
  detectedAt: '2026-11-02T10:05:00.000Z',
  score: 0.85,
  evidence: { corroboration: 1 },
  mitigation: 'force_reauth',
};

/** A store that keeps findings and decisions in memory, and an engine that must not be asked. */
function desk() {
  const stored: Finding[] = [];
  const decisions: FindingDecision[] = [];
  const store = {
    putFinding: async (finding: Finding) => {
      stored.push(finding);
      return true;
    },
    setFindingDecision: async (_finding: Finding, decision: FindingDecision) => {
      decisions.push(decision);
    },
  } as unknown as CopilotStore;
  const engine = {
    onDetection: async () => {
      throw new Error('the engine was asked about a subject already under mitigation');
    },
  } as unknown as MitigationEngine;
  const counters = newPipelineCounters();
  return {
    desk: new FindingDesk(new FindingLedger(30 * 60_000), engine, store, counters),
    stored,
    decisions,
    counters,
  };
}

describe('FindingDesk', () => {
  it('records why a finding on a subject already under mitigation was not acted on', async () => {
    const { desk: d, stored, decisions, counters } = desk();
    d.applied({ status: 'active', target: { accountId: 'acct-9' } } as StoredMitigation);
    await d.onDetection(detection);
    expect(stored).toHaveLength(1);
    expect(decisions).toEqual([expect.objectContaining({ outcome: 'skip', reason: 'already_active' })]);
    expect(counters).toMatchObject({ suppressed: 1, decisions: { already_active: 1 } });
  });
});
