/** What the live pipeline is built from (CopilotPipelineOptions), and the guardrails it takes back from the store. */
import type { DetectorOptions } from '../detect/config.ts';
import type { GeoLookup } from '../geo/ip-geo.ts';
import type { MitigationConfig } from '../mitigation/config.ts';
import type { Guardrails, MitigationPort } from '../mitigation/types.ts';
import type { OpsMetricsOptions } from '../ops/ops-metrics.ts';
import type { SloDefinitions } from '../slo/definitions.ts';
import type { LogEventSource } from '../sources/log-events.ts';
import type { CopilotStore } from '../state/copilot-store.ts';
import type { DetectionFeed } from './detection-feed.ts';
import type { RecordFeed } from './feeds.ts';

export interface CopilotPipelineOptions {
  store: CopilotStore;
  /** Read in this order each tick: durable standard logs first (backfill), then real-time feeds. */
  feeds: readonly RecordFeed[];
  /** Detections made elsewhere (the scale-out detectors in AWS), decided on like the pipeline's own. */
  detectionFeeds?: readonly DetectionFeed[];
  port: MitigationPort;
  mitigation: MitigationConfig;
  slo?: SloDefinitions;
  detectors?: DetectorOptions;
  geo?: GeoLookup;
  /**
   * The access API's log groups (CloudWatch Logs in AWS, the local runtime's files locally): their per-request
   * lines feed the API SLOs. Tailed from checkpoints in the copilot store, like the edge feeds.
   */
  apiLogs?: { source: LogEventSource; logGroups: () => Promise<string[]> };
  /** The log group canary deploys write their steps to: a rollback by the guard becomes a finding. */
  deployLogs?: { source: LogEventSource; logGroup: string };
  /** How often the API log groups are read: SLO windows are minutes, and a read scans the day's files. @default 30000 */
  apiLogIntervalMs?: number;
  /** @default 2000 */
  pollIntervalMs?: number;
  /** Earliest next read after a real-time arrival, so a burst is read in one batch. @default 100 */
  arrivalDelayMs?: number;
  /** Request ids remembered for cross-feed dedupe. @default 200000 */
  recentIds?: number;
  /** Wall clock for status times only; detection, policies and expiry run on event time. */
  clock?: () => number;
  /**
   * Dry-run decided at start (a flag or `COPILOT_DRY_RUN`): wins over the guardrails operators saved, which win
   * over policies.json.
   */
  dryRun?: boolean;
  /** The cost source and, locally, the meter that feeds the local cost model. */
  ops?: Omit<OpsMetricsOptions, 'slo'>;
}

/** Only the fields operators may change at run time are taken from the store. */
export function savedGuardrails(saved: Partial<Guardrails>): Partial<Guardrails> {
  const out: Partial<Guardrails> = {};
  if (typeof saved.dryRun === 'boolean') out.dryRun = saved.dryRun;
  if (typeof saved.maxActionsPerHour === 'number') out.maxActionsPerHour = saved.maxActionsPerHour;
  if (Array.isArray(saved.allowAccounts)) out.allowAccounts = saved.allowAccounts.map(String);
  if (Array.isArray(saved.allowCidrs)) out.allowCidrs = saved.allowCidrs.map(String);
  return out;
}
