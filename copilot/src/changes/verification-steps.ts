import { billingCheck } from './billing.ts';
import { ChangeSetError } from './errors.ts';
import type { ChangeSetJournal } from './journal.ts';
import { type Actor, COPILOT_ACTOR } from './lifecycle.ts';
import { type ChangeSetServiceDeps, type MetricMeasurement, measureWindows } from './ports.ts';
import type { ChangeSet } from './types.ts';
import { evaluateVerification } from './verify.ts';

type Rollback = (id: string, who: Actor, reason: string, automatic: boolean) => Promise<ChangeSet>;

/** Measures the change against its baseline once its window has passed; a burning guard SLO rolls it back. */
export async function verifyChange(
  journal: ChangeSetJournal,
  deps: ChangeSetServiceDeps,
  cs: ChangeSet,
  who: Actor,
  rollback: Rollback,
): Promise<ChangeSet> {
  if (cs.status !== 'applied')
    throw new ChangeSetError('wrong_status', `cannot verify ${cs.id}: it is ${cs.status}`, {
      status: cs.status,
    });
  const spec = cs.verification;
  const metrics = deps.metrics;
  if (!spec || !metrics)
    throw new ChangeSetError('not_configured', `${cs.id} has no verification or no metric reader`);
  const appliedMs = Date.parse(cs.application?.at ?? cs.updatedAt);
  const windowMs = spec.windowMinutes * 60_000;
  // A burning guard SLO ends the window early: the change is judged on what it did so far.
  const burning = (await deps.slo?.burning(spec.guardSlos, appliedMs)) ?? [];
  if (burning.length === 0 && journal.clock() < appliedMs + windowMs)
    throw new ChangeSetError(
      'window_open',
      `the verification window of ${cs.id} ends at ${new Date(appliedMs + windowMs).toISOString()}`,
    );
  const observedTo = Math.min(journal.clock(), appliedMs + windowMs);
  // Both windows in one read where the reader can (the edge's standard logs: each object fetched once).
  const [baseline, observed] = (await measureWindows(metrics, spec.metric, spec.scope, [
    [appliedMs - windowMs, appliedMs],
    [appliedMs, observedTo],
  ])) as [MetricMeasurement, MetricMeasurement];
  const result = evaluateVerification({
    spec,
    appliedMs,
    baseline,
    observed,
    burning,
    nowMs: journal.clock(),
  });
  if (result.outcome === 'slo_hurt') {
    const noted = await journal.step(cs, { verificationResult: result }, who.actor, 'verification', {
      ...result,
    });
    return rollback(
      noted.id,
      { actor: COPILOT_ACTOR, roles: [] },
      `SLO burning after apply: ${burning.join(', ')}`,
      true,
    );
  }
  return journal.step(cs, { status: 'verified', verificationResult: result }, who.actor, 'verified', {
    ...result,
  });
}

/**
 * One pass of what the copilot does on its own: rolls back an applied change whose guard SLOs burn, verifies
 * those whose window has passed, and checks realised savings once the billing data is in.
 */
export async function tickChanges(
  journal: ChangeSetJournal,
  deps: ChangeSetServiceDeps,
  verify: (id: string) => Promise<ChangeSet>,
): Promise<{ verified: string[]; rolledBack: string[]; billed: string[] }> {
  const done = { verified: [] as string[], rolledBack: [] as string[], billed: [] as string[] };
  for (const cs of await journal.store.list()) {
    // Without a metric reader an applied change waits for a person to verify or roll it back.
    if (cs.status === 'applied' && cs.verification && deps.metrics) {
      const appliedMs = Date.parse(cs.application?.at ?? cs.updatedAt);
      const burning = (await deps.slo?.burning(cs.verification.guardSlos, appliedMs)) ?? [];
      // A reader whose data arrives late (standard logs) asks to wait past the window before it is measured.
      const { metric, scope, windowMinutes } = cs.verification;
      const settleMs = deps.metrics.settleMs?.(metric, scope) ?? 0;
      const due = journal.clock() >= appliedMs + windowMinutes * 60_000 + settleMs;
      if (burning.length > 0 || due) {
        const after = await verify(cs.id);
        (after.status === 'rolled_back' ? done.rolledBack : done.verified).push(cs.id);
      }
    } else if (
      cs.status === 'verified' &&
      !cs.billing &&
      (cs.recommendation?.estimate.monthlySavingUsd ?? 0) > 0
    ) {
      const check = await billingCheck(cs, deps.costs, journal.clock(), deps.billingDays ?? 7);
      if (check) {
        await journal.step(cs, { billing: check }, COPILOT_ACTOR, 'billing_checked', { ...check });
        done.billed.push(cs.id);
      }
    }
  }
  return done;
}
