import { z } from 'zod';
import { answer } from './results.ts';
import { failure, notConfigured } from './run-tool.ts';
import type { CopilotTool } from './types.ts';

const searchInput = z.strictObject({
  query: z.string().min(2).max(500).describe('symptoms, fault kind or component, in plain words'),
  fault: z
    .string()
    .optional()
    .describe('a fault kind from a diagnosis (e.g. throttling): its runbooks come first'),
  limit: z.number().int().min(1).max(20).default(5),
});

export const searchRunbooksTool: CopilotTool<typeof searchInput> = {
  name: 'search_runbooks',
  description:
    'Search the runbooks (Goal / Workflow / Findings / Remediation) and return the best sections, each cited as runbook, section, file and line.',
  input: searchInput,
  async run(params, ctx) {
    if (!ctx.runbooks) return notConfigured(this.name, params, 'the runbook index');
    const query = { tool: this.name, params, text: params.query };
    const hits = ctx.runbooks.search(`${params.query} ${params.fault ?? ''}`, params.limit * 3);
    const preferred = new Set(params.fault ? ctx.runbooks.forFault(params.fault).map((r) => r.id) : []);
    hits.sort(
      (a, b) => Number(preferred.has(b.runbook)) - Number(preferred.has(a.runbook)) || b.score - a.score,
    );
    const shown = hits.slice(0, params.limit);
    return answer(query, { hits: shown }, shown.length === 0);
  },
};

const readInput = z.strictObject({
  runbook: z.string().regex(/^[a-z0-9-]+$/),
  section: z.string().default('Remediation').describe('Goal, Workflow, Findings or Remediation'),
});

export const readRunbookTool: CopilotTool<typeof readInput> = {
  name: 'read_runbook',
  description: 'One section of a runbook, in full, with the file and line to cite.',
  input: readInput,
  async run(params, ctx) {
    if (!ctx.runbooks) return notConfigured(this.name, params, 'the runbook index');
    const query = { tool: this.name, params };
    const section = ctx.runbooks.section(params.runbook, params.section);
    if (!section)
      return failure(
        this.name,
        params,
        'not_found',
        `no section "${params.section}" in runbook ${params.runbook}`,
      );
    return answer(query, section, false);
  },
};
