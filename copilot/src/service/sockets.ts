import type { CopilotStore } from '../state/copilot-store.ts';
import { acknowledgeFinding } from './acknowledge.ts';
import { CopilotServiceError } from './errors.ts';
import { type AckResult, type FindingAcknowledged, OPERATORS_ROOM } from './events.ts';
import { parse } from './routes.ts';
import type { CopilotIo } from './io.ts';
import { z } from 'zod';

const acknowledgeInput = z.object({
  findingId: z.string().min(1).max(200),
  note: z.string().max(500).default(''),
});

/** Authenticated sockets join the operators' room; on-call engineers may acknowledge findings over the socket. */
export function attachSocketHandlers(
  io: CopilotIo,
  deps: { store: CopilotStore; clock: () => number; onAcknowledged: (ack: FindingAcknowledged) => void },
): void {
  io.on('connection', (socket) => {
    void socket.join(OPERATORS_ROOM);
    socket.on('finding.acknowledge', async (input, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
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
        const known =
          error instanceof CopilotServiceError
            ? error
            : new CopilotServiceError('internal', 'the copilot could not acknowledge the finding');
        reply({ ok: false, error: { code: known.code, message: known.message } } satisfies AckResult<never>);
      }
    });
  });
}
