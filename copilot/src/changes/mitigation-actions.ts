import type { MitigationEngine } from '../mitigation/engine.ts';
import type {
  Mitigation,
  MitigationAction,
  MitigationPolicy,
  MitigationTarget,
} from '../mitigation/types.ts';
import { ChangeSetError } from './errors.ts';
import type { ActionExecutor } from './ports.ts';
import type { ChangeAction, ChangeSet } from './types.ts';

const MITIGATION_ACTIONS: readonly MitigationAction[] = [
  'revoke_token',
  'force_reauth',
  'short_ttl',
  'rate_limit',
  'block_ip',
];

/** What each action must name: a token, an account, or (block_ip, rate_limit) an address. */
const NEEDS: Record<MitigationAction, (keyof MitigationTarget)[]> = {
  revoke_token: ['tokenId'],
  force_reauth: ['accountId'],
  short_ttl: ['accountId'],
  rate_limit: ['accountId', 'ip'],
  block_ip: ['ip'],
};

/** Used only when no policy of the same action says otherwise. */
const FALLBACK = { durationSeconds: 3600, ttlSeconds: 300, limit: 60, windowSeconds: 300 };

/** The part of the pipeline's mitigation engine an approved action goes through. */
export type ApprovedMitigations = Pick<MitigationEngine, 'applyApproved' | 'rollback'>;

/**
 * An approved incident action carried out by the abuse pipeline's own mitigation engine (its port: admin API for
 * tokens and accounts, WAF for addresses): recorded among the active mitigations with the change set as its
 * origin, so it counts down, expires, and can be rolled back or marked a false positive like any other; lifted
 * when the change set is rolled back. Duration and parameters come from the first policy of the same action,
 * so a person-approved action is as proportionate as an automatic one.
 */
export function mitigationExecutor(
  mitigations: ApprovedMitigations,
  policies: readonly MitigationPolicy[] = [],
): ActionExecutor {
  const supports = (action: string): action is MitigationAction =>
    (MITIGATION_ACTIONS as readonly string[]).includes(action);
  const mitigationOf = (
    action: ChangeAction,
    cs: ChangeSet,
    at: string,
  ): Mitigation & { changeSet: object } => {
    if (!supports(action.action))
      throw new ChangeSetError('unsupported_action', `${action.action} is not a mitigation`);
    const kind = action.action;
    const target = targetOf(action.target);
    if (!NEEDS[kind].some((key) => target[key]))
      throw new ChangeSetError(
        'unsupported_action',
        `${kind} needs a target naming ${NEEDS[kind].join(' or ')}; got ${JSON.stringify(action.target)}`,
      );
    const policy = policies.find((p) => p.action === kind);
    const durationSeconds = policy?.durationSeconds ?? FALLBACK.durationSeconds;
    const params =
      kind === 'short_ttl'
        ? { ttlSeconds: policy?.ttlSeconds ?? FALLBACK.ttlSeconds }
        : kind === 'rate_limit'
          ? {
              limit: policy?.limit ?? FALLBACK.limit,
              windowSeconds: policy?.windowSeconds ?? FALLBACK.windowSeconds,
            }
          : {};
    return {
      // The change set's id: a retried apply is one action, and the rollback lifts that same action.
      id: `cs-${cs.id}`,
      policy: `change-set:${cs.id}`,
      action: kind,
      target,
      params,
      decidedAt: at,
      expiresAt: new Date(Date.parse(at) + durationSeconds * 1000).toISOString(),
      reason: `approved change set ${cs.id} (${cs.approval?.by ?? 'unapproved'}): ${cs.title}`,
      evidence: { changeSet: cs.id, origin: cs.origin },
      changeSet: {
        kind: 'change_set',
        changeSetId: cs.id,
        proposedBy: cs.proposedBy,
        approvedBy: cs.approval?.by ?? 'unapproved',
        title: cs.title,
      },
      dryRun: false,
    };
  };
  return {
    supports,
    async apply(action, cs) {
      const stored = await mitigations.applyApproved(mitigationOf(action, cs, new Date().toISOString()));
      if (stored.status === 'failed')
        throw new ChangeSetError(
          'apply_failed',
          `the delivery core refused ${stored.action}: ${stored.statusReason ?? 'no reason given'}`,
        );
      return { mitigationId: stored.id, target: stored.target, expiresAt: stored.expiresAt };
    },
    async undo(action, cs) {
      const id = mitigationOf(action, cs, cs.application?.at ?? new Date().toISOString()).id;
      const after = await mitigations.rollback(
        id,
        cs.approval?.by ?? 'system:change-sets',
        `change set ${cs.id} rolled back`,
        new Date().toISOString(),
      );
      if (!after) throw new ChangeSetError('not_found', `mitigation ${id} of ${cs.id} is not recorded`);
      return { lifted: id, target: after.target, status: after.status };
    },
  };
}

function targetOf(target: Record<string, string>): MitigationTarget {
  const { tokenId, accountId, ip, country } = target;
  return {
    ...(tokenId ? { tokenId } : {}),
    ...(accountId ? { accountId } : {}),
    ...(ip ? { ip } : {}),
    ...(country ? { country } : {}),
  };
}
