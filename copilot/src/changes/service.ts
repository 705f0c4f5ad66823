import type { Operation } from 'fast-json-patch';
import {
  applyActionChange,
  applyDocumentChange,
  rollbackDocumentChange,
  undoActionChange,
} from './apply-steps.ts';
import { ChangeSetError } from './errors.ts';
import { ChangeSetJournal } from './journal.ts';
import { type Actor, COPILOT_ACTOR, checkApproval, checkRejection, tierOf } from './lifecycle.ts';
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
import { tickChanges, verifyChange } from './verification-steps.ts';
import { HOUR_MS } from '@boundless/common/time';

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

const OPEN: readonly ChangeSetStatus[] = ['proposed', 'approved'];
export const ACTION_DOCUMENT = 'action';

/**
 * The change-set flow: propose (patch + diff + rationale), approve or reject (a person other than the proposer,
 * an owner when the diff calls for one), apply (the approved plan only, on its base, before the approval expires),
 * verify (the metric it meant to move, over its window; an SLO it hurts rolls it back), roll back on demand, and
 * check a saving against the bill. Every step, refusals included, is appended to the change set's audit chain
 * (`ChangeSetJournal`); apply and rollback are in apply-steps.ts, verification and the timer's pass in
 * verification-steps.ts.
 */
export class ChangeSetService {
  private readonly documents: Map<string, ManagedDocument>;
  private readonly journal: ChangeSetJournal;

  constructor(
    private readonly store: ChangeSetStore,
    private readonly deps: ChangeSetServiceDeps,
  ) {
    this.documents = new Map(deps.documents.map((d) => [d.name, d]));
    this.journal = new ChangeSetJournal(store, deps);
  }

  /** Every step of every change set, as it is recorded (the service's socket events). */
  subscribe(listener: (changeSet: ChangeSet, entry: ChangeAuditEntry) => void): () => void {
    return this.journal.subscribe(listener);
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
    return this.journal.create({ ...input, document: doc.name }, plan, tier, reasons);
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
    return this.journal.create({ ...input, document: ACTION_DOCUMENT }, plan, 'on_call', [], input.action);
  }

  async approve(id: string, who: Actor, note?: string): Promise<ChangeSet> {
    const cs = await this.get(id);
    const role = await this.journal.refusing(cs, who, 'approve', () => checkApproval(cs, who));
    const at = this.journal.now();
    const approval = {
      by: who.actor,
      role,
      at,
      planHash: cs.plan.planHash,
      baseVersion: cs.plan.baseVersion,
      expiresAt: new Date(this.journal.clock() + (this.deps.approvalTtlMs ?? 4 * HOUR_MS)).toISOString(),
      ...(note ? { note } : {}),
    };
    return this.journal.step(cs, { status: 'approved', approval }, who.actor, 'approved', { ...approval });
  }

  async reject(id: string, who: Actor, reason: string): Promise<ChangeSet> {
    const cs = await this.get(id);
    await this.journal.refusing(cs, who, 'reject', () => checkRejection(cs, who));
    return this.journal.step(
      cs,
      { status: 'rejected', rejection: { by: who.actor, at: this.journal.now(), reason } },
      who.actor,
      'rejected',
      {
        reason,
      },
    );
  }

  async apply(id: string, who: Actor): Promise<ChangeSet> {
    const cs = await this.get(id);
    if (cs.document === ACTION_DOCUMENT) return applyActionChange(this.journal, this.deps.actions, cs, who);
    return applyDocumentChange(this.journal, this.document(cs.document), cs, who);
  }

  async rollback(id: string, who: Actor, reason: string, automatic = false): Promise<ChangeSet> {
    const cs = await this.get(id);
    if (cs.document === ACTION_DOCUMENT)
      return undoActionChange(this.journal, this.deps.actions, cs, who, reason, automatic);
    return rollbackDocumentChange(this.journal, this.document(cs.document), cs, who, reason, automatic);
  }

  /** Measures the change against its baseline once its window has passed (or now, `force`, for a partial look). */
  async verify(id: string, who: Actor = { actor: COPILOT_ACTOR, roles: [] }): Promise<ChangeSet> {
    const cs = await this.get(id);
    return verifyChange(this.journal, this.deps, cs, who, (target, actor, reason, automatic) =>
      this.rollback(target, actor, reason, automatic),
    );
  }

  /**
   * What the copilot does on its own, every few seconds: rolls back an applied change whose guard SLOs burn,
   * verifies those whose window has passed, and checks realised savings once the billing data is in.
   */
  tick(): Promise<{ verified: string[]; rolledBack: string[]; billed: string[] }> {
    return tickChanges(this.journal, this.deps, (id) => this.verify(id));
  }

  get(id: string): Promise<ChangeSet> {
    return this.journal.get(id);
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

  private document(name: string): ManagedDocument {
    const doc = this.documents.get(name);
    if (!doc)
      throw new ChangeSetError(
        'unknown_document',
        `no document "${name}"; known: ${[...this.documents.keys()].join(', ')}`,
      );
    return doc;
  }
}
