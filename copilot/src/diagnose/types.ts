/**
 * A diagnosis as `boundless diagnose` writes it (DESIGN §4.2): hypotheses best first, each a component named
 * as the data names it and a kind of fault, with the observations it rests on; and the gaps, what could not
 * be checked and why. An empty list of hypotheses means no fault was found.
 */
export const FAULT_KINDS = [
  'dependency_error',
  'dependency_latency',
  'cpu_saturation',
  'memory_saturation',
  'throttling',
  'bad_deploy',
  'cold_start_storm',
  'origin_errors',
  'cache_hit_collapse',
  'signing_key_mismatch',
  'abuse_load',
  'egress_cost_spike',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export type EvidenceKind = 'log' | 'trace' | 'metric' | 'change' | 'finding';

export interface Evidence {
  kind: EvidenceKind;
  /**
   * Where to look: log `{group, eventId, timestamp}`, trace `{traceId, spanId?}`, metric `{namespace, metric,
   * component, timestamp, value, group, eventId}`, change `{source, id, ...}`, finding `{id}`.
   */
  ref: Record<string, string | number>;
  excerpt: string;
}

export interface Hypothesis {
  rank: number;
  component: string;
  fault: FaultKind;
  confidence: number;
  summary: string;
  evidence: Evidence[];
}

export interface Diagnosis {
  at: string;
  window: string;
  mode: 'offline' | 'llm';
  hypotheses: Hypothesis[];
  gaps: string[];
}

/** What one detector saw about one component: the raw material of hypotheses. */
export type SignalKind =
  | 'log_errors'
  | 'log_warnings'
  | 'new_error_pattern'
  | 'missing_pattern'
  | 'chronic_errors'
  | 'status_5xx'
  | 'status_429'
  | 'status_auth'
  | 'span_faults'
  | 'span_throttles'
  | 'self_latency'
  | 'call_errors'
  | 'call_throttles'
  | 'call_latency'
  | 'metric_shift'
  | 'cold_starts'
  | 'memory_pressure'
  | 'timeouts'
  | 'volume'
  | 'change'
  | 'finding';

export interface Signal {
  component: string;
  kind: SignalKind;
  /** Log-likelihood ratio or z score of the change, already on a comparable 0..~50 scale. */
  strength: number;
  /** Event time the change started at (unix ms). */
  onsetMs: number;
  /** Free facts the classifier reads: rates before and after, metric concept, error types, direction. */
  facts: Record<string, string | number>;
  /** Plain words for the summary: "error share 0.4 % → 12 % of 1,204 log events". */
  detail: string;
  evidence: Evidence[];
}
