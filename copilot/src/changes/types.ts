import type { Operation } from 'fast-json-patch';

/**
 * A change set: a patch to one of the documents the system is configured from (the tunables the stacks read, the
 * mitigation policies) or one concrete action, with what it would change in the deployed system, why, and every
 * step of its life. Lifecycle: proposed -> approved | rejected -> applied -> verified -> (rolled_back); `failed`
 * when applying did not complete (nothing is left half-applied: the document is restored).
 */
export type ChangeSetStatus =
  | 'proposed'
  | 'approved'
  | 'rejected'
  | 'applied'
  | 'verified'
  | 'rolled_back'
  | 'failed';

/** Who needs to approve: an on-call engineer, or an owner when the diff replaces, deletes or broadens access. */
export type ApprovalTier = 'on_call' | 'owner';

/** Where a proposal came from: the daily report, the pre-warm planner, a policy edit, an incident, a person. */
export type ChangeOriginKind = 'report' | 'prewarm' | 'mitigation_policy' | 'incident' | 'manual';

export interface ChangeOrigin {
  kind: ChangeOriginKind;
  /** The report day and recommendation id, the incident id, ... */
  ref?: string;
  /** Who suggested it before someone proposed it (the model, the diagnostician, a finding's policy). */
  suggestedBy?: string;
}

/** One resource a diff touches, as the reviewer reads it. */
export interface PlanResourceChange {
  stack: string;
  logicalId: string;
  path?: string;
  type: string;
  action: string;
  properties: { property: string; impact: string; before: unknown; after: unknown }[];
}

/** What the patch changes in the deployed system: for the tunables, the CloudFormation template diff. */
export interface PlanDiff {
  /** The whole diff as a reviewer reads it (`cdk diff` text for templates). */
  text: string;
  /** The security-changes table ('' when none). */
  securityText: string;
  differenceCount: number;
  resources: PlanResourceChange[];
  /** Non-empty when only an owner may approve: replacements, deletions, broadened IAM or network access. */
  ownerReasons: string[];
  iamBroadened: boolean;
  replacements: number;
  deletions: number;
}

export interface ChangePlan {
  /** Version (content hash) of the document the patch was computed on. */
  baseVersion: string;
  afterVersion: string;
  patch: Operation[];
  /** What a rollback applies to the after version. */
  inversePatch: Operation[];
  diff: PlanDiff;
  patchHash: string;
  diffHash: string;
  /** Hash of base version, patch hash and diff hash: what an approval binds to. */
  planHash: string;
}

/** A citable observation behind a recommendation. */
export interface Evidence {
  label: string;
  value: string;
  /** Where to read it again: a log group and window, a metric and window, a report section. */
  ref?: Record<string, unknown>;
}

export interface Estimate {
  /** Dollars a month, positive when it saves. */
  monthlySavingUsd?: number;
  /** Milliseconds off a latency a reader sees (p50 of the requests it affects). */
  latencyGainMs?: number;
  /** The metric the change is meant to move, before and expected after, in its unit. */
  metric?: { name: string; unit: string; before: number; expected: number };
  assumptions: string[];
}

export interface Recommendation {
  evidence: Evidence[];
  estimate: Estimate;
  risk: string;
  reversible: boolean;
  reversibility: string;
}

/** What verification measures after an apply, over which window, and which SLOs must not burn meanwhile. */
export interface VerificationSpec {
  /** A metric name the metric reader knows (`edge.hit_ratio`, `edge.origin_bytes`, `lambda.gb_seconds`, ...). */
  metric: string;
  scope: Record<string, string>;
  windowMinutes: number;
  /** Which way the metric should move. */
  direction: 'increase' | 'decrease';
  /** The estimate's after value, when there is one. */
  expected?: number;
  /** SLO ids whose fast burn during the window rolls the change back by itself. */
  guardSlos: string[];
}

export interface VerificationResult {
  at: string;
  window: { from: string; to: string };
  baseline: { from: string; to: string; value: number | null; samples: number };
  observed: { value: number | null; samples: number };
  unit: string;
  expected?: number;
  /** The metric moved the intended way. */
  moved: boolean;
  /** Observed reached at least half of the estimated move (a coarse "as estimated"). */
  metEstimate: boolean | null;
  sloBurning: string[];
  outcome: 'verified' | 'not_moved' | 'insufficient_data' | 'slo_hurt';
}

/** A cost recommendation's saving as billed, once the billing data for the days after apply has arrived. */
export interface BillingCheck {
  at: string;
  service: string;
  beforePerDay: number;
  afterPerDay: number;
  days: number;
  realisedMonthlySavingUsd: number;
  estimatedMonthlySavingUsd: number;
}

export interface Approval {
  by: string;
  role: ApprovalTier;
  at: string;
  planHash: string;
  baseVersion: string;
  expiresAt: string;
  note?: string;
}

export interface StepRecord {
  by: string;
  at: string;
  reason?: string;
  automatic?: boolean;
  result?: Record<string, unknown>;
}

/** A concrete action (an incident copilot's suggestion) instead of a document patch. */
export interface ChangeAction {
  action: string;
  target: Record<string, string>;
}

export interface ChangeSet {
  id: string;
  /** `tunables`, `policies`, or `action`. */
  document: string;
  title: string;
  rationale: string;
  origin: ChangeOrigin;
  proposedBy: string;
  proposedAt: string;
  status: ChangeSetStatus;
  updatedAt: string;
  /** Bumped on every write; writes are conditional on it. */
  revision: number;
  tier: ApprovalTier;
  tierReasons: string[];
  plan: ChangePlan;
  action?: ChangeAction;
  recommendation?: Recommendation;
  verification?: VerificationSpec;
  approval?: Approval;
  rejection?: StepRecord;
  application?: StepRecord;
  verificationResult?: VerificationResult;
  billing?: BillingCheck;
  rollback?: StepRecord;
  failure?: StepRecord;
}

/** One append-only audit entry of a change set; entries chain by hash, so an edited history shows. */
export interface ChangeAuditEntry {
  changeSetId: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  from?: ChangeSetStatus;
  to?: ChangeSetStatus;
  planHash: string;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}
