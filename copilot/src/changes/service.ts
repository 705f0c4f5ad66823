import type { Operation } from 'fast-json-patch';
import { ulid } from 'ulid';
import { billingCheck } from './billing.ts';
import { ChangeSetError } from './errors.ts';
import {
  type Actor,
  COPILOT_ACTOR,
  checkApply,
  checkApproval,
  checkRejection,
  checkRollback,
  tierOf,
} from './lifecycle.ts';
import { applyDocumentPatch, buildPlan, hashOf, patchBetween } from './plan.ts';
import type { ChangeSetServiceDeps, ManagedDocument } from './ports.ts';
import type { ChangeSetStore } from './store.ts';
import type {
  ChangeAction,
  ChangeAuditEntry,
  ChangeOrigin,
  ChangeSet,
  ChangeSetStatus,
  PlanDiff,
  Recommendation,
  VerificationSpec,
} from './types.ts';
import { evaluateVerification } from './verify.ts';

export interface ProposeInput {
  document: string;
  /** RFC 6902 operations on the current document; or send `after`, the whole new document. */
  patch?: Operation[];
  after?: unknown;
  title: string;
  rationale: string;
  origin: ChangeOrigin;
  proposedBy: string;
  recommendation?: Recommendation;
  verification?: VerificationSpec;
}

export interface ProposeActionInput {
  action: ChangeAction;
  title: string;
  rationale: string;
  origin: ChangeOrigin;
  proposedBy: string;
  recommendation?: Recommendation;
}

const HOUR_MS = 3_600_000;
const OPEN: readonly ChangeSetStatus[] = ['proposed', 'approved'];
export const ACTION_DOCUMENT = 'action';

/**
 * The change-set flow: propose (patch + diff + rationale), approve or reject (a person other than the proposer,
 * an owner when the diff calls for one), apply (the approved plan only, on its base, before the approval expires),
 * verify (the metric it meant to move, over its window; an SLO it hurts rolls it back), roll back on demand, and
 * check a saving against the bill. Every step, refusals included, is appended to the change set's audit chain.
 */
export class ChangeSetService {
  private readonly documents: Map<string, ManagedDocument>;
  private readonly clock: () => number;
  private readonly listeners = new Set<(changeSet: ChangeSet, entry: ChangeAuditEntry) => void>();

  constructor(
    private readonly store: ChangeSetStore,
    private readonly deps: ChangeSetServiceDeps,
  ) {
    this.documents = new Map(deps.documents.map((d) => [d.name, d]));
    this.clock = deps.clock ?? Date.now;
  }

  /** Every step of every change set, as it is recorded (the service's socket events). */
  subscribe(listener: (changeSet: ChangeSet, entry: ChangeAuditEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  documentNames(): string[] {
    return [...this.documents.keys(), ACTION_DOCUMENT];
  }

  async read(document: string): Promise<{ content: unknown; version: string }> {
    return this.document(document).repository.read();
  }

  async propose(input: ProposeInput): Promise<ChangeSet> {
    const doc = this.document(input.document);
    const current = await doc.repository.read();
    const patch = input.patch ?? patchBetween(current.content, input.after);
    if (patch.length === 0) throw new ChangeSetError('no_change', 'the patch changes nothing');
    const after = applyDocumentPatch(current.content, patch);
    await doc.planner.validate(after);
    const diff = await doc.planner.diff(current.content, after);
    const plan = buildPlan({ before: current.content, after, baseVersion: current.version, patch, diff });
    const same = (await this.store.list()).find(
      (cs) => cs.plan.planHash === plan.planHash && OPEN.includes(cs.status),
    );
    if (same) return same;
    const { tier, reasons } = tierOf(diff, doc.planner.ownerReasons?.(current.content, after));
    return this.create({ ...input, document: doc.name }, plan, tier, reasons);
  }

  /** A concrete action (an incident suggestion): nothing to diff but the action itself. */
  async proposeAction(input: ProposeActionInput): Promise<ChangeSet> {
    const before = {};
    const after = { action: input.action };
    const diff: PlanDiff = {
      text: `${input.action.action} on ${JSON.stringify(input.action.target)}`,
      securityText: '',
      differenceCount: 1,
      resources: [],
      ownerReasons: [],
      iamBroadened: false,
      replacements: 0,
      deletions: 0,
    };
    const plan = buildPlan({
      before,
      after,
      baseVersion: hashOf(before),
      patch: patchBetween(before, after),
      diff,
    });
    const same = (await this.store.list()).find(
      (cs) => cs.plan.planHash === plan.planHash && OPEN.includes(cs.status),
    );
    if (same) return same;
    return this.create({ ...input, document: ACTION_DOCUMENT }, plan, 'on_call', [], input.action);
  }

  async approve(id: string, who: Actor, note?: string): Promise<ChangeSet> {
    const cs = await this.get(id);
    const role = await this.refusing(cs, who, 'approve', () => checkApproval(cs, who));
    const at = this.now();
    const approval = {
      by: who.actor,
      role,
      at,
      planHash: cs.plan.planHash,
      baseVersion: cs.plan.baseVersion,
      expiresAt: new Date(this.clock() + (this.deps.approvalTtlMs ?? 4 * HOUR_MS)).toISOString(),
      ...(note ? { note } : {}),
    };
    return this.step(cs, { status: 'approved', approval }, who.actor, 'approved', { ...approval });
  }

  async reject(id: string, who: Actor, reason: string): Promise<ChangeSet> {
    const cs = await this.get(id);
    await this.refusing(cs, who, 'reject', () => checkRejection(cs, who));
    return this.step(
      cs,
      { status: 'rejected', rejection: { by: who.actor, at: this.now(), reason } },
      who.actor,
      'rejected',
      {
        reason,
      },
    );
  }

  async apply(id: string, who: Actor): Promise<ChangeSet> {
    const cs = await this.get(id);
    if (cs.document === ACTION_DOCUMENT) return this.applyAction(cs, who);
    const doc = this.document(cs.document);
    const current = await doc.repository.read();
    await this.refusing(cs, who, 'apply', () => checkApply(cs, who, current.version, this.clock()));
    const after = applyDocumentPatch(current.content, cs.plan.patch);
    await doc.planner.validate(after);
    const replanned = hashOf(await doc.planner.diff(current.content, after));
    await this.refusing(cs, who, 'apply', () => {
      if (replanned !== cs.plan.diffHash)
        throw new ChangeSetError(
          'plan_changed',
          `the diff of ${cs.id} today differs from the approved one; propose it again`,
          {
            approved: cs.plan.diffHash,
            now: replanned,
          },
        );
    });
    const written = await doc.repository.write(after, current.version).catch(async (cause: unknown) => {
      await this.refusal(
        cs,
        who,
        'apply',
        new ChangeSetError('stale_plan', `the document moved while ${cs.id} was applied`),
      );
      throw new ChangeSetError('stale_plan', `the document moved while ${cs.id} was applied`, undefined, {
        cause,
      });
    });
    try {
      const result = await doc.applier.apply(after, cs, 'apply');
      return this.step(
        cs,
        { status: 'applied', application: { by: who.actor, at: this.now(), result } },
        who.actor,
        'applied',
        {
          version: written,
          result,
        },
      );
    } catch (cause) {
      await doc.repository.write(current.content, written);
      // The document is restored; the running system is put back too, and a failure to do so is recorded
      // beside the apply's own failure (an operator must then reconcile by hand), not swallowed.
      const restoreError = await doc.applier.apply(current.content, cs, 'rollback').then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      const reason = cause instanceof Error ? cause.message : String(cause);
      await this.step(
        cs,
        { status: 'failed', failure: { by: who.actor, at: this.now(), reason } },
        who.actor,
        'apply_failed',
        {
          reason,
          restored: current.version,
          ...(restoreError ? { restoreError } : {}),
        },
      );
      throw new ChangeSetError(
        'apply_failed',
        `applying ${cs.id} failed and was undone: ${reason}`,
        undefined,
        { cause },
      );
    }
  }

  async rollback(id: string, who: Actor, reason: string, automatic = false): Promise<ChangeSet> {
    const cs = await this.get(id);
    if (cs.document === ACTION_DOCUMENT) return this.undoAction(cs, who, reason, automatic);
    const doc = this.document(cs.document);
    const current = await doc.repository.read();
    await this.refusing(cs, who, 'rollback', () => checkRollback(cs, who, current.version));
    const before = applyDocumentPatch(current.content, cs.plan.inversePatch);
    await doc.planner.validate(before);
    const written = await doc.repository.write(before, current.version);
    try {
      const result = await doc.applier.apply(before, cs, 'rollback');
      const rollback = { by: who.actor, at: this.now(), reason, automatic, result };
      return this.step(cs, { status: 'rolled_back', rollback }, who.actor, 'rolled_back', {
        reason,
        automatic,
        version: written,
        result,
      });
    } catch (cause) {
      await doc.repository.write(current.content, written);
      throw new ChangeSetError(
        'rollback_failed',
        `rolling back ${cs.id} failed: ${(cause as Error).message}`,
        undefined,
        {
          cause,
        },
      );
    }
  }

  /** Measures the change against its baseline once its window has passed (or now, `force`, for a partial look). */
  async verify(id: string, who: Actor = { actor: COPILOT_ACTOR, roles: [] }): Promise<ChangeSet> {
    const cs = await this.get(id);
    if (cs.status !== 'applied')
      throw new ChangeSetError('wrong_status', `cannot verify ${cs.id}: it is ${cs.status}`, {
        status: cs.status,
      });
    const spec = cs.verification;
    const metrics = this.deps.metrics;
    if (!spec || !metrics)
      throw new ChangeSetError('not_configured', `${cs.id} has no verification or no metric reader`);
    const appliedMs = Date.parse(cs.application?.at ?? cs.updatedAt);
    const windowMs = spec.windowMinutes * 60_000;
    // A burning guard SLO ends the window early: the change is judged on what it did so far.
    const burning = (await this.deps.slo?.burning(spec.guardSlos, appliedMs)) ?? [];
    if (burning.length === 0 && this.clock() < appliedMs + windowMs)
      throw new ChangeSetError(
        'window_open',
        `the verification window of ${cs.id} ends at ${new Date(appliedMs + windowMs).toISOString()}`,
      );
    const baseline = await metrics.measure(spec.metric, spec.scope, appliedMs - windowMs, appliedMs);
    const observedTo = Math.min(this.clock(), appliedMs + windowMs);
    const observed = await metrics.measure(spec.metric, spec.scope, appliedMs, observedTo);
    const result = evaluateVerification({
      spec,
      appliedMs,
      baseline,
      observed,
      burning,
      nowMs: this.clock(),
    });
    if (result.outcome === 'slo_hurt') {
      const noted = await this.step(cs, { verificationResult: result }, who.actor, 'verification', {
        ...result,
      });
      return this.rollback(
        noted.id,
        { actor: COPILOT_ACTOR, roles: [] },
        `SLO burning after apply: ${burning.join(', ')}`,
        true,
      );
    }
    return this.step(cs, { status: 'verified', verificationResult: result }, who.actor, 'verified', {
      ...result,
    });
  }

  /**
   * What the copilot does on its own, every few seconds: rolls back an applied change whose guard SLOs burn,
   * verifies those whose window has passed, and checks realised savings once the billing data is in.
   */
  async tick(): Promise<{ verified: string[]; rolledBack: string[]; billed: string[] }> {
    const done = { verified: [] as string[], rolledBack: [] as string[], billed: [] as string[] };
    for (const cs of await this.store.list()) {
      // Without a metric reader an applied change waits for a person to verify or roll it back.
      if (cs.status === 'applied' && cs.verification && this.deps.metrics) {
        const appliedMs = Date.parse(cs.application?.at ?? cs.updatedAt);
        const burning = (await this.deps.slo?.burning(cs.verification.guardSlos, appliedMs)) ?? [];
        const due = this.clock() >= appliedMs + cs.verification.windowMinutes * 60_000;
        if (burning.length > 0 || due) {
          const after = await this.verify(cs.id);
          (after.status === 'rolled_back' ? done.rolledBack : done.verified).push(cs.id);
        }
      } else if (
        cs.status === 'verified' &&
        !cs.billing &&
        (cs.recommendation?.estimate.monthlySavingUsd ?? 0) > 0
      ) {
        const check = await billingCheck(cs, this.deps.costs, this.clock(), this.deps.billingDays ?? 7);
        if (check) {
          await this.step(cs, { billing: check }, COPILOT_ACTOR, 'billing_checked', { ...check });
          done.billed.push(cs.id);
        }
      }
    }
    return done;
  }

  async get(id: string): Promise<ChangeSet> {
    const cs = await this.store.get(id);
    if (!cs) throw new ChangeSetError('not_found', `no change set ${id}`);
    return cs;
  }

  async list(filter: { status?: ChangeSetStatus } = {}): Promise<ChangeSet[]> {
    const all = await this.store.list();
    return all
      .filter((cs) => !filter.status || cs.status === filter.status)
      .sort((a, b) => b.proposedAt.localeCompare(a.proposedAt));
  }

  audit(id: string): Promise<ChangeAuditEntry[]> {
    return this.store.audit(id);
  }

  private async applyAction(cs: ChangeSet, who: Actor): Promise<ChangeSet> {
    await this.refusing(cs, who, 'apply', () => checkApply(cs, who, cs.plan.baseVersion, this.clock()));
    const action = cs.action as ChangeAction;
    const executor = this.deps.actions?.find((e) => e.supports(action.action));
    if (!executor) {
      const error = new ChangeSetError(
        'unsupported_action',
        `no executor carries out ${action.action}; do it by hand`,
      );
      await this.refusal(cs, who, 'apply', error);
      throw error;
    }
    const result = await executor.apply(action, cs);
    return this.step(
      cs,
      { status: 'applied', application: { by: who.actor, at: this.now(), result } },
      who.actor,
      'applied',
      { result },
    );
  }

  private async undoAction(
    cs: ChangeSet,
    who: Actor,
    reason: string,
    automatic: boolean,
  ): Promise<ChangeSet> {
    const action = cs.action as ChangeAction;
    const executor = this.deps.actions?.find((e) => e.supports(action.action));
    await this.refusing(cs, who, 'rollback', () => {
      checkRollback(cs, who, cs.plan.afterVersion);
      if (!executor?.undo)
        throw new ChangeSetError('unsupported_action', `${action.action} cannot be undone by the copilot`);
    });
    const result = await executor!.undo!(action, cs);
    const rollback = { by: who.actor, at: this.now(), reason, automatic, result };
    return this.step(cs, { status: 'rolled_back', rollback }, who.actor, 'rolled_back', {
      reason,
      automatic,
      result,
    });
  }

  private async create(
    input: Omit<ProposeInput, 'patch' | 'after'>,
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

  private async step(
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

  /** Runs a check; a refusal is audited before it is thrown. */
  private async refusing<T>(cs: ChangeSet, who: Actor, step: string, check: () => T): Promise<T> {
    try {
      return check();
    } catch (error) {
      if (error instanceof ChangeSetError) await this.refusal(cs, who, step, error);
      throw error;
    }
  }

  private async refusal(cs: ChangeSet, who: Actor, step: string, error: ChangeSetError): Promise<void> {
    await this.record(cs, who.actor, `${step}_refused`, {
      detail: { code: error.code, message: error.message },
    });
  }

  private document(name: string): ManagedDocument {
    const doc = this.documents.get(name);
    if (!doc)
      throw new ChangeSetError(
        'unknown_document',
        `no document "${name}"; known: ${[...this.documents.keys()].join(', ')}`,
      );
    return doc;
  }

  private now(): string {
    return new Date(this.clock()).toISOString();
  }
}
