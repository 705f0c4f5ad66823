// The offline diagnostician (deterministic, no model): ranked hypotheses of component and fault kind, each
// citing the log events, traces and metric points it rests on, and the gaps.
export {
  analyse,
  type DiagnoseInputs,
  type DiagnoseRequest,
  diagnoseSnapshot,
  formatWindow,
} from './diagnose.ts';
export { type UncitedClaim, uncitedClaims } from './evidence-check.ts';
export type { RankedComponent } from './rank.ts';
export {
  type Diagnosis,
  type Evidence,
  type EvidenceKind,
  FAULT_KINDS,
  type FaultKind,
  type Hypothesis,
} from './types.ts';
