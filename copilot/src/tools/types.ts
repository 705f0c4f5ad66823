import type { z } from 'zod';
import type { Finding } from '../findings.ts';
import type { SloReport } from '../slo/report.ts';
import type { CostSource } from '../sources/cost.ts';
import type { StoredMitigation } from '../state/copilot-store.ts';
import type { ChangeHistorySource } from './change-history.ts';
import type { RunbookIndex } from './runbook-index.ts';
import type { TelemetryPort } from './telemetry-port.ts';

/**
 * The copilot's tools: read-only questions an on-call engineer (or the chat's model) asks of the estate. Every
 * tool returns a ToolResult and never throws, so a caller (or a model) can read an error and correct itself;
 * the result always carries the exact query and time range it answered, so every answer can be re-run.
 */
export type ToolStatus = 'success' | 'error' | 'no_data' | 'approval_required';

export interface ToolQuery {
  tool: string;
  /** The validated input, defaults applied. */
  params: Record<string, unknown>;
  /** The query text as run (a Logs Insights query, an X-Ray filter expression), when there is one. */
  text?: string;
  /** ISO-8601 range the answer covers, when the tool reads a range. */
  from?: string;
  to?: string;
}

export interface ToolError {
  /** Stable: `invalid_input`, `unsupported_query`, `source_failed`, `not_configured`, `internal`. */
  code: string;
  message: string;
}

export interface ToolResult<T = unknown> {
  status: ToolStatus;
  data?: T;
  error?: ToolError;
  query: ToolQuery;
  /** What the answer could not see or left out: skipped lines, truncated rows, missing sources. */
  notes?: string[];
}

/** Findings and mitigations as the store keeps them (the copilot store, or anything shaped like it). */
export interface FindingsReader {
  listFindings(limit?: number, sinceIso?: string): Promise<Finding[]>;
  listMitigations(status?: StoredMitigation['status']): Promise<StoredMitigation[]>;
}

/** SLO budgets and burn rates as of now: the live engine's report in the service, one computed from logs offline. */
export interface SloStatusSource {
  report(): Promise<Pick<SloReport, 'asOf' | 'slos'>>;
}

export interface ToolContext {
  /** Logs, metrics (EMF) and traces: the telemetry directory locally, CloudWatch Logs and X-Ray in AWS. */
  telemetry?: TelemetryPort;
  findings?: FindingsReader;
  changes?: ChangeHistorySource;
  costs?: CostSource;
  slo?: SloStatusSource;
  runbooks?: RunbookIndex;
  /** Event-time "now" for relative ranges (`last: "30m"`); the wall clock in the live service. */
  now(): number;
}

export interface CopilotTool<I extends z.ZodType = z.ZodType, O = unknown> {
  /** snake_case, stable: the chat's model calls tools by this name. */
  readonly name: string;
  /** What the tool answers and when to use it, written for a model and a person alike. */
  readonly description: string;
  readonly input: I;
  /** Runs with validated input; `runTool` wraps it so nothing escapes as an exception. */
  run(input: z.output<I>, ctx: ToolContext): Promise<ToolResult<O>>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds tools of every input type.
export type AnyCopilotTool = CopilotTool<z.ZodType, any>;
