import type { Detection } from '../detect/types.ts';

/** What the delivery core can do to an abuser. None of these touch entitlements. */
export type MitigationAction = 'revoke_token' | 'force_reauth' | 'short_ttl' | 'rate_limit' | 'block_ip';

export interface MitigationTarget {
  tokenId?: string;
  accountId?: string;
  ip?: string;
  country?: string;
}

/** A rule mapping detections to one action. Policies are data (see policies.json); the first match wins. */
export interface MitigationPolicy {
  name: string;
  /** Detection kinds the policy answers. */
  kinds: Detection['kind'][];
  /** The detector's suggested mitigations it accepts (empty: any). */
  suggestions?: string[];
  action: MitigationAction;
  /** Act only on detections at least this confident. */
  minScore: number;
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

/** A decided action: applied through the mitigation port, audited, and lifted when it expires or is rolled back. */
export interface Mitigation {
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
  detection: Pick<Detection, 'kind' | 'subject' | 'score' | 'firstSeen' | 'detectedAt'>;
  dryRun: boolean;
}

export type Decision =
  | { outcome: 'apply'; mitigation: Mitigation }
  | { outcome: 'skip'; reason: SkipReason; detail: string };

type SkipReason =
  | 'no_policy'
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
