import type { QueryClient } from '@tanstack/react-query';
import type { Socket } from 'socket.io-client';
import { keys } from '../api/queries.ts';
import {
  type Drafts,
  draftDelta,
  draftDone,
  draftFailed,
  draftStep,
  upsertIncident,
  withAnswer,
  withBudget,
  withProposal,
  withQuestion,
} from '../lib/incidents.ts';
import type {
  ClientToServerEvents,
  IncidentDetail,
  IncidentSummary,
  ServerToClientEvents,
} from '../lib/types.ts';
import { mergePushed } from './push-merge.ts';

/**
 * The incident chat's events into the query cache: the list, the open incident (questions, answers, budget,
 * proposals) and the answers being written, each through an idempotent merge from lib/incidents.ts.
 */
export function wireIncidents(
  socket: Socket<ServerToClientEvents, ClientToServerEvents>,
  client: QueryClient,
  touched: () => void,
): void {
  const detail = (incidentId: string, fn: (d: IncidentDetail) => IncidentDetail) => {
    touched();
    mergePushed(client, keys.incident(incidentId), fn);
  };
  const drafts = (fn: (d: Drafts) => Drafts) => {
    touched();
    client.setQueryData<Drafts>(keys.drafts, (d) => fn(d ?? {}));
  };
  const incident = (summary: IncidentSummary) => {
    touched();
    mergePushed<IncidentSummary[]>(client, keys.incidents, (list) => upsertIncident(list, summary));
    detail(summary.id, (d) =>
      d.incident.updatedAt > summary.updatedAt
        ? d
        : { ...d, incident: withBudget(summary, d.incident.budget) },
    );
  };
  socket.on('incident.opened', incident);
  socket.on('incident.updated', incident);
  socket.on('incident.message', (message) => detail(message.incidentId, (d) => withQuestion(d, message)));
  socket.on('incident.answer.delta', (delta) => drafts((d) => draftDelta(d, delta)));
  socket.on('incident.answer.step', (step) => drafts((d) => draftStep(d, step)));
  socket.on('incident.answer.failed', (failure) => drafts((d) => draftFailed(d, failure)));
  socket.on('incident.budget', ({ incidentId, budget }) => {
    detail(incidentId, (d) => ({ ...d, incident: withBudget(d.incident, budget) }));
    mergePushed<IncidentSummary[]>(client, keys.incidents, (list) =>
      list.map((i) => (i.id === incidentId ? withBudget(i, budget) : i)),
    );
  });
  socket.on('incident.answer.done', (done) => {
    detail(done.incidentId, (d) => withAnswer(d, done));
    drafts((d) => draftDone(d, done.message.replyTo));
    // The list's message counts and budgets: read again once per answer.
    void client.invalidateQueries({ queryKey: keys.incidents });
  });
  socket.on('proposal.created', (proposal) => detail(proposal.incidentId, (d) => withProposal(d, proposal)));
}
