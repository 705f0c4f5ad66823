import type { Citation } from './evidence.ts';

/** One tool call of an answer, as the operator sees it in the answer's steps. */
export interface ToolStep {
  tool: string;
  /** The arguments as run (unmasked: operators see real values). */
  params: Record<string, unknown>;
  outcome:
    | 'success'
    | 'error'
    | 'no_data'
    | 'approval_required'
    | 'refused'
    | 'invalid_arguments'
    | 'unknown_tool';
  cached: boolean;
  /** Why the call was refused or failed. */
  detail?: string;
  citations: string[];
  /** Strings withheld from the model because they read like instructions. */
  withheld?: number;
}

const MAX_EVIDENCE_LINES = 12;

/**
 * The answer when a bound ends the investigation (tool calls, model calls, repeats, budget) or the model fails:
 * what was asked, what came back and the evidence gathered, so the operator still gets a useful summary.
 */
export function investigationSummary(input: {
  headline: string;
  steps: readonly ToolStep[];
  evidence: readonly Citation[];
  partialAnswer?: string;
}): string {
  const lines = [input.headline];
  if (input.partialAnswer?.trim())
    lines.push('', 'The model had written so far:', input.partialAnswer.trim());
  if (input.steps.length) {
    lines.push('', 'What the tools returned:');
    for (const step of input.steps) {
      const cites = step.citations.length ? ` [${step.citations.join(', ')}]` : '';
      const detail = step.detail ? ` (${step.detail})` : '';
      lines.push(`- ${step.tool}: ${step.outcome}${step.cached ? ', cached' : ''}${detail}${cites}`);
    }
  }
  const shown = input.evidence.filter((c) => !c.withheld).slice(0, MAX_EVIDENCE_LINES);
  if (shown.length) {
    lines.push('', 'Evidence gathered:');
    for (const c of shown)
      lines.push(`- [${c.id}] ${c.kind}${c.excerpt ? `: ${c.excerpt.slice(0, 200)}` : ''}`);
  }
  if (!input.steps.length && !shown.length) lines.push('', 'No evidence was gathered before it stopped.');
  return lines.join('\n');
}
