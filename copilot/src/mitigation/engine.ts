import type { Detection } from '../detect/types.ts';
import type { CopilotStore, StoredMitigation } from '../state/copilot-store.ts';
import type { MitigationPlanner } from './policy.ts';
import type { Decision, Mitigation, MitigationPort } from './types.ts';

export interface MitigationEvents {
  onApplied?(mitigation: StoredMitigation): void;
  onLifted?(mitigation: StoredMitigation): void;
}

/**
 * Carries decisions out: records the mitigation, applies it through the port (unless dry-run), audits what,
 * why, on which evidence and by which policy, and lifts it when it expires or a person rolls it back. A port
 * failure leaves a `failed` record and an audit entry, never an exception that stops detection.
 */
export class MitigationEngine {
  constructor(
    private readonly planner: MitigationPlanner,
    private readonly port: MitigationPort,
    private readonly store: CopilotStore,
    private readonly events: MitigationEvents = {},
  ) {}

  async onDetection(detection: Detection): Promise<Decision> {
    const decision = this.planner.decide(detection);
    if (decision.outcome === 'skip') return decision;
    await this.carryOut(decision.mitigation);
    return decision;
  }

  /**
   * A mitigation a person approved through a change set: recorded, applied and audited like a policy's (so it
   * shows among the active ones, expires on its own and can be rolled back or marked a false positive), the
   * approver named as the actor. A retried apply of the same change set is the same mitigation.
   */
  async applyApproved(mitigation: Mitigation & { changeSet: object }): Promise<StoredMitigation> {
    const known = await this.store.getMitigation(mitigation.id);
    if (known) return known;
    await this.carryOut(mitigation);
    return (await this.store.getMitigation(mitigation.id)) as StoredMitigation;
  }

  private async carryOut(mitigation: Mitigation): Promise<void> {
    const at = mitigation.decidedAt;
    const stored: StoredMitigation = {
      ...mitigation,
      status: mitigation.dryRun ? 'dry_run' : 'active',
      updatedAt: at,
    };
    if (!mitigation.dryRun) {
      try {
        await this.port.apply(mitigation);
      } catch (error) {
        stored.status = 'failed';
        stored.statusReason = error instanceof Error ? error.message : String(error);
      }
    }
    if (!(await this.store.putMitigation(stored))) return;
    await this.store.appendAudit({
      at,
      actor: mitigation.changeSet ? mitigation.changeSet.approvedBy : `policy:${mitigation.policy}`,
      action: `${mitigation.action}:${stored.status}`,
      subject: JSON.stringify(mitigation.target),
      detail: {
        mitigationId: mitigation.id,
        reason: mitigation.reason,
        evidence: mitigation.evidence,
        error: stored.statusReason,
      },
    });
    this.events.onApplied?.(stored);
  }

  /** Lifts every active mitigation whose expiry is at or before `nowIso` (event time in replays). */
  async expire(nowIso: string): Promise<number> {
    let lifted = 0;
    for (const mitigation of await this.store.listMitigations('active')) {
      if (mitigation.expiresAt > nowIso) continue;
      if (await this.lift(mitigation, 'expired', 'system:expiry', nowIso, 'expired on its own')) lifted += 1;
    }
    return lifted;
  }

  async rollback(
    id: string,
    actor: string,
    reason: string,
    nowIso: string,
  ): Promise<StoredMitigation | undefined> {
    const mitigation = await this.store.getMitigation(id);
    if (mitigation?.status !== 'active') return mitigation;
    await this.lift(mitigation, 'rolled_back', actor, nowIso, reason);
    return this.store.getMitigation(id);
  }

  private async lift(
    mitigation: StoredMitigation,
    to: 'expired' | 'rolled_back',
    actor: string,
    at: string,
    reason: string,
  ): Promise<boolean> {
    await this.port.lift(mitigation);
    if (!(await this.store.transitionMitigation(mitigation.id, 'active', to, at, reason))) return false;
    this.planner.release(mitigation);
    await this.store.appendAudit({
      at,
      actor,
      action: `${mitigation.action}:${to}`,
      subject: JSON.stringify(mitigation.target),
      detail: { mitigationId: mitigation.id, reason },
    });
    this.events.onLifted?.({ ...mitigation, status: to, updatedAt: at, statusReason: reason });
    return true;
  }
}
