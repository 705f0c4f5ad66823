import { ChangeSetError } from './errors.ts';
import type { ChangeSetJournal } from './journal.ts';
import { type Actor, checkApply, checkRollback } from './lifecycle.ts';
import { applyDocumentPatch, hashOf } from './plan.ts';
import type { ActionExecutor, ManagedDocument } from './ports.ts';
import type { ChangeAction, ChangeSet } from './types.ts';

/**
 * Apply and roll back, for a document's patch and for a concrete action. The checks run before anything is
 * written; a failed apply restores the document and the running system, and both failures are recorded.
 */
export async function applyDocumentChange(
  journal: ChangeSetJournal,
  doc: ManagedDocument,
  cs: ChangeSet,
  who: Actor,
): Promise<ChangeSet> {
  const current = await doc.repository.read();
  await journal.refusing(cs, who, 'apply', () => checkApply(cs, who, current.version, journal.clock()));
  const after = applyDocumentPatch(current.content, cs.plan.patch);
  await doc.planner.validate(after);
  const replanned = hashOf(await doc.planner.diff(current.content, after));
  await journal.refusing(cs, who, 'apply', () => {
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
    await journal.refusal(
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
    return journal.step(
      cs,
      { status: 'applied', application: { by: who.actor, at: journal.now(), result } },
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
    await journal.step(
      cs,
      { status: 'failed', failure: { by: who.actor, at: journal.now(), reason } },
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

export async function rollbackDocumentChange(
  journal: ChangeSetJournal,
  doc: ManagedDocument,
  cs: ChangeSet,
  who: Actor,
  reason: string,
  automatic: boolean,
): Promise<ChangeSet> {
  const current = await doc.repository.read();
  await journal.refusing(cs, who, 'rollback', () => checkRollback(cs, who, current.version));
  const before = applyDocumentPatch(current.content, cs.plan.inversePatch);
  await doc.planner.validate(before);
  const written = await doc.repository.write(before, current.version);
  try {
    const result = await doc.applier.apply(before, cs, 'rollback');
    const rollback = { by: who.actor, at: journal.now(), reason, automatic, result };
    return journal.step(cs, { status: 'rolled_back', rollback }, who.actor, 'rolled_back', {
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

export async function applyActionChange(
  journal: ChangeSetJournal,
  actions: readonly ActionExecutor[] | undefined,
  cs: ChangeSet,
  who: Actor,
): Promise<ChangeSet> {
  await journal.refusing(cs, who, 'apply', () => checkApply(cs, who, cs.plan.baseVersion, journal.clock()));
  const action = cs.action as ChangeAction;
  const executor = actions?.find((e) => e.supports(action.action));
  if (!executor) {
    const error = new ChangeSetError(
      'unsupported_action',
      `no executor carries out ${action.action}; do it by hand`,
    );
    await journal.refusal(cs, who, 'apply', error);
    throw error;
  }
  const result = await executor.apply(action, cs);
  return journal.step(
    cs,
    { status: 'applied', application: { by: who.actor, at: journal.now(), result } },
    who.actor,
    'applied',
    { result },
  );
}

export async function undoActionChange(
  journal: ChangeSetJournal,
  actions: readonly ActionExecutor[] | undefined,
  cs: ChangeSet,
  who: Actor,
  reason: string,
  automatic: boolean,
): Promise<ChangeSet> {
  const action = cs.action as ChangeAction;
  const executor = actions?.find((e) => e.supports(action.action));
  await journal.refusing(cs, who, 'rollback', () => {
    checkRollback(cs, who, cs.plan.afterVersion);
    if (!executor?.undo)
      throw new ChangeSetError('unsupported_action', `${action.action} cannot be undone by the copilot`);
  });
  const result = await executor!.undo!(action, cs);
  const rollback = { by: who.actor, at: journal.now(), reason, automatic, result };
  return journal.step(cs, { status: 'rolled_back', rollback }, who.actor, 'rolled_back', {
    reason,
    automatic,
    result,
  });
}
