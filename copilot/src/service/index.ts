// The copilot's HTTP API and socket.io events for operators.
export { OPERATOR_ROLES, type Operator, type OperatorRole } from './auth.ts';
export { CopilotServiceError } from './errors.ts';
export type {
  AckResult,
  ClientToServerEvents,
  FeedbackRule,
  Finding,
  FindingDecision,
  Guardrails,
  OpsUpdate,
  PrewarmDecisionRecord,
  PrewarmLoopStatus,
  ServerToClientEvents,
  SloSnapshot,
  SourceStatus,
  StoredFinding,
  StoredMitigation,
} from './events.ts';
export { OPERATORS_ROOM } from './events.ts';
export type { Session, SignInSettings } from './sign-in.ts';
export {
  type CopilotIo,
  type CopilotService,
  type CopilotServiceOptions,
  startCopilotService,
} from './server.ts';
export type { PrewarmDecisions } from './prewarm-routes.ts';
export type { ReportList, ReportReader, ReportRunner, ReportSummary } from './report-routes.ts';
export { cachedToken, clientCredentialsToken, ServiceTokenError, type TokenSource } from './service-token.ts';
