import type { CostRow } from '../sources/cost.ts';
import type { CostSection } from './types.ts';
import { DAY_MS } from '@boundless/common/time';

/** A day is an anomaly when it sits this many robust deviations (MAD × 1.4826) above the service's median. */
const ANOMALY_Z = 3.5;

const median = (xs: number[]) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * Cost per service over the `windowDays` ending on `day`: the day's cost, the window's, the trend (last 7 days
 * against the 7 before, in percent) and whether the day is an anomaly against the service's own days.
 */
export function costSummary(
  rows: readonly CostRow[],
  day: string,
  windowDays: number,
  source: string,
): CostSection {
  const end = Date.parse(`${day}T00:00:00Z`) + DAY_MS;
  const dates = Array.from({ length: windowDays }, (_, i) =>
    new Date(end - (windowDays - i) * DAY_MS).toISOString().slice(0, 10),
  );
  const index = new Map(dates.map((d, i) => [d, i]));
  const byService = new Map<string, number[]>();
  const daily = new Array<number>(windowDays).fill(0);
  let currency = 'USD';
  for (const row of rows) {
    const i = index.get(row.periodStart.slice(0, 10));
    if (i === undefined) continue;
    currency = row.currency || currency;
    const series = byService.get(row.service) ?? new Array<number>(windowDays).fill(0);
    byService.set(row.service, series);
    series[i] = (series[i] as number) + row.amount;
    daily[i] = (daily[i] as number) + row.amount;
  }
  const services = [...byService].map(([service, s]) => {
    const last7 = s.slice(-7).reduce((a, b) => a + b, 0);
    const prior7 = s.slice(-14, -7).reduce((a, b) => a + b, 0);
    const history = s.slice(0, -1);
    const m = median(history);
    const mad = median(history.map((x) => Math.abs(x - m))) * 1.4826;
    const today = s.at(-1) ?? 0;
    return {
      service,
      day: today,
      window: s.reduce((a, b) => a + b, 0),
      trendPct: prior7 > 0 ? Math.round(((last7 - prior7) / prior7) * 1000) / 10 : null,
      anomaly: history.length >= 7 && mad > 0 ? (today - m) / mad > ANOMALY_Z : false,
    };
  });
  services.sort((a, b) => b.window - a.window);
  return {
    source,
    currency,
    services,
    daily: dates.map((date, i) => ({ date, amount: daily[i] as number })),
    windowDays,
  };
}
