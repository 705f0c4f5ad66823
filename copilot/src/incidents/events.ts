/**
 * The incident chat's socket.io events, part of the copilot's contract (service/events.ts extends these), so the
 * service and the dashboard agree on every name and payload.
 */
import type { BudgetView } from '../chat/budget.ts';
import type { Citation } from '../chat/evidence.ts';
import type { ToolStep } from '../chat/summary.ts';
import type { AckResult } from '../service/events.ts';
import type { Proposal } from './proposals.ts';
import type { AssistantMessage, IncidentSummary, StoredSuggestion, UserMessage } from './types.ts';

export interface AnswerDone {
  incidentId: string;
  message: AssistantMessage;
  /** The evidence the answer cites, in full (the message holds ids). */
  citations: Citation[];
  suggestions: StoredSuggestion[];
  budget: BudgetView;
}

export interface IncidentServerEvents {
  'incident.opened': (incident: IncidentSummary) => void;
  'incident.updated': (incident: IncidentSummary) => void;
  /** An operator's question, stored, before the answer starts. */
  'incident.message': (message: UserMessage) => void;
  /** Text of the answer as it streams (placeholders already restored). */
  'incident.answer.delta': (delta: { incidentId: string; replyTo: string; text: string }) => void;
  /** A tool call of the answer: what ran, from cache or not, refused and why. */
  'incident.answer.step': (step: { incidentId: string; replyTo: string; step: ToolStep }) => void;
  /** The incident's budget after each model call. */
  'incident.budget': (update: { incidentId: string; budget: BudgetView }) => void;
  'incident.answer.done': (done: AnswerDone) => void;
  /** The answer could not be stored (the model's own failures are answers, not this). */
  'incident.answer.failed': (failure: { incidentId: string; replyTo: string; message: string }) => void;
  'proposal.created': (proposal: Proposal) => void;
}

export interface IncidentClientEvents {
  /** Role on_call. Acknowledged once the question is stored; the answer follows as events. */
  'incident.ask': (
    input: { incidentId: string; text: string },
    ack: (result: AckResult<{ messageId: string }>) => void,
  ) => void;
}

export type IncidentEmitter = <E extends keyof IncidentServerEvents>(
  event: E,
  ...args: Parameters<IncidentServerEvents[E]>
) => void;
