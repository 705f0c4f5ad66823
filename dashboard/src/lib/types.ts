import type { PrewarmDecisionRecord, PrewarmLoopStatus } from '@boundless/copilot/service';

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
  PrewarmDecisionRecord,
  PrewarmLoopStatus,
  ServerToClientEvents,
  SloSnapshot,
  StoredFinding,
  StoredMitigation,
} from '@boundless/copilot/service';
export type { AlertState, SloHistory, SloStatus } from '@boundless/copilot/slo';
export type { CapacityView, CostView, Overview } from '@boundless/copilot/ops';

export type OperatorRole = 'viewer' | 'on_call' | 'owner';

export interface Session {
  actor: string;
  roles: OperatorRole[];
  role: OperatorRole | null;
  expiresAt: string;
}
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

/** `GET /api/reports`: one line per stored report. */
export interface ReportSummary {
  day: string;
  generatedAt: string;
  recommendations: number;
  estimatedMonthlySavingUsd: number;
}

/** `GET /api/prewarm/decisions`. */
export interface PrewarmDecisions {
  status: PrewarmLoopStatus;
  decisions: PrewarmDecisionRecord[];
  count: number;
}
