import { z } from 'zod';
import { answer } from './results.ts';
import { failure, notConfigured } from './run-tool.ts';
import type { CopilotTool } from './types.ts';
import { entryOf } from '../telemetry/collections.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

const input = z.strictObject({
  from: z
    .string()
    .regex(DAY, 'a day: YYYY-MM-DD')
    .optional()
    .describe('first day (default: 7 days before `to`)'),
  to: z
    .string()
    .regex(DAY, 'a day: YYYY-MM-DD')
    .optional()
    .describe('day after the last one (default: today)'),
});

const dayMs = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Cost per service and day (Cost Explorer in AWS, the local cost model or a FOCUS export otherwise), with
 * each service's total, its last day against its average of the days before, and the biggest movers.
 */
export const costBreakdownTool: CopilotTool<typeof input> = {
  name: 'cost_breakdown',
  description:
    'Cost per service and day for a range of days, each service with its total, its last day and how that compares with its earlier days (spikes such as egress show here).',
  input,
  async run(params, ctx) {
    if (!ctx.costs) return notConfigured(this.name, params, 'a cost source');
    const to = params.to ?? dayOf(ctx.now() + dayMs);
    const from = params.from ?? dayOf(Date.parse(`${to}T00:00:00Z`) - 7 * dayMs);
    if (from >= to) return failure(this.name, params, 'invalid_input', '`from` must be before `to`');
    const query = { tool: this.name, params, from, to };
    const rows = await ctx.costs.costs(from, to);
    const byService = new Map<string, Map<string, number>>();
    let currency = 'USD';
    for (const row of rows) {
      currency = row.currency;
      const days = entryOf(byService, row.service, () => new Map());
      days.set(row.periodStart, (days.get(row.periodStart) ?? 0) + row.amount);
    }
    const round = (n: number) => Math.round(n * 1e4) / 1e4;
    const services = [...byService].map(([service, days]) => {
      const ordered = [...days].sort(([a], [b]) => (a < b ? -1 : 1));
      const total = ordered.reduce((a, [, v]) => a + v, 0);
      const [lastDay, last] = ordered.at(-1) ?? ['', 0];
      const earlier = ordered.slice(0, -1).map(([, v]) => v);
      const average = earlier.length ? earlier.reduce((a, b) => a + b, 0) / earlier.length : undefined;
      return {
        service,
        total: round(total),
        days: Object.fromEntries(ordered.map(([d, v]) => [d, round(v)])),
        lastDay,
        last: round(last),
        ...(average !== undefined
          ? { earlierDailyAverage: round(average), lastVsAverage: average > 0 ? round(last / average) : null }
          : {}),
      };
    });
    services.sort((a, b) => b.total - a.total);
    const total = round(services.reduce((a, s) => a + s.total, 0));
    return answer(query, { currency, total, services }, rows.length === 0);
  },
};
