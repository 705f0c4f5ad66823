import type { z } from 'zod';

/**
 * What the chat needs from the copilot's tools (DESIGN §3): every tool returns a structured result and never
 * throws, so a model can correct itself; `query` carries the exact query and time range it ran. `evidence`
 * lists the observations in `data` that a claim may cite (the same shape as a diagnosis' evidence).
 */
type ToolStatus = 'success' | 'error' | 'no_data' | 'approval_required';

export type EvidenceKind = 'log' | 'trace' | 'metric' | 'change' | 'finding';

export interface Evidence {
  kind: EvidenceKind;
  /** Enough to fetch the observation again: a log event `{logGroup, eventId, timestamp}`, a trace `{traceId}`, ... */
  ref: Record<string, unknown>;
  excerpt?: string;
}

export interface ToolResult<T = unknown> {
  status: ToolStatus;
  data?: T;
  error?: { code: string; message: string };
  query: { tool: string; params: Record<string, unknown>; text?: string; from?: string; to?: string };
  evidence?: Evidence[];
}

export interface CopilotTool<P = Record<string, unknown>> {
  /** snake_case, unique: the name the model calls. */
  name: string;
  /** For the model: what the tool answers and when to use it. */
  description: string;
  params: z.ZodType<P>;
  run(params: P): Promise<ToolResult>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds tools of every parameter type
export type AnyCopilotTool = CopilotTool<any>;
