// The copilot's read-only tools: each returns {status, data|error, query} and never throws. Call them through
// runTool; the chat's agent and the API take them from COPILOT_TOOLS.
export {
  type ChangeEvent,
  type ChangeHistorySource,
  type ChangeKind,
  CompositeChangeHistory,
} from './change-history.ts';
export { TelemetryChangeHistory } from './changes.ts';
export { COPILOT_TOOLS, toolByName } from './registry.ts';
export {
  DEFAULT_RUNBOOKS_DIR,
  RunbookError,
  type RunbookHit,
  RunbookIndex,
  type RunbookSection,
} from './runbook-index.ts';
export { failure, runTool } from './run-tool.ts';
export {
  AwsTelemetry,
  type AwsTelemetryOptions,
  LocalTelemetry,
  type TelemetryPort,
} from './telemetry-port.ts';
export type {
  AnyCopilotTool,
  CopilotTool,
  FindingsReader,
  SloStatusSource,
  ToolContext,
  ToolError,
  ToolQuery,
  ToolResult,
  ToolStatus,
} from './types.ts';
