// Incidents and their chat with the copilot: the service, its stores and the proposal sink.
export { createIncidentService, type IncidentServiceOptions } from './create.ts';
export type { AnswerDone, IncidentClientEvents, IncidentServerEvents } from './events.ts';
export {
  emfValue,
  type EvidenceResolver,
  type ResolvedEvidence,
  SourceEvidenceResolver,
} from './evidence-resolver.ts';
export { IncidentStore } from './incident-store.ts';
export { PendingProposalStore, type Proposal, type ProposalInput, type ProposalSink } from './proposals.ts';
export { IncidentService, type OpenIncidentInput } from './service.ts';
export type * from './types.ts';
