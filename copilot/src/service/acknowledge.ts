import type { CopilotStore } from '../state/copilot-store.ts';
import { CopilotServiceError } from './errors.ts';
import type { FindingAcknowledged } from './events.ts';

/** An on-call engineer has seen a finding: recorded in the audit trail, which is where the dashboard reads it. */
export async function acknowledgeFinding(
  store: CopilotStore,
  input: { findingId: string; actor: string; note: string; at: string },
): Promise<FindingAcknowledged> {
  // Findings are keyed by detection time; the newest page is where an acknowledged finding lives.
  const finding = (await store.listFindings(1000)).find((f) => f.id === input.findingId);
  if (!finding) throw new CopilotServiceError('not_found', `no finding ${input.findingId}`);
  await store.appendAudit({
    at: input.at,
    actor: input.actor,
    action: 'finding:acknowledged',
    subject: input.findingId,
    detail: { note: input.note, kind: finding.kind },
  });
  return { findingId: input.findingId, actor: input.actor, note: input.note, at: input.at };
}
