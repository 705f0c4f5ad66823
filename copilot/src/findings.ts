/**
 * A finding is anything the copilot noticed that a person or a policy may act on: an abuse detection, an SLO
 * burn-rate alert, a metric anomaly. Detectors emit their own precise records (see DESIGN §4.2 for abuse
 * detections) and convert them to findings for the service, the dashboard and the incident chat.
 */
export const FINDING_KINDS = [
  'token_sharing',
  'scraping',
  'geo_spike',
  'slo_burn',
  'metric_anomaly',
  'deploy_rolled_back',
  'deploy_failed',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export type FindingSeverity = 'info' | 'warning' | 'critical';

export interface FindingSubject {
  tokenId?: string;
  accountId?: string;
  ip?: string;
  country?: string;
  slo?: string;
  series?: string;
  /** A Lambda function (a deploy the guard rolled back). */
  functionName?: string;
}

/** A stored finding's key: its id and detection time. */
export interface FindingRef {
  id: string;
  detectedAt: string;
}

export interface Finding {
  /** Stable for the same (kind, subject, firstSeen), so re-deriving a finding from the same input dedupes. */
  id: string;
  kind: FindingKind;
  subject: FindingSubject;
  /** ISO-8601 event time of the first observation the finding rests on. */
  firstSeen: string;
  /** ISO-8601 event time at which the detector fired. */
  detectedAt: string;
  /** 0..1 confidence. */
  score: number;
  severity: FindingSeverity;
  summary: string;
  evidence: Record<string, unknown>;
  /** Suggested mitigation, as a policy name (e.g. `revoke_token`, `rate_limit`) or free text. */
  mitigation?: string;
  /**
   * The finding of the same episode this one escalates (its evidence grew: an observed finding that became
   * actionable). Each report is a finding of its own, with its own id.
   */
  escalates?: FindingRef;
}
