import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { copilotLogger } from '../logger.ts';
import type { MitigationPolicy } from '../mitigation/types.ts';
import type { SloSnapshot } from '../pipeline/types.ts';
import type { CostSource } from '../sources/cost.ts';
import type { AuditEntry } from '../state/copilot-store.ts';
import { type ApprovedMitigations, mitigationExecutor } from './mitigation-actions.ts';
import type { ActionExecutor, ManagedDocument, MetricReader } from './ports.ts';
import { ChangeSetService } from './service.ts';
import { snapshotSloGuard } from './slo-guard.ts';
import { ChangeSetStore } from './store.ts';

const log = copilotLogger('change-sets');

/** What a deployment hands the change-set flow: the documents it may patch and where it measures. */
export interface ChangeSetFlowOptions {
  documents: readonly ManagedDocument[];
  actions?: readonly ActionExecutor[];
  /** The metrics a change is verified on. */
  metrics?: MetricReader;
  /** The bill a cost recommendation's realised saving is checked against (the report's cost source). */
  costs?: CostSource;
  /** How often applied changes are checked (verification windows, guard SLOs, billing). @default 15000 */
  tickIntervalMs?: number;
  approvalTtlMs?: number;
  /** Full days of billing after the apply day before a saving is checked. @default 7 */
  billingDays?: number;
  /** Event time of the flow (approval expiry, verification windows, billing days). @default Date.now */
  clock?: () => number;
}

/**
 * The change-set service of a running copilot, the same locally and in AWS: its state in the copilot's table,
 * the incident chat's approved mitigations carried out by the pipeline's own mitigation engine, the pipeline's SLOs as
 * the guard, and every step in the copilot's daily audit too.
 */
export function createChangeSetFlow(parts: {
  doc: DynamoDBDocumentClient;
  tableName: string;
  audit: { appendAudit(entry: AuditEntry): Promise<void> };
  sloSnapshot: () => SloSnapshot;
  mitigations: ApprovedMitigations;
  policies: readonly MitigationPolicy[];
  options: ChangeSetFlowOptions;
}): ChangeSetService {
  const { options } = parts;
  return new ChangeSetService(new ChangeSetStore(parts.doc, parts.tableName), {
    documents: options.documents,
    actions: [...(options.actions ?? []), mitigationExecutor(parts.mitigations, parts.policies)],
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.costs ? { costs: options.costs } : {}),
    ...(options.approvalTtlMs ? { approvalTtlMs: options.approvalTtlMs } : {}),
    ...(options.billingDays ? { billingDays: options.billingDays } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    slo: snapshotSloGuard(parts.sloSnapshot),
    dailyAudit: (entry) => parts.audit.appendAudit(entry),
  });
}

/** Verifications, guard SLOs and billing checks on a timer; one tick at a time, failures logged, not fatal. */
export function tickEvery(changeSets: ChangeSetService, everyMs: number): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() =>
      changeSets.tick().catch((error: unknown) => {
        log.error('a change-set tick failed (verifications, guard SLOs, billing checks)', { error });
      }),
    );
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
