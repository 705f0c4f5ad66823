/**
 * The service's payloads, imported from the copilot itself (types only: nothing of the copilot reaches the
 * bundle), so a change on either side is a type error on the other.
 */
export type {
  AckResult,
  ClientToServerEvents,
  FeedbackRule,
  FindingDecision,
  Guardrails,
  OperatorRole,
  PrewarmDecisionRecord,
  PrewarmDecisions,
  PrewarmLoopStatus,
  OpsUpdate,
  ReportList,
  ReportSummary,
  ServerToClientEvents,
  Session,
  SloSnapshot,
  StoredFinding,
  StoredMitigation,
} from '@boundless/copilot/service';
export type { AlertState, SloHistory, SloStatus } from '@boundless/copilot/slo';
export type { CapacityView, CostView, Overview } from '@boundless/copilot/ops';

export type {
  AnswerDone,
  AssistantMessage,
  ChatMessage,
  IncidentDetail,
  IncidentSummary,
  Proposal,
  ResolvedEvidence,
  StoredSuggestion,
  UserMessage,
} from '@boundless/copilot/incidents';
export type { BudgetView, Citation, ToolStep } from '@boundless/copilot/chat';

export type { ChangeAuditEntry, ChangeSet } from '@boundless/copilot/changes';
export type { DailyReport, ReportRecommendation } from '@boundless/copilot/report';
