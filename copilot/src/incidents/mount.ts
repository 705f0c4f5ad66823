import type { IdentityVerifier } from '@boundless/delivery/identity';
import type { Express } from 'express';
import { copilotLogger } from '../logger.ts';
import type { CopilotPipeline } from '../pipeline/pipeline.ts';
import { CopilotServiceError } from '../service/errors.ts';
import type { Broadcast } from '../service/events.ts';
import type { CopilotIo } from '../service/io.ts';
import { parse } from '../service/routes.ts';
import { askInput, incidentRoutes, toServiceError } from './router.ts';
import type { IncidentService } from './service.ts';

const log = copilotLogger('incidents');

/**
 * Mounts the incident chat on the copilot service: its routes under /api, the `incident.ask` socket request,
 * its events to every operator, and incidents opened by SLO pages as the pipeline reports them. Returns what
 * stops it.
 */
export function mountIncidents(
  app: Express,
  io: CopilotIo,
  deps: {
    service: IncidentService;
    verifier: IdentityVerifier;
    broadcast: Broadcast;
    pipeline?: CopilotPipeline;
  },
): () => void {
  const { service } = deps;
  app.use('/api', incidentRoutes(deps));
  service.bind(deps.broadcast);
  io.on('connection', (socket) => {
    socket.on('incident.ask', async (input, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      try {
        if (!socket.data.roles.includes('on_call'))
          throw new CopilotServiceError('forbidden', 'this action requires the on_call role');
        const { incidentId, text } = parse(askInput, input, 'input');
        const turn = await service.ask(incidentId, text, socket.data.actor);
        reply({ ok: true, data: { messageId: turn.question.id } });
        turn.answer.catch((error: unknown) => {
          log.error(`the answer in ${incidentId} failed`, { error });
        });
      } catch (error) {
        const mapped = toServiceError(error);
        if (!(mapped instanceof CopilotServiceError)) log.error('a socket question failed', { error });
        const known =
          mapped instanceof CopilotServiceError
            ? mapped
            : new CopilotServiceError('internal', 'the copilot could not answer');
        reply({ ok: false, error: { code: known.code, message: known.message } });
      }
    });
  });
  const unsubscribe = deps.pipeline?.subscribe({
    findingCreated: (finding) => {
      service.onFinding(finding).catch((error: unknown) => {
        log.error(`opening an incident for finding ${finding.id} failed`, { error });
      });
    },
  });
  return () => unsubscribe?.();
}
