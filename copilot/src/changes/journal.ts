import { ulid } from 'ulid';
import { ChangeSetError } from './errors.ts';
import type { Actor } from './lifecycle.ts';
import type { ChangeSetServiceDeps } from './ports.ts';
import type { ChangeSetStore } from './store.ts';
import type { ChangeAction, ChangeAuditEntry, ChangeOrigin, ChangeSet, ChangeSetStatus } from './types.ts';

/** What a new change set records about its proposal (the service's propose inputs, without the patch). */
export interface ProposalRecord {
  document: string;
  title: string;
  rationale: string;
  origin: ChangeOrigin;
  proposedBy: string;
  recommendation?: ChangeSet['recommendation'];
  verification?: ChangeSet['verification'];
}

/**
 * How every step of the flow is written: the change set's new revision in the store, then its audit chain, the
 * copilot's daily audit and the listeners. Refusals are steps too: audited before they are thrown.
 */
export class ChangeSetJournal {
  readonly clock: () => number;
  private readonly listeners = new Set<(changeSet: ChangeSet, entry: ChangeAuditEntry) => void>();

  constructor(
    readonly store: ChangeSetStore,
    private readonly deps: ChangeSetServiceDeps,
  ) {
    this.clock = deps.clock ?? Date.now;
  }

  subscribe(listener: (changeSet: ChangeSet, entry: ChangeAuditEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async get(id: string): Promise<ChangeSet> {
    const cs = await this.store.get(id);
    if (!cs) throw new ChangeSetError('not_found', `no change set ${id}`);
    return cs;
  }

  async create(
    input: ProposalRecord,
    plan: ChangeSet['plan'],
    tier: ChangeSet['tier'],
    tierReasons: string[],
    action?: ChangeAction,
  ): Promise<ChangeSet> {
    const at = this.now();
    const cs: ChangeSet = {
      id: `cs_${ulid(this.clock())}`,
      document: input.document,
      title: input.title,
      rationale: input.rationale,
      origin: input.origin,
      proposedBy: input.proposedBy,
      proposedAt: at,
      status: 'proposed',
      updatedAt: at,
      revision: 1,
      tier,
      tierReasons,
      plan,
      ...(action ? { action } : {}),
      ...(input.recommendation ? { recommendation: input.recommendation } : {}),
      ...(input.verification ? { verification: input.verification } : {}),
    };
    await this.store.create(cs);
    await this.record(cs, input.proposedBy, 'proposed', {
      to: 'proposed',
      detail: {
        patchHash: plan.patchHash,
        diffHash: plan.diffHash,
        baseVersion: plan.baseVersion,
        tier,
        tierReasons,
      },
    });
    return cs;
  }

  async step(
    cs: ChangeSet,
    changes: Partial<ChangeSet>,
    actor: string,
    action: string,
    detail: Record<string, unknown>,
  ): Promise<ChangeSet> {
    const next: ChangeSet = { ...cs, ...changes, revision: cs.revision + 1, updatedAt: this.now() };
    await this.store.update(next);
    await this.record(next, actor, action, { from: cs.status, to: next.status, detail });
    return next;
  }

  /** Runs a check; a refusal is audited before it is thrown. */
  async refusing<T>(cs: ChangeSet, who: Actor, step: string, check: () => T): Promise<T> {
    try {
      return check();
    } catch (error) {
      if (error instanceof ChangeSetError) await this.refusal(cs, who, step, error);
      throw error;
    }
  }

  async refusal(cs: ChangeSet, who: Actor, step: string, error: ChangeSetError): Promise<void> {
    await this.record(cs, who.actor, `${step}_refused`, {
      detail: { code: error.code, message: error.message },
    });
  }

  now(): string {
    return new Date(this.clock()).toISOString();
  }

  private async record(
    cs: ChangeSet,
    actor: string,
    action: string,
    extra: { from?: ChangeSetStatus; to?: ChangeSetStatus; detail: Record<string, unknown> },
  ): Promise<void> {
    const at = this.now();
    const entry = await this.store.appendAudit({
      changeSetId: cs.id,
      at,
      actor,
      action,
      planHash: cs.plan.planHash,
      ...extra,
    });
    await this.deps.dailyAudit?.({
      at,
      actor,
      action: `change_set:${action}`,
      subject: cs.id,
      detail: { ...extra, planHash: cs.plan.planHash },
    });
    this.deps.events?.changed?.(cs, entry);
    for (const listener of this.listeners) listener(cs, entry);
  }
}
