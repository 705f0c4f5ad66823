import { ChangeSetError } from './errors.ts';
import { planHashOf } from './plan.ts';
import type { ApprovalTier, ChangeSet, PlanDiff } from './types.ts';

/**
 * The rules of the flow, as pure checks over a change set and who acts (no I/O): the service calls them before
 * every write, and the tests call them directly.
 */
export interface Actor {
  /** `user:<sub>` for a person; `copilot` for the copilot itself. */
  actor: string;
  roles: readonly string[];
}

/** The copilot's own name in the audit trail: it proposes and rolls back, never approves. */
export const COPILOT_ACTOR = 'copilot';

function isCopilot(actor: string): boolean {
  return actor === COPILOT_ACTOR || actor.startsWith('copilot:') || actor.startsWith('service:');
}

/** Owner when the diff replaces or deletes a resource or broadens access, or the document's own rules say so. */
export function tierOf(
  diff: PlanDiff,
  documentReasons: readonly string[] = [],
): {
  tier: ApprovalTier;
  reasons: string[];
} {
  const reasons = [...diff.ownerReasons, ...documentReasons];
  return { tier: reasons.length > 0 ? 'owner' : 'on_call', reasons };
}

function requireStatus(cs: ChangeSet, allowed: readonly ChangeSet['status'][], step: string): void {
  if (!allowed.includes(cs.status))
    throw new ChangeSetError('wrong_status', `cannot ${step} change set ${cs.id}: it is ${cs.status}`, {
      status: cs.status,
      allowed,
    });
}

export function checkApproval(cs: ChangeSet, who: Actor): ApprovalTier {
  requireStatus(cs, ['proposed'], 'approve');
  if (isCopilot(who.actor))
    throw new ChangeSetError(
      'copilot_cannot_approve',
      'the copilot proposes change sets; only a person approves them',
    );
  if (who.actor === cs.proposedBy)
    throw new ChangeSetError('self_approval', `${who.actor} proposed ${cs.id} and cannot approve it too`);
  if (!who.roles.includes('on_call'))
    throw new ChangeSetError('forbidden', 'approving a change set requires the on_call role');
  if (cs.tier === 'owner' && !who.roles.includes('owner'))
    throw new ChangeSetError('owner_required', `${cs.id} needs an owner: ${cs.tierReasons.join('; ')}`, {
      reasons: cs.tierReasons,
    });
  return who.roles.includes('owner') ? 'owner' : 'on_call';
}

export function checkRejection(cs: ChangeSet, who: Actor): void {
  requireStatus(cs, ['proposed', 'approved'], 'reject');
  if (!who.roles.includes('on_call'))
    throw new ChangeSetError('forbidden', 'rejecting a change set requires the on_call role');
}

/**
 * Before anything is written: the approval still signs this exact plan, on this base, and has not expired.
 * `currentBase` is the version of the document now; a plan computed on another one is stale.
 */
export function checkApply(cs: ChangeSet, who: Actor, currentBase: string, nowMs: number): void {
  requireStatus(cs, ['approved'], 'apply');
  if (!who.roles.includes('on_call') && !isCopilot(who.actor))
    throw new ChangeSetError('forbidden', 'applying a change set requires the on_call role');
  const approval = cs.approval;
  if (!approval) throw new ChangeSetError('approval_mismatch', `${cs.id} has no approval on record`);
  const recomputed = planHashOf(cs.plan);
  if (
    approval.planHash !== recomputed ||
    cs.plan.planHash !== recomputed ||
    approval.baseVersion !== cs.plan.baseVersion
  )
    throw new ChangeSetError(
      'approval_mismatch',
      `the approval of ${cs.id} does not sign the plan on record`,
      {
        approved: approval.planHash,
        plan: recomputed,
      },
    );
  if (nowMs > Date.parse(approval.expiresAt))
    throw new ChangeSetError(
      'approval_expired',
      `the approval of ${cs.id} expired at ${approval.expiresAt}; approve it again`,
      {
        expiresAt: approval.expiresAt,
      },
    );
  if (currentBase !== cs.plan.baseVersion)
    throw new ChangeSetError(
      'stale_plan',
      `${cs.id} was planned on ${cs.plan.baseVersion} but the document is now ${currentBase}; propose it again`,
      { planned: cs.plan.baseVersion, current: currentBase },
    );
}

export function checkRollback(cs: ChangeSet, who: Actor, currentVersion: string): void {
  requireStatus(cs, ['applied', 'verified'], 'roll back');
  if (!who.roles.includes('on_call') && !isCopilot(who.actor))
    throw new ChangeSetError('forbidden', 'rolling back a change set requires the on_call role');
  if (currentVersion !== cs.plan.afterVersion)
    throw new ChangeSetError(
      'stale_plan',
      `the document moved since ${cs.id} was applied (now ${currentVersion}); roll back the later change first`,
      { applied: cs.plan.afterVersion, current: currentVersion },
    );
}
