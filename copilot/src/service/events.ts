/**
 * The copilot service's socket.io contract, imported by the service and by the dashboard so both sides agree
 * on every event name and payload. Payloads are plain JSON: findings, mitigations as stored, SLO snapshots and
 * source statuses, exactly as the REST API returns them.
 */
import type { ChangeAuditEntry, ChangeSet } from '../changes/types.ts';
import type { Finding } from '../findings.ts';
import type { IncidentClientEvents, IncidentServerEvents } from '../incidents/events.ts';
import type { OpsUpdate, SloSnapshot, SourceStatus } from '../pipeline/types.ts';
import type { FeedbackRule } from '../mitigation/feedback.ts';
import type { PrewarmDecisionRecord } from '../prewarm/decision-log.ts';
import type { Guardrails } from '../mitigation/types.ts';
import type { FindingDecision, StoredMitigation } from '../state/copilot-store.ts';

export type { Finding } from '../findings.ts';
export type { FeedbackRule } from '../mitigation/feedback.ts';
export type { PrewarmDecisionRecord, PrewarmLoopStatus } from '../prewarm/decision-log.ts';
export type { Guardrails } from '../mitigation/types.ts';
export type { OpsUpdate, SloSnapshot, SourceStatus } from '../pipeline/types.ts';
export type { FindingDecision, StoredFinding, StoredMitigation } from '../state/copilot-store.ts';

export interface FindingAcknowledged {
  findingId: string;
  actor: string;
  note: string;
  at: string;
}

/** The incident chat's events (incidents/events.ts) are part of the same contract. */
export interface ServerToClientEvents extends IncidentServerEvents {
  'finding.created': (finding: Finding) => void;
  'finding.acknowledged': (ack: FindingAcknowledged) => void;
  'mitigation.applied': (mitigation: StoredMitigation) => void;
  'mitigation.lifted': (mitigation: StoredMitigation) => void;
  'slo.report': (report: SloSnapshot) => void;
  'source.status': (statuses: SourceStatus[]) => void;
  /** What the policies made of a finding: the mitigation applied, or why none was. */
  'finding.decided': (decided: { findingId: string; decision: FindingDecision }) => void;
  'guardrails.changed': (change: { guardrails: Guardrails; actor: string; at: string }) => void;
  /** A false positive was recorded (a suppression or an allow-list entry), or a suppression ended early. */
  'feedback.recorded': (rule: FeedbackRule) => void;
  'feedback.ended': (rule: FeedbackRule) => void;
  /**
   * New per-route, per-function or cost numbers, up to a stamp: read the overview, capacity and cost views again
   * unless they answered with this stamp or a later one. Also sent to each socket that joins.
   */
  'ops.updated': (update: OpsUpdate) => void;
  /** One tick's decision of the pre-warming loop for one function (every tick, changed or not). */
  'prewarm.decision': (record: PrewarmDecisionRecord) => void;
  /** The socket's token expired: the server disconnects it right after; sign in again. */
  'session.expired': (info: { at: string }) => void;
  /** A change set moved (or a step was refused): the change set as stored and the audit entry just written. */
  'change_set.updated': (update: { changeSet: ChangeSet; entry: ChangeAuditEntry }) => void;
  /** A daily report was written: its day and headline figures (read it at /api/reports/:day). */
  'report.published': (report: {
    day: string;
    recommendations: number;
    estimatedMonthlySavingUsd: number;
  }) => void;
}

/** Results of client requests: the same stable error codes as the REST API. */
export type AckResult<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

export interface ClientToServerEvents extends IncidentClientEvents {
  /** Role on_call. */
  'finding.acknowledge': (
    input: { findingId: string; note?: string },
    ack: (result: AckResult<FindingAcknowledged>) => void,
  ) => void;
  /** Scripts holding a bearer token send a fresh one before the old expires; the dashboard reconnects instead. */
  'session.renew': (
    input: { token: string },
    ack: (result: AckResult<{ expiresAt: string }>) => void,
  ) => void;
}

/** Emits one event to every operator socket; the routes and the pipeline listener share it. */
export type Broadcast = <E extends keyof ServerToClientEvents>(
  event: E,
  ...args: Parameters<ServerToClientEvents[E]>
) => void;

/** What the server keeps per socket once the handshake token is verified. */
export interface SocketData {
  actor: string;
  roles: string[];
  /** Unix ms at which the handshake token (or the last renewed one) expires. */
  expiresAtMs: number;
}

/** The room every authenticated socket joins. */
export const OPERATORS_ROOM = 'operators';
