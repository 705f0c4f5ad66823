import type { CostSource } from '../sources/cost.ts';
import type { ChangeAction, ChangeAuditEntry, ChangeSet, PlanDiff } from './types.ts';

/** Where a document lives and which version it is (a content hash): a file locally, an S3 object in AWS. */
export interface DocumentRepository {
  read(): Promise<{ content: unknown; version: string }>;
  /** Writes only if the stored version is still `expectedVersion`; returns the new version. */
  write(content: unknown, expectedVersion: string): Promise<string>;
}

/** What a patch means for a document: validation, the diff a reviewer reads, and rules that call for an owner. */
export interface DocumentPlanner {
  /** Throws `ChangeSetError('invalid_document')` naming every problem. */
  validate(content: unknown): void | Promise<void>;
  diff(before: unknown, after: unknown): Promise<PlanDiff>;
  ownerReasons?(before: unknown, after: unknown): string[];
}

/** Makes the running system match a document version (local runtime reconfigured, CloudFormation change set). */
export interface DocumentApplier {
  apply(after: unknown, changeSet: ChangeSet, phase: 'apply' | 'rollback'): Promise<Record<string, unknown>>;
}

export interface ManagedDocument {
  name: string;
  repository: DocumentRepository;
  planner: DocumentPlanner;
  applier: DocumentApplier;
}

/** Carries out a concrete action (a suggested mitigation, a deploy rollback) and, when it can, undoes it. */
export interface ActionExecutor {
  supports(action: string): boolean;
  apply(action: ChangeAction, changeSet: ChangeSet): Promise<Record<string, unknown>>;
  undo?(action: ChangeAction, changeSet: ChangeSet): Promise<Record<string, unknown>>;
}

export interface MetricMeasurement {
  value: number | null;
  samples: number;
  unit: string;
}

/** Reads the metric a change meant to move, over a window of event time. */
export interface MetricReader {
  measure(
    metric: string,
    scope: Record<string, string>,
    fromMs: number,
    toMs: number,
  ): Promise<MetricMeasurement>;
  /**
   * Several windows of one metric at once (verification's baseline and observed windows, which meet at the
   * apply time), for readers that can measure them in one read of their data. Each result is what `measure`
   * gives its window. @default `measure` per window
   */
  measureWindows?(
    metric: string,
    scope: Record<string, string>,
    windows: readonly (readonly [fromMs: number, toMs: number])[],
  ): Promise<MetricMeasurement[]>;
  /**
   * How long after a window closes its data is all there (logs delivered late, say): verification waits that
   * long past the window before measuring. @default 0
   */
  settleMs?(metric: string, scope: Record<string, string>): number;
}

/** Which of these SLOs are burning fast since a time (a page-level burn-rate alert). */
export interface SloGuard {
  burning(sloIds: readonly string[], sinceMs: number): Promise<string[]>;
}

export interface ChangeSetEvents {
  changed?(changeSet: ChangeSet, entry: ChangeAuditEntry): void;
}

export interface ChangeSetServiceDeps {
  documents: readonly ManagedDocument[];
  actions?: readonly ActionExecutor[];
  metrics?: MetricReader;
  slo?: SloGuard;
  costs?: CostSource;
  events?: ChangeSetEvents;
  /** The copilot's daily audit trail (who did what), besides each change set's own chain. */
  dailyAudit?: (entry: {
    at: string;
    actor: string;
    action: string;
    subject: string;
    detail: Record<string, unknown>;
  }) => Promise<void>;
  clock?: () => number;
  /** How long an approval stays good. @default 4 h */
  approvalTtlMs?: number;
  /** Full days of billing after the apply day before a saving is checked. @default 7 */
  billingDays?: number;
}

/** Measures each window with `measureWindows` when the reader has it, else with `measure` one by one. */
export async function measureWindows(
  reader: MetricReader,
  metric: string,
  scope: Record<string, string>,
  windows: readonly (readonly [fromMs: number, toMs: number])[],
): Promise<MetricMeasurement[]> {
  if (reader.measureWindows) return reader.measureWindows(metric, scope, windows);
  return measureEachWindow(reader, metric, scope, windows);
}

/** Measures each window with `measure`, one by one: what `measureWindows` does for readers without it. */
export async function measureEachWindow(
  reader: Pick<MetricReader, 'measure'>,
  metric: string,
  scope: Record<string, string>,
  windows: readonly (readonly [fromMs: number, toMs: number])[],
): Promise<MetricMeasurement[]> {
  const measured: MetricMeasurement[] = [];
  for (const [fromMs, toMs] of windows) measured.push(await reader.measure(metric, scope, fromMs, toMs));
  return measured;
}
