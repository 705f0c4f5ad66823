import type { Finding } from '../findings.ts';
import type { OpsStamp } from '../ops/ops-metrics.ts';
import type { SloStatus } from '../slo/report.ts';
import type { FindingDecision, StoredMitigation } from '../state/copilot-store.ts';
import type { FeedAdapter, FeedKind } from './feeds.ts';

/** How one telemetry source is doing, for `GET /api/sources` and the `source.status` event. */
export interface SourceStatus {
  id: string;
  kind: FeedKind;
  adapter: FeedAdapter;
  state: 'starting' | 'ok' | 'error';
  lastPollAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  /** Consecutive failed polls. */
  failures: number;
  /** Records this source handed on since start. */
  records: number;
  /** Records skipped because the other feed had already delivered the same request. */
  duplicates: number;
  /** Lines that could not be read, by reason (cumulative as the source reports them). */
  skippedLines: Record<string, number>;
  checkpoint: string | null;
  /** For in-memory sinks: waiting now, and dropped for lack of room (read later from the standard logs). */
  backlog?: { queued: number; dropped: number };
}

/** The SLO engine's current budgets and alert states. */
export interface SloSnapshot {
  /** End of the last closed minute; null before any traffic. */
  asOf: string | null;
  slos: SloStatus[];
}

/** What the pipeline did since start. */
export interface PipelineCounters {
  records: number;
  /** Access API request lines read from the functions' log groups into the SLO engine. */
  apiRequests: number;
  detections: number;
  findings: number;
  /** Detections recognised as a repeat of a stored episode, or of a subject already under mitigation. */
  suppressed: number;
  decisions: Record<string, number>;
  /** Event time of the newest record handled (ISO); null before any. */
  watermark: string | null;
  ticks: number;
  tickErrors: number;
}

/** Counters at zero, as a pipeline starts. */
export function newPipelineCounters(): PipelineCounters {
  return {
    records: 0,
    apiRequests: 0,
    detections: 0,
    findings: 0,
    suppressed: 0,
    decisions: {},
    watermark: null,
    ticks: 0,
    tickErrors: 0,
  };
}

export interface PipelineListener {
  findingCreated?(finding: Finding): void;
  /** What the policies made of a detection's finding (applied, or skipped and why). */
  findingDecided?(decided: { findingId: string; decision: FindingDecision }): void;
  mitigationApplied?(mitigation: StoredMitigation): void;
  mitigationLifted?(mitigation: StoredMitigation): void;
  sloReport?(report: SloSnapshot): void;
  sourceStatus?(statuses: SourceStatus[]): void;
  opsUpdated?(update: OpsUpdate): void;
}

/** New operational numbers (routes, functions, cost) were counted, up to this stamp; `asOf` is the watermark. */
export interface OpsUpdate extends OpsStamp {
  asOf: string | null;
}
