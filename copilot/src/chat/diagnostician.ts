import { z } from 'zod';
import type { CopilotTool, Evidence, EvidenceKind } from './tools.ts';

/**
 * The offline diagnostician as the chat uses it: from a time and a window it ranks hypotheses (a component and
 * a fault kind), each citing its evidence, and lists the gaps. The shape is `boundless diagnose`'s output
 * (DESIGN §4.2).
 */
export interface Hypothesis {
  rank: number;
  component: string;
  fault: string;
  confidence: number;
  summary: string;
  evidence: { kind: EvidenceKind; ref: Record<string, unknown>; excerpt?: string }[];
}

export interface Diagnosis {
  at: string;
  window: string;
  mode: 'offline' | 'llm';
  hypotheses: Hypothesis[];
  gaps: unknown[];
}

export interface Diagnostician {
  diagnose(input: { at: string; windowMs: number; question?: string }): Promise<Diagnosis>;
}

/**
 * The diagnostician as a tool, so a diagnosis is cached per incident, its evidence numbered like any other
 * tool's, and a model (when there is one) can ask for it too.
 */
export function diagnoseTool(
  diagnostician: Diagnostician,
): CopilotTool<{ at: string; windowMinutes: number }> {
  return {
    name: 'diagnose',
    description:
      "Runs the copilot's offline diagnostician over a window ending at `at`: ranked hypotheses (component and " +
      'fault kind) with their evidence, and the gaps it could not check. A good first step.',
    params: z.object({
      at: z.iso.datetime({ offset: true }).describe('end of the window (ISO-8601)'),
      windowMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(30),
    }),
    async run(params) {
      const windowMs = params.windowMinutes * 60_000;
      const query = {
        tool: 'diagnose',
        params,
        from: new Date(Date.parse(params.at) - windowMs).toISOString(),
        to: params.at,
      };
      try {
        const diagnosis = await diagnostician.diagnose({ at: params.at, windowMs });
        const evidence: Evidence[] = diagnosis.hypotheses.flatMap((h) => h.evidence);
        return {
          status: diagnosis.hypotheses.length ? 'success' : 'no_data',
          data: diagnosis,
          query,
          evidence,
        };
      } catch (error) {
        return {
          status: 'error',
          error: { code: 'diagnosis_failed', message: (error as Error)?.message ?? String(error) },
          query,
        };
      }
    },
  };
}
