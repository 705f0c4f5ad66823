import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { ChangeSetError } from './errors.ts';
import type { ChangePlan, PlanDiff } from './types.ts';

const { applyPatch, compare, validate } = fastJsonPatch;

export type { Operation as PatchOperation } from 'fast-json-patch';

/** sha256 of the canonical JSON (RFC 8785) of a value: the same data hashes the same whatever its key order. */
export function hashOf(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new ChangeSetError('invalid_document', 'cannot hash an undefined value');
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** Only what a reviewer can read as a change of values: no `move`/`copy`, and `test` only as a guard. */
const ALLOWED_OPS = new Set(['add', 'remove', 'replace', 'test']);

/**
 * The document after `patch` (RFC 6902), without touching `document`. A patch that names a path the document does
 * not have, fails a `test`, or uses an operation a reviewer cannot read as a change of values is refused.
 */
export function applyDocumentPatch<T>(document: T, patch: readonly Operation[]): T {
  const bad = patch.find((op) => !ALLOWED_OPS.has(op.op));
  if (bad)
    throw new ChangeSetError(
      'invalid_patch',
      `operation "${bad.op}" is not allowed (add, remove, replace, test)`,
    );
  const copy = structuredClone(document);
  const problem = validate([...patch], copy);
  if (problem)
    throw new ChangeSetError('invalid_patch', `the patch does not apply: ${problem.message}`, {
      index: problem.index,
      operation: problem.operation,
    });
  try {
    return applyPatch(copy, structuredClone([...patch]), false, true).newDocument;
  } catch (cause) {
    throw new ChangeSetError(
      'invalid_patch',
      `the patch does not apply: ${(cause as Error).message}`,
      undefined,
      {
        cause,
      },
    );
  }
}

/** The patch that turns `after` back into `before`: what a rollback applies. */
function inversePatch(before: unknown, after: unknown): Operation[] {
  return compare(after as object, before as object);
}

/** The patch from one document to another (a proposal may send the whole new document). */
export function patchBetween(before: unknown, after: unknown): Operation[] {
  return compare(before as object, after as object);
}

/** Binds the patch and the diff to the base they were computed on: what an approval signs. */
export function buildPlan(input: {
  before: unknown;
  after: unknown;
  baseVersion: string;
  patch: Operation[];
  diff: PlanDiff;
}): ChangePlan {
  const patchHash = hashOf(input.patch);
  const diffHash = hashOf(input.diff);
  const afterVersion = hashOf(input.after);
  return {
    baseVersion: input.baseVersion,
    afterVersion,
    patch: input.patch,
    inversePatch: inversePatch(input.before, input.after),
    diff: input.diff,
    patchHash,
    diffHash,
    planHash: hashOf({ baseVersion: input.baseVersion, patchHash, diffHash }),
  };
}

/** Recomputes the plan hash from the stored parts: a stored plan edited after approval no longer matches. */
export function planHashOf(plan: Pick<ChangePlan, 'baseVersion' | 'patch' | 'diff'>): string {
  return hashOf({
    baseVersion: plan.baseVersion,
    patchHash: hashOf(plan.patch),
    diffHash: hashOf(plan.diff),
  });
}
