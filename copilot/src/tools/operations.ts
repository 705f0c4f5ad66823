import { z } from 'zod';
import { FINDING_KINDS } from '../findings.ts';
import { answer, capped } from './results.ts';
import { failure, notConfigured } from './run-tool.ts';
import { iso, resolveTimeRange, timeRangeInput } from './time-range.ts';
import type { CopilotTool } from './types.ts';

/** What the copilot itself noticed and did: findings, mitigations, SLO budgets and burn rates. */
const findingsInput = z.strictObject({
  kind: z.enum(FINDING_KINDS).optional(),
  limit: z.number().int().min(1).max(200).default(50),
  ...timeRangeInput,
});

export const listFindingsTool: CopilotTool<typeof findingsInput> = {
  name: 'list_findings',
  description:
    'Recent findings of the copilot (abuse detections, SLO burn alerts, metric anomalies, deploys the guard rolled back), newest first, each with its evidence and suggested mitigation.',
  input: findingsInput,
  async run(params, ctx) {
    if (!ctx.findings) return notConfigured(this.name, params, 'the findings store');
    const range = resolveTimeRange(params, ctx.now(), 24 * 3_600_000);
    if ('invalid' in range) return failure(this.name, params, 'invalid_input', range.invalid);
    const query = { tool: this.name, params, from: iso(range.startMs), to: iso(range.endMs) };
    const all = await ctx.findings.listFindings(1000, iso(range.startMs));
    const findings = all.filter(
      (f) => (!params.kind || f.kind === params.kind) && Date.parse(f.detectedAt) <= range.endMs,
    );
    const notes: string[] = [];
    return answer(
      query,
      { findings: capped(findings, params.limit, notes, 'findings') },
      findings.length === 0,
      notes,
    );
  },
};

const mitigationsInput = z.strictObject({
  status: z.enum(['active', 'dry_run', 'failed', 'expired', 'rolled_back']).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const listMitigationsTool: CopilotTool<typeof mitigationsInput> = {
  name: 'list_mitigations',
  description:
    'Mitigations the copilot applied (revoked tokens, forced re-authentication, rate limits, blocks) with their status, reason and expiry. Read-only: rolling one back is an operator action.',
  input: mitigationsInput,
  async run(params, ctx) {
    if (!ctx.findings) return notConfigured(this.name, params, 'the mitigation store');
    const query = { tool: this.name, params };
    const mitigations = await ctx.findings.listMitigations(params.status);
    const notes: string[] = [];
    return answer(
      query,
      { mitigations: capped(mitigations, params.limit, notes, 'mitigations') },
      mitigations.length === 0,
      notes,
    );
  },
};

const sloInput = z.strictObject({
  slo: z.string().optional().describe('only this SLO id'),
  firingOnly: z.boolean().default(false),
});

export const sloStatusTool: CopilotTool<typeof sloInput> = {
  name: 'slo_status',
  description:
    'SLO status: objective, error budget left, burn rates over each alert window and which burn-rate alerts are firing since when.',
  input: sloInput,
  async run(params, ctx) {
    if (!ctx.slo) return notConfigured(this.name, params, 'the SLO engine');
    const report = await ctx.slo.report();
    const query = { tool: this.name, params, ...(report.asOf ? { to: report.asOf } : {}) };
    const slos = report.slos
      .filter((s) => !params.slo || s.id === params.slo)
      .filter((s) => !params.firingOnly || s.alerts.some((a) => a.firing));
    return answer(query, { asOf: report.asOf, slos }, slos.length === 0);
  },
};
