import type { ChangeSet, OperatorRole, Session } from './types.ts';

/** What this operator may do with a change set now, and why not when they may not (shown beside the button). */
export interface ChangeSetActions {
  approve: { allowed: boolean; why?: string };
  reject: boolean;
  apply: boolean;
  rollback: boolean;
}

const has = (session: Pick<Session, 'roles'>, role: OperatorRole) => session.roles.includes(role);

export function changeSetActions(
  cs: ChangeSet,
  session: Pick<Session, 'actor' | 'roles'>,
  nowMs: number,
): ChangeSetActions {
  const onCall = has(session, 'on_call');
  let approve: ChangeSetActions['approve'] = { allowed: false };
  if (cs.status === 'proposed') {
    if (!onCall) approve = { allowed: false, why: 'an on-call engineer or an owner approves' };
    else if (cs.proposedBy === session.actor)
      approve = { allowed: false, why: 'you proposed it: someone else approves' };
    else if (cs.tier === 'owner' && !has(session, 'owner'))
      approve = {
        allowed: false,
        why: `needs an owner: ${cs.tierReasons.join('; ') || 'the diff calls for one'}`,
      };
    else approve = { allowed: true };
  }
  const approvalLive = cs.approval !== undefined && Date.parse(cs.approval.expiresAt) > nowMs;
  return {
    approve,
    reject: onCall && cs.status === 'proposed',
    apply: onCall && cs.status === 'approved' && approvalLive,
    rollback: onCall && (cs.status === 'applied' || cs.status === 'verified'),
  };
}

/** Newest first; a live update never replaces a newer revision with an older one. */
export function upsertChangeSet(list: readonly ChangeSet[], cs: ChangeSet): ChangeSet[] {
  const existing = list.find((c) => c.id === cs.id);
  if (existing && existing.revision > cs.revision) return list as ChangeSet[];
  return [cs, ...list.filter((c) => c.id !== cs.id)].sort(
    (a, b) => b.proposedAt.localeCompare(a.proposedAt) || a.id.localeCompare(b.id),
  );
}
