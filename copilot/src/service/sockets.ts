import type { IdentityVerifier } from '@boundless/delivery/identity';
import type { Socket } from 'socket.io';
import { z } from 'zod';
import type { CopilotStore } from '../state/copilot-store.ts';
import { acknowledgeFinding } from './acknowledge.ts';
import { authenticate, requireRole } from './auth.ts';
import { CopilotServiceError } from './errors.ts';
import {
  type AckResult,
  type ClientToServerEvents,
  type FindingAcknowledged,
  OPERATORS_ROOM,
  type OpsUpdate,
  type ServerToClientEvents,
  type SloSnapshot,
  type SocketData,
} from './events.ts';
import { parse } from './routes.ts';
import type { CopilotIo } from './io.ts';
import { presentedToken, sameOrigin } from './session.ts';

type OperatorSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const acknowledgeInput = z.object({
  findingId: z.string().min(1).max(200),
  note: z.string().max(500).default(''),
});
const renewInput = z.object({ token: z.string().min(1).max(8192) });

function refusal(error: unknown): Error {
  const known =
    error instanceof CopilotServiceError ? error : new CopilotServiceError('internal', 'handshake failed');
  const refused = new Error(known.message) as Error & { data?: unknown };
  refused.data = { code: known.code };
  return refused;
}

/**
 * The handshake carries the same JWT as REST: `auth: { token }`, an Authorization header, or the dashboard's
 * session cookie, which counts only from a page of our own origin (a WebSocket is not bound by CORS).
 */
export function socketAuth(verifier: IdentityVerifier) {
  return async (socket: OperatorSocket, next: (error?: Error) => void): Promise<void> => {
    try {
      const fromAuth = (socket.handshake.auth as { token?: unknown }).token;
      const presented =
        typeof fromAuth === 'string'
          ? { token: fromAuth, via: 'bearer' as const }
          : presentedToken(socket.handshake.headers);
      if (!presented) throw new CopilotServiceError('unauthorized', 'sign in, or send the JWT as auth.token');
      if (presented.via === 'cookie' && !sameOrigin(socket.handshake.headers, socket.handshake.secure))
        throw new CopilotServiceError('cross_site', 'the session cookie is accepted only from the dashboard');
      const operator = await authenticate(verifier, presented.token);
      requireRole(operator, 'viewer');
      socket.data = { actor: operator.actor, roles: operator.roles, expiresAtMs: operator.expiresAtMs };
      next();
    } catch (error) {
      next(refusal(error));
    }
  };
}

/**
 * Authenticated sockets join the operators' room for as long as their token holds: at its expiry the socket
 * leaves the room (no event reaches it after that instant), is told `session.expired`, and is disconnected.
 * A script may renew with a fresh token first; on-call engineers may acknowledge findings over the socket.
 * A page reads its views before its socket joins, so a push sent in between would not reach it until the next
 * one: each socket that joins is sent the objectives as of now (pages keep the newer) and the newest
 * `ops.updated` (pages read again only the views older than it).
 */
export function attachSocketHandlers(
  io: CopilotIo,
  deps: {
    store: CopilotStore;
    verifier: IdentityVerifier;
    clock: () => number;
    onAcknowledged: (ack: FindingAcknowledged) => void;
    sloSnapshot: () => SloSnapshot;
    opsUpdate: () => OpsUpdate | null;
  },
): void {
  io.on('connection', (socket) => {
    void socket.join(OPERATORS_ROOM);
    const snapshot = deps.sloSnapshot();
    if (snapshot.asOf !== null) socket.emit('slo.report', snapshot);
    const ops = deps.opsUpdate();
    if (ops) socket.emit('ops.updated', ops);
    let timer: NodeJS.Timeout | undefined;
    const expire = () => {
      const left = socket.data.expiresAtMs - deps.clock();
      if (left > 0) {
        // Timers may fire early under a changed clock: check again rather than cut a valid session.
        timer = setTimeout(expire, Math.min(left, 2 ** 31 - 1));
        return;
      }
      void socket.leave(OPERATORS_ROOM);
      socket.emit('session.expired', { at: new Date(deps.clock()).toISOString() });
      socket.disconnect(true);
    };
    expire();
    socket.on('disconnect', () => clearTimeout(timer));

    socket.on('session.renew', async (input, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      try {
        const { token } = parse(renewInput, input, 'input');
        const operator = await authenticate(deps.verifier, token);
        if (operator.actor !== socket.data.actor)
          throw new CopilotServiceError(
            'forbidden',
            'a session is renewed with a token of the same operator',
          );
        requireRole(operator, 'viewer');
        socket.data = { actor: operator.actor, roles: operator.roles, expiresAtMs: operator.expiresAtMs };
        clearTimeout(timer);
        expire();
        reply({ ok: true, data: { expiresAt: new Date(operator.expiresAtMs).toISOString() } });
      } catch (error) {
        reply(failure(error, 'the copilot could not renew the session'));
      }
    });

    socket.on('finding.acknowledge', async (input, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      try {
        if (!socket.data.roles.includes('on_call'))
          throw new CopilotServiceError('forbidden', 'this action requires the on_call role');
        const { findingId, note } = parse(acknowledgeInput, input, 'input');
        const result = await acknowledgeFinding(deps.store, {
          findingId,
          actor: socket.data.actor,
          note,
          at: new Date(deps.clock()).toISOString(),
        });
        deps.onAcknowledged(result);
        reply({ ok: true, data: result });
      } catch (error) {
        reply(failure(error, 'the copilot could not acknowledge the finding'));
      }
    });
  });
}

function failure(error: unknown, fallback: string): AckResult<never> {
  const known = error instanceof CopilotServiceError ? error : new CopilotServiceError('internal', fallback);
  return { ok: false, error: { code: known.code, message: known.message } };
}
