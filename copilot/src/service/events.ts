/**
 * The copilot service's socket.io contract, imported by the service and by the dashboard so both sides agree
 * on every event name and payload. Payloads are plain JSON: findings, mitigations as stored, SLO snapshots and
 * source statuses, exactly as the REST API returns them.
 */
import type { Finding } from '../findings.ts';
import type { SloSnapshot, SourceStatus } from '../pipeline/types.ts';
import type { StoredMitigation } from '../state/copilot-store.ts';

export type { Finding } from '../findings.ts';
export type { StoredMitigation } from '../state/copilot-store.ts';

export interface FindingAcknowledged {
  findingId: string;
  actor: string;
  note: string;
  at: string;
}

export interface ServerToClientEvents {
  'finding.created': (finding: Finding) => void;
  'finding.acknowledged': (ack: FindingAcknowledged) => void;
  'mitigation.applied': (mitigation: StoredMitigation) => void;
  'mitigation.lifted': (mitigation: StoredMitigation) => void;
  'slo.report': (report: SloSnapshot) => void;
  'source.status': (statuses: SourceStatus[]) => void;
}

/** Results of client requests: the same stable error codes as the REST API. */
export type AckResult<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

export interface ClientToServerEvents {
  /** Role on_call. */
  'finding.acknowledge': (
    input: { findingId: string; note?: string },
    ack: (result: AckResult<FindingAcknowledged>) => void,
  ) => void;
}

/** What the server keeps per socket once the handshake token is verified. */
export interface SocketData {
  actor: string;
  roles: string[];
}

/** The room every authenticated socket joins. */
export const OPERATORS_ROOM = 'operators';
