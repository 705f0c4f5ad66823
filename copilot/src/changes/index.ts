// Change sets: a patch + the diff it makes + the rationale, approved by a person, applied, verified, rolled back.
export { billingCheck } from './billing.ts';
export { JsonFileDocument, jsonDocumentPlanner, jsonPlanDiff } from './documents.ts';
export { DEPLOYED_TUNABLES_KEY, S3JsonDocument, type S3JsonDocumentOptions } from './s3-document.ts';
export { ChangeSetError, type ChangeSetErrorCode } from './errors.ts';
export { type Actor, COPILOT_ACTOR, tierOf } from './lifecycle.ts';
export { applyDocumentPatch, hashOf, type PatchOperation, patchBetween } from './plan.ts';
export type {
  ActionExecutor,
  ChangeSetEvents,
  ChangeSetServiceDeps,
  DocumentApplier,
  DocumentPlanner,
  DocumentRepository,
  ManagedDocument,
  MetricMeasurement,
  MetricReader,
  SloGuard,
} from './ports.ts';
export { type ChangeSetFlowOptions, createChangeSetFlow, tickEvery } from './flow.ts';
export { type ApprovedMitigations, mitigationExecutor } from './mitigation-actions.ts';
export { ChangeSetProposalSink, type SuggestionProposal, type SuggestionProposalInput } from './proposals.ts';
export { ACTION_DOCUMENT, ChangeSetService, type ProposeActionInput, type ProposeInput } from './service.ts';
export { ChangeSetStore, verifyChain } from './store.ts';
export type * from './types.ts';
export { snapshotSloGuard } from './slo-guard.ts';
