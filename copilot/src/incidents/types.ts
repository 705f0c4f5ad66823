import type { ChatAnswer, ChatMode } from '../chat/answer.ts';
import type { BudgetView, UsageTotals } from '../chat/budget.ts';
import type { Citation } from '../chat/evidence.ts';
import type { Suggestion } from '../chat/suggestions.ts';
import type { Finding, FindingSeverity } from '../findings.ts';

/**
 * An incident: what on-call is working on, opened from an SLO burn alert, an abuse finding or by hand, with the
 * context it was opened from and its conversation with the copilot.
 */
export type IncidentStatus = 'open' | 'resolved';

export interface IncidentOrigin {
  kind: 'finding' | 'operator';
  findingId?: string;
  findingKind?: Finding['kind'];
  /** Set when the copilot opened it by itself (an SLO alert that pages). */
  automatic?: boolean;
}

export interface Incident {
  id: string;
  title: string;
  status: IncidentStatus;
  severity: FindingSeverity;
  openedAt: string;
  /** `user:<sub>` or `copilot`. */
  openedBy: string;
  origin: IncidentOrigin;
  /** The time range under investigation (ISO). */
  window: { from: string; to: string };
  /** The finding it was opened from, as stored, and any note of the operator who opened it. */
  context: { finding?: Finding; note?: string };
  updatedAt: string;
  resolvedAt?: string;
  resolvedBy?: string;
  resolution?: string;
}

/** The incident with what the list and the page show next to it. */
export interface IncidentSummary extends Incident {
  messages: number;
  usage: UsageTotals;
  /** The chat's mode for this copilot (offline, bedrock, openai). */
  chat: { mode: ChatMode; model: string };
  budget: BudgetView;
}

export interface UserMessage {
  id: string;
  incidentId: string;
  seq: number;
  role: 'user';
  at: string;
  actor: string;
  text: string;
}

/** An answer as stored: the chat's answer with its citations as ids (each resolves through the incident). */
export interface AssistantMessage extends Omit<ChatAnswer, 'citations' | 'budget'> {
  id: string;
  incidentId: string;
  seq: number;
  role: 'assistant';
  at: string;
  /** The question it answers. */
  replyTo: string;
  citations: string[];
}

export type ChatMessage = UserMessage | AssistantMessage;

export type SuggestionStatus = 'suggested' | 'proposed';

export interface StoredSuggestion extends Suggestion {
  incidentId: string;
  messageId: string;
  status: SuggestionStatus;
  proposalId?: string;
}

export interface IncidentDetail {
  incident: IncidentSummary;
  messages: ChatMessage[];
  citations: Citation[];
  suggestions: StoredSuggestion[];
}
