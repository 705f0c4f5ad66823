import type { CostSource } from '../sources/cost.ts';
import type { BillingCheck, ChangeSet } from './types.ts';
import { DAY_MS } from '@boundless/common/time';

const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * A cost recommendation's realised saving: the service's mean daily cost over `days` full days after the apply
 * day against the same number of days before it, once the bill has rows for the last of those days (billing
 * data arrives a day or two late). Undefined until then, or without a cost source or a service to look at.
 */
export async function billingCheck(
  cs: ChangeSet,
  costs: CostSource | undefined,
  nowMs: number,
  days: number,
): Promise<BillingCheck | undefined> {
  const service =
    cs.verification?.scope.service ?? cs.recommendation?.evidence.find((e) => e.ref?.service)?.ref?.service;
  const estimated = cs.recommendation?.estimate.monthlySavingUsd;
  if (!costs || typeof service !== 'string' || estimated === undefined || !cs.application) return undefined;
  const appliedDay = Date.parse(`${cs.application.at.slice(0, 10)}T00:00:00Z`);
  const afterFrom = appliedDay + DAY_MS;
  const afterTo = afterFrom + days * DAY_MS;
  if (nowMs < afterTo) return undefined;
  const beforeFrom = appliedDay - days * DAY_MS;
  const rows = (await costs.costs(dateOf(beforeFrom), dateOf(afterTo))).filter(
    (row) => row.service === service,
  );
  const lastDay = dateOf(afterTo - DAY_MS);
  if (!rows.some((row) => row.periodStart.slice(0, 10) === lastDay)) return undefined;
  const sum = (from: number, to: number) =>
    rows
      .filter(
        (row) => row.periodStart.slice(0, 10) >= dateOf(from) && row.periodStart.slice(0, 10) < dateOf(to),
      )
      .reduce((total, row) => total + row.amount, 0);
  const beforePerDay = sum(beforeFrom, appliedDay) / days;
  const afterPerDay = sum(afterFrom, afterTo) / days;
  return {
    at: new Date(nowMs).toISOString(),
    service,
    beforePerDay,
    afterPerDay,
    days,
    realisedMonthlySavingUsd: (beforePerDay - afterPerDay) * 30,
    estimatedMonthlySavingUsd: estimated,
  };
}
