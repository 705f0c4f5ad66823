export {
  type ApiLogStats,
  apiSloEvent,
  countApiLine,
  newApiLogStats,
  readApiSloEvents,
} from './api-events.ts';
export {
  type BurnRateAlert,
  CHANNELS,
  CONTENT_CLASSES,
  type Channel,
  type ContentClass,
  DEFAULT_SLO_DEFINITIONS_PATH,
  loadSloDefinitions,
  parseDurationMinutes,
  parseSloDefinitions,
  type PathClass,
  type SliSpec,
  type SloDefinition,
  type SloDefinitions,
  type SloDefinitionsInput,
  type SloSelector,
} from './definitions.ts';
export { type EdgeChannelResolver, edgeSloEvent, readEdgeSloEvents } from './edge-events.ts';
export { type ClosedMinute, closedMinuteEmf, SLO_METRIC_NAMESPACE } from './emf.ts';
export { SloEngine, type SloEngineOptions, type SloEngineStats } from './engine.ts';
export { SloDefinitionError, SloError } from './errors.ts';
export { contentClassOf, pathClassOf, type SloEvent } from './events.ts';
export { burnAlertFinding } from './finding.ts';
export { burnRate, type ErrorBudget, errorBudget } from './math.ts';
export { type AlertBurnHistory, type SloHistory, type SloHistoryPoint, sloHistory } from './history.ts';
export {
  type AlertState,
  type AlertStatus,
  computeSloReport,
  computeSloReportFrom,
  SloReportBuilder,
  type SloReport,
  type SloStatus,
  sloStatuses,
} from './report.ts';
export type { AlertTransition, WindowBurn } from './tracker.ts';
