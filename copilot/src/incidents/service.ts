import { ulid } from 'ulid';
import type { Citation } from '../chat/evidence.ts';
import type { Finding } from '../findings.ts';
import type { CopilotStore } from '../state/copilot-store.ts';
import { answerInIncident, type ChatSetup, chatLabel, incidentBudget } from './chat-session.ts';
import { IncidentError } from './errors.ts';
import type { IncidentEmitter } from './events.ts';
import type { EvidenceResolver, ResolvedEvidence } from './evidence-resolver.ts';
import type { IncidentStore } from './incident-store.ts';
import type { Proposal, ProposalSink } from './proposals.ts';
import type {
  AssistantMessage,
  ChatMessage,
  Incident,
  IncidentDetail,
  IncidentStatus,
  IncidentSummary,
  StoredSuggestion,
  UserMessage,
} from './types.ts';
import { copilotLogger } from '../logger.ts';

const log = copilotLogger('incidents');

export interface IncidentServiceDeps {
  incidents: IncidentStore;
  /** Findings to open incidents from, and the audit trail. */
  copilot: CopilotStore;
  proposals: ProposalSink;
  chat: ChatSetup;
  resolver: EvidenceResolver;
  emit?: IncidentEmitter;
  clock?: () => number;
}

export interface OpenIncidentInput {
  findingId?: string;
  title?: string;
  /** End of the window (ISO); the finding's detection time when opened from one, else now. */
  at?: string;
  windowMinutes?: number;
  note?: string;
}

export interface Turn {
  question: UserMessage;
  /** Settles with the answer once it is stored; never rejects for a model's failure (that is an answer too). */
  answer: Promise<{ message: AssistantMessage; citations: Citation[]; suggestions: StoredSuggestion[] }>;
}

const DEFAULT_WINDOW_MINUTES = 30;

/**
 * The incidents use cases: open (from a finding or an SLO page, or by hand), list, read, ask the copilot (one
 * answer at a time per incident, streamed as events), open a citation, turn a suggestion into a proposal, and
 * resolve. Everything is stored, so an incident and its conversation survive a restart.
 */
export class IncidentService {
  private readonly clock: () => number;
  private readonly busy = new Set<string>();

  constructor(private readonly deps: IncidentServiceDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  private now(): string {
    return new Date(this.clock()).toISOString();
  }

  private emit: IncidentEmitter = (event, ...args) => {
    try {
      this.deps.emit?.(event, ...args);
    } catch (error) {
      log.error(`emitting ${event} failed`, { error });
    }
  };

  async open(
    input: OpenIncidentInput,
    actor: string,
  ): Promise<{ incident: IncidentSummary; created: boolean }> {
    const finding = input.findingId ? await this.finding(input.findingId) : undefined;
    if (input.findingId && !finding) throw new IncidentError('not_found', `no finding ${input.findingId}`);
    return this.openFrom(input, finding, actor, false);
  }

  private async openFrom(
    input: OpenIncidentInput,
    finding: Finding | undefined,
    actor: string,
    automatic: boolean,
  ): Promise<{ incident: IncidentSummary; created: boolean }> {
    if (!finding && !input.title) throw new IncidentError('validation_failed', 'give a findingId or a title');
    const existing = finding
      ? (await this.deps.incidents.listIncidents(500)).find(
          (i) => i.status === 'open' && i.origin.findingId === finding.id,
        )
      : undefined;
    if (existing) return { incident: await this.summary(existing), created: false };
    const to = input.at ?? finding?.detectedAt ?? this.now();
    const span = (input.windowMinutes ?? DEFAULT_WINDOW_MINUTES) * 60_000;
    const from = Math.min(
      Date.parse(to) - span,
      finding ? Date.parse(finding.firstSeen) : Number.POSITIVE_INFINITY,
    );
    if (!Number.isFinite(Date.parse(to)))
      throw new IncidentError('validation_failed', `at is not a time: ${to}`);
    const at = this.now();
    const incident: Incident = {
      id: `inc_${ulid(this.clock())}`,
      title: (input.title ?? finding?.summary ?? 'incident').slice(0, 300),
      status: 'open',
      severity: finding?.severity ?? 'warning',
      openedAt: at,
      openedBy: actor,
      origin: {
        kind: finding ? 'finding' : 'operator',
        ...(finding ? { findingId: finding.id, findingKind: finding.kind } : {}),
        ...(automatic ? { automatic: true } : {}),
      },
      window: { from: new Date(from).toISOString(), to: new Date(Date.parse(to)).toISOString() },
      context: { ...(finding ? { finding } : {}), ...(input.note ? { note: input.note } : {}) },
      updatedAt: at,
    };
    await this.deps.incidents.createIncident(incident);
    await this.audit(actor, 'incident:opened', incident.id, {
      origin: incident.origin,
      window: incident.window,
    });
    const summary = await this.summary(incident);
    this.emit('incident.opened', summary);
    return { incident: summary, created: true };
  }

  /** An SLO alert that pages opens an incident by itself, unless one is open for the same SLO. */
  async onFinding(finding: Finding): Promise<void> {
    if (
      !this.deps.chat.config.autoOpenOnPage ||
      finding.kind !== 'slo_burn' ||
      finding.severity !== 'critical'
    )
      return;
    const open = await this.deps.incidents.listIncidents(500);
    const same = open.some(
      (i) =>
        i.status === 'open' &&
        i.context.finding?.kind === 'slo_burn' &&
        i.context.finding.subject.slo === finding.subject.slo,
    );
    if (same) return;
    await this.openFrom({}, finding, 'copilot', true);
  }

  async list(status?: IncidentStatus): Promise<IncidentSummary[]> {
    const incidents = await this.deps.incidents.listIncidents();
    return Promise.all(incidents.filter((i) => !status || i.status === status).map((i) => this.summary(i)));
  }

  async detail(id: string): Promise<IncidentDetail> {
    const incident = await this.incident(id);
    const [messages, citations, suggestions] = await Promise.all([
      this.deps.incidents.listMessages(id),
      this.deps.incidents.listCitations(id),
      this.deps.incidents.listSuggestions(id),
    ]);
    return { incident: await this.summary(incident), messages, citations, suggestions };
  }

  /**
   * Stores the question and starts the answer. Refused while another answer of the same incident runs: the
   * second would pay for the same investigation.
   */
  async ask(id: string, text: string, actor: string): Promise<Turn> {
    if (this.busy.has(id))
      throw new IncidentError('turn_in_progress', `an answer in ${id} is still being written`);
    this.busy.add(id);
    try {
      const incident = await this.incident(id);
      if (incident.status !== 'open') throw new IncidentError('incident_resolved', `${id} is resolved`);
      const history = await this.deps.incidents.listMessages(id);
      const question: UserMessage = {
        id: `msg_${ulid(this.clock())}`,
        incidentId: id,
        seq: await this.deps.incidents.nextSeq(id),
        role: 'user',
        at: this.now(),
        actor,
        text,
      };
      await this.deps.incidents.putMessage(question);
      this.emit('incident.message', question);
      const answer = this.answer(incident, history, question)
        .catch((error: unknown) => {
          log.error(`the answer to ${question.id} failed`, { error });
          this.emit('incident.answer.failed', {
            incidentId: id,
            replyTo: question.id,
            message: (error as Error)?.message ?? String(error),
          });
          throw error;
        })
        .finally(() => this.busy.delete(id));
      return { question, answer };
    } catch (error) {
      this.busy.delete(id);
      throw error;
    }
  }

  async evidence(id: string, citationId: string): Promise<ResolvedEvidence> {
    await this.incident(id);
    const citation = await this.deps.incidents.getCitation(id, citationId);
    if (!citation) throw new IncidentError('not_found', `no evidence ${citationId} in ${id}`);
    return this.deps.resolver.resolve(citation);
  }

  /** An on-call engineer turns a suggestion into a pending proposal (once; again returns the same one). */
  async propose(
    id: string,
    suggestionId: string,
    actor: string,
    note?: string,
  ): Promise<{ proposal: Proposal; created: boolean }> {
    await this.incident(id);
    const suggestion = await this.deps.incidents.getSuggestion(id, suggestionId);
    if (!suggestion) throw new IncidentError('not_found', `no suggestion ${suggestionId} in ${id}`);
    const citations = await this.deps.incidents.listCitations(id);
    const evidence = citations.filter((c) => suggestion.evidence.includes(c.id));
    const { incidentId: _i, messageId: _m, status: _s, proposalId: _p, ...plain } = suggestion;
    const result = await this.deps.proposals.submit({
      incidentId: id,
      suggestion: plain,
      evidence,
      proposedBy: actor,
      at: this.now(),
      ...(note ? { note } : {}),
    });
    if (result.created) {
      await this.deps.incidents.markProposed(suggestion, result.proposal.id);
      await this.audit(actor, 'proposal:submitted', result.proposal.id, {
        incidentId: id,
        action: suggestion.action,
        target: suggestion.target,
      });
      this.emit('proposal.created', result.proposal);
    }
    return result;
  }

  async proposals(incidentId?: string): Promise<Proposal[]> {
    const proposals = await this.deps.proposals.list(incidentId ? { incidentId } : {});
    return proposals.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Where events go once the service is mounted on a socket.io server. */
  bind(emit: IncidentEmitter): void {
    this.deps.emit = emit;
  }

  async resolve(id: string, actor: string, resolution: string): Promise<IncidentSummary> {
    const incident = await this.incident(id);
    if (incident.status === 'resolved') return this.summary(incident);
    const at = this.now();
    const resolved: Incident = {
      ...incident,
      status: 'resolved',
      resolvedAt: at,
      resolvedBy: actor,
      resolution,
      updatedAt: at,
    };
    await this.deps.incidents.saveIncident(resolved);
    await this.audit(actor, 'incident:resolved', id, { resolution });
    const summary = await this.summary(resolved);
    this.emit('incident.updated', summary);
    return summary;
  }

  private async answer(incident: Incident, history: ChatMessage[], question: UserMessage) {
    const { incidents } = this.deps;
    const replyTo = question.id;
    const session = await answerInIncident({
      setup: this.deps.chat,
      store: incidents,
      incident,
      history,
      question: question.text,
      clock: this.clock,
      onEvent: (event) => {
        if (event.type === 'delta')
          this.emit('incident.answer.delta', { incidentId: incident.id, replyTo, text: event.text });
        else if (event.type === 'step')
          this.emit('incident.answer.step', { incidentId: incident.id, replyTo, step: event.step });
        else this.emit('incident.budget', { incidentId: incident.id, budget: event.budget });
      },
    });
    const { answer } = session;
    await incidents.putCitations(incident.id, session.ledger.added());
    const { citations, budget: _budget, ...rest } = answer;
    const message: AssistantMessage = {
      ...rest,
      id: `msg_${ulid(this.clock())}`,
      incidentId: incident.id,
      seq: await incidents.nextSeq(incident.id),
      role: 'assistant',
      at: this.now(),
      replyTo,
      citations: citations.map((c) => c.id),
    };
    await incidents.putMessage(message);
    const suggestions: StoredSuggestion[] = answer.suggestions.map((s) => ({
      ...s,
      incidentId: incident.id,
      messageId: message.id,
      status: 'suggested',
    }));
    for (const suggestion of suggestions) await incidents.putSuggestion(suggestion);
    await incidents.addUsage(incident.id, session.usage);
    await incidents.saveMasking(incident.id, session.masker.toJSON(), session.shield.toJSON());
    await incidents.saveIncident({ ...incident, updatedAt: message.at });
    this.emit('incident.answer.done', {
      incidentId: incident.id,
      message,
      citations,
      suggestions,
      budget: session.budget,
    });
    return { message, citations, suggestions };
  }

  private async summary(incident: Incident): Promise<IncidentSummary> {
    const state = await this.deps.incidents.state(incident.id);
    return {
      ...incident,
      messages: state.messages,
      usage: state.usage,
      chat: chatLabel(this.deps.chat),
      budget: incidentBudget(this.deps.chat, state.usage).view(),
    };
  }

  private async incident(id: string): Promise<Incident> {
    const incident = await this.deps.incidents.getIncident(id);
    if (!incident) throw new IncidentError('not_found', `no incident ${id}`);
    return incident;
  }

  private async finding(id: string): Promise<Finding | undefined> {
    // Findings are keyed by detection time; the newest thousand cover what an incident is opened from.
    return (await this.deps.copilot.listFindings(1000)).find((f) => f.id === id);
  }

  private async audit(actor: string, action: string, subject: string, detail: Record<string, unknown>) {
    await this.deps.copilot.appendAudit({ at: this.now(), actor, action, subject, detail });
  }
}
