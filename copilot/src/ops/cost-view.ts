import { linearRegression } from 'simple-statistics';
import type { CostRow, CostSource } from '../sources/cost.ts';
import { DAY_MS } from '@boundless/common/time';

export interface CostView {
  source: CostSource['kind'];
  from: string;
  to: string;
  currency: string;
  services: string[];
  /** One entry per day of the range, oldest first, with each service's amount (0 when none). */
  days: { date: string; total: number; byService: Record<string, number> }[];
  /** Least-squares slope of the daily totals (currency per day) and the fitted line; null below two days. */
  trend: { perDay: number; fitted: number[] } | null;
  totalsByService: { service: string; amount: number }[];
  total: number;
}

const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Days in [from, to), as `YYYY-MM-DD`. */
function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(`${to}T00:00:00Z`); t += DAY_MS)
    out.push(dateOf(t));
  return out;
}

/** Cost by service and day, with the trend of the daily total, from any cost source's rows. */
export function costView(
  kind: CostSource['kind'],
  rows: readonly CostRow[],
  from: string,
  to: string,
): CostView {
  const days = daysBetween(from, to).map((date) => ({
    date,
    total: 0,
    byService: {} as Record<string, number>,
  }));
  const index = new Map(days.map((day, i) => [day.date, i]));
  const byService = new Map<string, number>();
  for (const row of rows) {
    const day = days[index.get(row.periodStart.slice(0, 10)) ?? -1];
    if (!day) continue;
    day.byService[row.service] = (day.byService[row.service] ?? 0) + row.amount;
    day.total += row.amount;
    byService.set(row.service, (byService.get(row.service) ?? 0) + row.amount);
  }
  const services = [...byService.keys()].sort((a, b) => (byService.get(b) ?? 0) - (byService.get(a) ?? 0));
  for (const day of days) for (const service of services) day.byService[service] ??= 0;
  let trend: CostView['trend'] = null;
  if (days.length >= 2) {
    const { m, b } = linearRegression(days.map((day, i) => [i, day.total]));
    trend = { perDay: m, fitted: days.map((_, i) => b + m * i) };
  }
  return {
    source: kind,
    from,
    to,
    currency: rows[0]?.currency ?? 'USD',
    services,
    days,
    trend,
    totalsByService: services.map((service) => ({ service, amount: byService.get(service) ?? 0 })),
    total: days.reduce((sum, day) => sum + day.total, 0),
  };
}

export function dayRange(days: number, nowMs: number): { from: string; to: string } {
  const to = dateOf(nowMs + DAY_MS);
  return { from: dateOf(nowMs - (days - 1) * DAY_MS), to };
}
