import { z } from 'zod';
import { diagnoseSnapshot, formatWindow } from '../diagnose/diagnose.ts';
import type { Diagnosis } from '../diagnose/types.ts';
import { answer, rangedQuery, skipNotes } from './results.ts';
import { failure, notConfigured } from './run-tool.ts';
import type { RunbookHit } from './runbook-index.ts';
import { parseDurationMs } from './time-range.ts';
import type { CopilotTool } from './types.ts';

const input = z.strictObject({
  at: z.string().optional().describe('ISO-8601 time of the alert or question (default: now)'),
  window: z
    .string()
    .regex(/^\d+(m|h)$/)
    .default('30m')
    .describe('how far back to look: "30m", "2h"'),
  question: z.string().max(1000).optional().describe('what was asked or alerted on'),
});

export type DiagnosisWithRunbooks = Diagnosis & {
  /** For each hypothesis (by rank), the runbook sections that fit its fault kind and component. */
  runbooks: Record<number, RunbookHit[]>;
};

/**
 * The offline diagnostician as a tool: ranked hypotheses for a time, each citing the log events, traces and
 * metric points it rests on, the gaps, and for each hypothesis the runbook sections that apply.
 */
export const diagnoseTool: CopilotTool<typeof input, DiagnosisWithRunbooks> = {
  name: 'diagnose',
  description:
    'Diagnose what is wrong at a time (default now) from logs, traces and metrics of the window before it: ranked hypotheses (component + fault kind) with their evidence (log event ids, trace ids, metric points), the gaps (what could not be checked), and matching runbook sections. Deterministic; no model involved.',
  input,
  async run(params, ctx) {
    if (!ctx.telemetry) return notConfigured(this.name, params, 'telemetry');
    const atMs = params.at === undefined ? ctx.now() : Date.parse(params.at);
    if (!Number.isFinite(atMs))
      return failure(this.name, params, 'invalid_input', `at "${params.at}" is not an ISO-8601 time`);
    const windowMs = parseDurationMs(params.window)!;
    const range = { startMs: atMs - windowMs, endMs: atMs };
    const query = rangedQuery(this.name, params, range, params.question);
    let snapshot: Awaited<ReturnType<NonNullable<typeof ctx.telemetry>['snapshot']>>;
    try {
      snapshot = await ctx.telemetry.snapshot(range.startMs, range.endMs);
    } catch (error) {
      return failure(
        this.name,
        params,
        'source_failed',
        error instanceof Error ? error.message : String(error),
        query,
      );
    }
    const changes = ctx.changes
      ? await ctx.changes.changes(range.startMs - 30 * 60_000, range.endMs)
      : undefined;
    const findings = ctx.findings
      ? (await ctx.findings.listFindings(500, new Date(range.startMs).toISOString())).filter(
          (f) => Date.parse(f.detectedAt) <= range.endMs,
        )
      : undefined;
    const diagnosis = diagnoseSnapshot(
      { snapshot, ...(changes ? { changes } : {}), ...(findings ? { findings } : {}) },
      { atMs, windowMs, ...(params.question ? { question: params.question } : {}) },
    );
    const runbooks: Record<number, RunbookHit[]> = {};
    if (ctx.runbooks)
      for (const h of diagnosis.hypotheses) {
        const preferred = new Set(ctx.runbooks.forFault(h.fault).map((r) => r.id));
        runbooks[h.rank] = ctx.runbooks
          .search(`${h.fault.replaceAll('_', ' ')} ${h.component} ${h.summary}`, 10)
          .filter((hit) => preferred.size === 0 || preferred.has(hit.runbook))
          .slice(0, 3);
      }
    return answer(
      { ...query, params: { ...params, window: formatWindow(windowMs) } },
      { ...diagnosis, runbooks },
      false,
      skipNotes(snapshot.skips),
    );
  },
};
