import type { Detection } from '../detect/types.ts';

/** What the delivery core can do to an abuser. None of these touch entitlements. */
export type MitigationAction = 'revoke_token' | 'force_reauth' | 'short_ttl' | 'rate_limit' | 'block_ip';

/**
 * What an action does to whoever it hits, from the softest: the reader is asked to sign in again
 * (`reauthenticate`), their grants are shortened (`shorten`), their address is slowed (`throttle`), or their
 * requests are refused (`deny`). `observe` is no action: the finding is shown and nothing else happens.
 */
export type MitigationEffect = 'observe' | 'reauthenticate' | 'shorten' | 'throttle' | 'deny';

export const EFFECT_OF: Readonly<Record<MitigationAction, MitigationEffect>> = {
  force_reauth: 'reauthenticate',
  short_ttl: 'shorten',
  rate_limit: 'throttle',
  revoke_token: 'deny',
  block_ip: 'deny',
};

export type SubjectKey = 'tokenId' | 'accountId' | 'ip' | 'country';

export interface MitigationTarget {
  tokenId?: string;
  accountId?: string;
  ip?: string;
  country?: string;
}

/**
 * A rule mapping detections to one action. Policies are data (see policies.json), ordered strongest first; a
 * detection takes the first whose conditions it meets, and `observe` when it meets none.
 */
export interface MitigationPolicy {
  name: string;
  /** Detection kinds the policy answers. */
  kinds: Detection['kind'][];
  /** The subject the action needs: the detection must name one of these (the first named is the target). */
  subjects: SubjectKey[];
  /**
   * The policy passes over detections that name any of these: an address is throttled only when nothing else
   * names the abuser, since an account has its own, gentler answers (and a reader's home shares its limit).
   */
  unlessNamed?: SubjectKey[];
  action: MitigationAction;
  /** Act only on detections at least this confident. */
  minScore: number;
  /** Independent families of evidence the detection must rest on (evidence.corroboration; 1 when absent). */
  minCorroboration: number;
  /** What the action costs a legitimate reader caught by mistake, in plain words (shown with every action). */
  costToLegitimateReader: string;
  /** Every action expires on its own after this long. */
  durationSeconds: number;
  /** For short_ttl: the access lifetime to impose; for rate_limit: requests per window. */
  ttlSeconds?: number;
  limit?: number;
  windowSeconds?: number;
}

export interface Guardrails {
  /** CIDR ranges never acted on (B2B campuses, partner NATs, monitoring). */
  allowCidrs: string[];
  /** Accounts never acted on (test and service accounts). */
  allowAccounts: string[];
  /** User-agent substrings never acted on when no token is involved (verified crawlers). */
  allowUserAgents: string[];
  /** Most actions applied in any rolling hour; beyond it decisions are held for a person. */
  maxActionsPerHour: number;
  /** Decide and audit, but apply nothing. */
  dryRun: boolean;
}

/** The detection a policy acted on, as the mitigation keeps it. */
export type DetectionRef = Pick<Detection, 'kind' | 'subject' | 'score' | 'firstSeen' | 'detectedAt'>;

/** A person-approved change set the action came from (an incident's suggested mitigation), not a detector. */
export interface ChangeSetRef {
  kind: 'change_set';
  changeSetId: string;
  proposedBy: string;
  approvedBy: string;
  title: string;
}

interface MitigationFields {
  /** Deterministic from policy, target and detection time, so a retried decision is the same mitigation. */
  id: string;
  policy: string;
  action: MitigationAction;
  target: MitigationTarget;
  params: { ttlSeconds?: number; limit?: number; windowSeconds?: number };
  /** ISO event time at which it was decided. */
  decidedAt: string;
  expiresAt: string;
  reason: string;
  evidence: Record<string, unknown>;
  dryRun: boolean;
}

/**
 * A decided action: applied through the mitigation port, audited, and lifted when it expires or is rolled back.
 * It comes either from a detection a policy matched (`detection`) or from an approved change set
 * (`changeSet`), never both: see `originOf`.
 */
export type Mitigation = MitigationFields &
  ({ detection: DetectionRef; changeSet?: undefined } | { changeSet: ChangeSetRef; detection?: undefined });

/** Where a mitigation came from, as one value: the detection a policy matched, or the approved change set. */
export function originOf(
  mitigation: Pick<Mitigation, 'detection' | 'changeSet'>,
): { kind: 'detection'; detection: DetectionRef } | ChangeSetRef {
  if (mitigation.changeSet) return mitigation.changeSet;
  return { kind: 'detection', detection: mitigation.detection as DetectionRef };
}

export type Decision =
  | { outcome: 'apply'; mitigation: Mitigation }
  | { outcome: 'skip'; reason: SkipReason; detail: string };

type SkipReason =
  | 'no_policy'
  | 'observe'
  | 'below_threshold'
  | 'allow_listed'
  | 'suppressed'
  | 'already_active'
  | 'hourly_cap'
  | 'no_target'
  | 'invalid_detection';

/** The delivery core's side: locally its admin API; in AWS DynamoDB, the KeyValueStore and WAF. */
export interface MitigationPort {
  apply(mitigation: Mitigation): Promise<void>;
  lift(mitigation: Mitigation): Promise<void>;
}
