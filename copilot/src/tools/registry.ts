import { changeHistoryTool } from './changes.ts';
import { costBreakdownTool } from './cost.ts';
import { diagnoseTool } from './diagnose.ts';
import { describeTelemetryTool } from './estate.ts';
import { queryLogsTool } from './logs.ts';
import { metricAnomaliesTool, queryMetricsTool } from './metrics.ts';
import { listFindingsTool, listMitigationsTool, sloStatusTool } from './operations.ts';
import { readRunbookTool, searchRunbooksTool } from './runbooks.ts';
import { getTraceTool, searchTracesTool, serviceMapTool } from './traces.ts';
import type { AnyCopilotTool } from './types.ts';

/** Every tool of the copilot, all read-only: the chat's agent and the API take them from here. */
export const COPILOT_TOOLS: readonly AnyCopilotTool[] = [
  describeTelemetryTool,
  diagnoseTool,
  queryLogsTool,
  searchTracesTool,
  getTraceTool,
  serviceMapTool,
  queryMetricsTool,
  metricAnomaliesTool,
  sloStatusTool,
  listFindingsTool,
  listMitigationsTool,
  changeHistoryTool,
  costBreakdownTool,
  searchRunbooksTool,
  readRunbookTool,
];

export function toolByName(name: string): AnyCopilotTool | undefined {
  return COPILOT_TOOLS.find((tool) => tool.name === name);
}
