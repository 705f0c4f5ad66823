import { ulid } from 'ulid';
import { describeSubject, type FeedbackRule, feedbackSubject } from '../mitigation/feedback.ts';
import type { CopilotPipeline } from '../pipeline/pipeline.ts';
import type { CopilotStore, StoredMitigation } from '../state/copilot-store.ts';
import type { Operator } from './auth.ts';
import { CopilotServiceError } from './errors.ts';

export interface FalsePositiveInput {
  mitigationId: string;
  operator: Operator;
  reason: string;
  /** `suppress`: no action on the subject until `suppressHours` pass; `allow_list` (owners): never again. */
  remedy: 'suppress' | 'allow_list';
  suppressHours: number;
  at: string;
}

export interface FalsePositiveResult {
  mitigation: StoredMitigation;
  rule: FeedbackRule;
}

/**
 * "False positive": lifts the mitigation if it is still active, records feedback the policies honour from the
 * next detection on (a suppression with an expiry, or an allow-list entry), and audits both.
 */
export async function markFalsePositive(
  deps: { store: CopilotStore; pipeline: CopilotPipeline },
  input: FalsePositiveInput,
): Promise<FalsePositiveResult> {
  const { store, pipeline } = deps;
  const before = await store.getMitigation(input.mitigationId);
  if (!before) throw new CopilotServiceError('not_found', `no mitigation ${input.mitigationId}`);
  // No detector was wrong here: a person approved it, and undoing it is the change set's rollback, audited there.
  if (before.changeSet)
    throw new CopilotServiceError(
      'approved_by_a_person',
      `${before.id} was approved by ${before.changeSet.approvedBy} in change set ${before.changeSet.changeSetId}, not decided by a policy: roll the change set back instead`,
      { changeSetId: before.changeSet.changeSetId },
    );
  const subject = feedbackSubject(before.target);
  if (!subject)
    throw new CopilotServiceError('validation_failed', 'this mitigation names no account, address or token');
  if (input.remedy === 'allow_list' && !input.operator.roles.includes('owner'))
    throw new CopilotServiceError('forbidden', 'only owners add to the allow-list; on-call may suppress', {
      required: 'owner',
    });
  if (input.remedy === 'allow_list' && subject.tokenId)
    throw new CopilotServiceError('validation_failed', 'a token cannot be allow-listed; suppress it instead');
  const rule: FeedbackRule = {
    id: `fb_${ulid()}`,
    kind: input.remedy,
    subject,
    expiresAt:
      input.remedy === 'suppress'
        ? new Date(Date.parse(input.at) + input.suppressHours * 3_600_000).toISOString()
        : null,
    createdAt: input.at,
    actor: input.operator.actor,
    reason: input.reason,
    mitigationId: before.id,
    detectionKind: before.detection.kind,
    status: 'active',
  };
  // Suppress before lifting: a detection decided in between must already see the feedback.
  await store.putFeedback(rule);
  pipeline.feedback.add(rule);
  let mitigation: StoredMitigation = before;
  if (before.status === 'active') {
    const lifted = await pipeline.engine
      .rollback(before.id, input.operator.actor, `false positive: ${input.reason}`, input.at)
      .catch((error: unknown) => {
        throw new CopilotServiceError(
          'port_failed',
          `the delivery core did not lift ${before.id}`,
          undefined,
          {
            cause: error,
          },
        );
      });
    mitigation = lifted ?? before;
  }
  if (input.remedy === 'allow_list') {
    const g = pipeline.guardrails;
    if (subject.accountId && !g.allowAccounts.includes(subject.accountId))
      g.allowAccounts.push(subject.accountId);
    if (subject.ip) {
      const cidr = subject.ip.includes(':') ? `${subject.ip}/128` : `${subject.ip}/32`;
      if (!g.allowCidrs.includes(cidr)) g.allowCidrs.push(cidr);
    }
    await store.saveGuardrails(g, input.at);
  }
  await store.appendAudit({
    at: input.at,
    actor: input.operator.actor,
    action: `feedback:false_positive:${input.remedy}`,
    subject: JSON.stringify(subject),
    detail: {
      mitigationId: before.id,
      feedbackId: rule.id,
      reason: input.reason,
      expiresAt: rule.expiresAt,
      rolledBack: before.status === 'active',
      summary: `${describeSubject(subject)}: ${input.remedy === 'suppress' ? `no action until ${rule.expiresAt}` : 'allow-listed'}`,
    },
  });
  return { mitigation, rule };
}

/** Ends a suppression early (on-call) and audits it. */
export async function endFeedback(
  deps: { store: CopilotStore; pipeline: CopilotPipeline },
  input: { id: string; actor: string; at: string },
): Promise<FeedbackRule> {
  const rules = await deps.store.listFeedback();
  const rule = rules.find((r) => r.id === input.id);
  if (!rule) throw new CopilotServiceError('not_found', `no feedback ${input.id}`);
  if (!(await deps.store.endFeedback(input.id, input.at, input.actor)))
    throw new CopilotServiceError('not_active', `feedback ${input.id} has already ended`);
  deps.pipeline.feedback.end(input.id);
  await deps.store.appendAudit({
    at: input.at,
    actor: input.actor,
    action: 'feedback:ended',
    subject: JSON.stringify(rule.subject),
    detail: { feedbackId: rule.id, mitigationId: rule.mitigationId },
  });
  return { ...rule, status: 'ended', endedAt: input.at, endedBy: input.actor };
}
