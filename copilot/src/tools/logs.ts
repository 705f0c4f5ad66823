import { z } from 'zod';
import { UnsupportedQueryError } from '../sources/insights-query.ts';
import { answer, capped, rangedQuery } from './results.ts';
import { failure, notConfigured } from './run-tool.ts';
import { resolveTimeRange, timeRangeInput } from './time-range.ts';
import type { CopilotTool } from './types.ts';

const input = z.strictObject({
  query: z
    .string()
    .min(1)
    .max(2000)
    .describe(
      'Logs Insights query, e.g. `filter level = "ERROR" | stats count(*) as errors by bin(1m)`; supported: fields, filter, parse, stats (count, count_distinct, avg, sum, min, max, pct, earliest, latest) by fields and bin(), sort, limit, dedup',
    ),
  groups: z
    .array(z.string().min(1))
    .max(50)
    .optional()
    .describe('log group names to query (default: every group, see describe_telemetry)'),
  limit: z.number().int().min(1).max(1000).default(100).describe('rows returned at most'),
  ...timeRangeInput,
});

export const queryLogsTool: CopilotTool<typeof input, { rows: Record<string, string>[]; groups: string[] }> =
  {
    name: 'query_logs',
    description:
      'Run a CloudWatch Logs Insights query over log groups for a time range (locally over the telemetry directory, in AWS through Logs Insights). Rows carry @timestamp, @message, @log, @logStream and @ptr (the event reference to cite).',
    input,
    async run(params, ctx) {
      if (!ctx.telemetry) return notConfigured(this.name, params, 'telemetry');
      const range = resolveTimeRange(params, ctx.now());
      if ('invalid' in range) return failure(this.name, params, 'invalid_input', range.invalid);
      const query = rangedQuery(this.name, params, range, params.query);
      const groups = params.groups ?? (await ctx.telemetry.logGroups());
      if (groups.length === 0) return answer(query, { rows: [], groups }, true, ['no log groups exist']);
      try {
        const rows = await ctx.telemetry.insights(groups, params.query, range.startMs, range.endMs);
        const notes: string[] = [];
        return answer(
          query,
          { rows: capped(rows, params.limit, notes, 'rows'), groups },
          rows.length === 0,
          notes,
        );
      } catch (error) {
        if (error instanceof UnsupportedQueryError)
          return failure(this.name, params, 'unsupported_query', error.message, query);
        return failure(
          this.name,
          params,
          'source_failed',
          error instanceof Error ? error.message : String(error),
          query,
        );
      }
    },
  };
