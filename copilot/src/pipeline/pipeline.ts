import { AbuseDetectors } from '../detect/engine.ts';
import type { Detection } from '../detect/types.ts';
import type { Finding } from '../findings.ts';
import { embeddedGeo } from '../geo/ip-geo.ts';
import type { EdgeLogRecord } from '../logs/cloudfront-line.ts';
import { MitigationEngine } from '../mitigation/engine.ts';
import { FeedbackRules } from '../mitigation/feedback.ts';
import { MitigationPlanner } from '../mitigation/policy.ts';
import type { Guardrails } from '../mitigation/types.ts';
import { apiSloEvent } from '../slo/api-events.ts';
import { edgeSloEvent } from '../slo/edge-events.ts';
import type { SloEvent } from '../slo/events.ts';
import { tailLogGroup } from '../sources/cloudwatch-logs-local.ts';
import { SloEngine } from '../slo/engine.ts';
import { type SloHistory, sloHistory } from '../slo/history.ts';
import { OpsMetrics } from '../ops/ops-metrics.ts';
import { burnAlertFinding } from '../slo/finding.ts';
import { sloStatuses } from '../slo/report.ts';
import { FindingLedger, RecentIds } from './dedupe.ts';
import { FindingDesk } from './finding-desk.ts';
import { type CopilotPipelineOptions, savedGuardrails } from './pipeline-options.ts';
import type { DetectionFeed } from './detection-feed.ts';
import type { RecordFeed } from './feeds.ts';
import { SourceTracker } from './source-tracker.ts';
import {
  newPipelineCounters,
  type OpsUpdate,
  type PipelineCounters,
  type PipelineListener,
  type SloSnapshot,
  type SourceStatus,
} from './types.ts';
import { copilotLogger } from '../logger.ts';
import { rollbackAudit, rollbacksIn } from '../deploys/rollback-finding.ts';

const log = copilotLogger('pipeline');

/**
 * The live loop: read the edge's requests from every feed, hand them in event-time order to the abuse
 * detectors and the SLO engine, store findings once, let the mitigation engine decide and act, lift expired
 * mitigations on event time, and tell listeners. Sources checkpoint in the copilot store after each handled
 * batch; a restart re-reads at most the batches after the last checkpoint, and the finding ledger and the
 * active-target set (both seeded from the store) keep those from producing a second finding or action.
 */
export class CopilotPipeline {
  readonly engine: MitigationEngine;
  readonly guardrails: Guardrails;
  /** Operators' false-positive feedback; the planner consults it before every action. */
  readonly feedback = new FeedbackRules();
  /** Per-route latency, cache hits, Lambda concurrency and cold starts, metered cost: the dashboard's numbers. */
  readonly ops: OpsMetrics;
  readonly counters: PipelineCounters = newPipelineCounters();
  private readonly detectors: AbuseDetectors;
  private readonly slo: SloEngine | undefined;
  private readonly desk: FindingDesk;
  private readonly recent: RecentIds;
  private readonly sources: SourceTracker;
  private watermarkMs = 0;
  private expiredThroughMs = 0;
  private lastSloAsOf: number | null = null;
  private apiLogsReadAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again: false | 'all' | 'realtime' = false;
  private stopped = true;
  private opsSent: OpsUpdate | null = null;

  constructor(private readonly options: CopilotPipelineOptions) {
    // The planner reads the guardrails object on every decision: PUT /api/guardrails changes it in place.
    this.guardrails = { ...options.mitigation.guardrails };
    const planner = new MitigationPlanner(options.mitigation.policies, this.guardrails, this.feedback);
    this.engine = new MitigationEngine(planner, options.port, options.store, {
      onApplied: (m) => this.desk.applied(m),
      onLifted: (m) => this.desk.lifted(m),
    });
    this.detectors = new AbuseDetectors(options.geo ?? embeddedGeo(), options.detectors);
    this.slo = options.slo ? new SloEngine(options.slo) : undefined;
    this.ops = new OpsMetrics({ ...options.ops, slo: options.slo });
    this.desk = new FindingDesk(
      new FindingLedger(this.detectors.config.idleMs),
      this.engine,
      options.store,
      this.counters,
    );
    this.recent = new RecentIds(options.recentIds);
    this.sources = new SourceTracker(options.feeds, options.clock ?? Date.now);
  }

  subscribe(listener: PipelineListener): () => void {
    return this.desk.subscribe(listener);
  }

  /** Seeds the dedupe state from the store and starts polling. */
  async start(): Promise<void> {
    const saved = await this.options.store.loadGuardrails();
    if (saved) Object.assign(this.guardrails, savedGuardrails(saved));
    if (this.options.dryRun !== undefined) this.guardrails.dryRun = this.options.dryRun;
    for (const rule of await this.options.store.listFeedback()) this.feedback.add(rule);
    this.desk.ledger.seed(await this.options.store.listFindings(1_000));
    this.desk.active.seed(await this.options.store.listMitigations('active'));
    this.stopped = false;
    for (const feed of this.options.feeds) {
      if ('notify' in feed && typeof feed.notify === 'function') feed.notify(() => this.kick());
    }
    this.timer = setInterval(() => void this.tick(), this.options.pollIntervalMs ?? 2_000);
    this.timer.unref?.();
    await this.tick();
  }

  /** Stops polling and waits for a tick in progress; the checkpoints stay where the last batch left them. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    for (const feed of this.options.feeds) {
      if ('notify' in feed && typeof feed.notify === 'function') feed.notify(undefined);
    }
    await this.running;
  }

  /**
   * One pass over every feed (or, after a real-time arrival, over the real-time feeds only, so a fresh record
   * does not wait behind a read of the standard-log folder). Never overlaps itself and never throws: failures
   * land in the source status.
   */
  tick(scope: 'all' | 'realtime' = 'all'): Promise<void> {
    if (this.running) {
      if (scope === 'all' || this.again === false) this.again = scope;
      return this.running;
    }
    this.running = this.pass(scope).finally(() => {
      this.running = undefined;
      const again = this.again;
      this.again = false;
      if (again && !this.stopped) void this.tick(again);
    });
    return this.running;
  }

  sourceStatuses(): Promise<SourceStatus[]> {
    return this.sources.statuses();
  }

  /** The newest `ops.updated` sent, for a page that joins after it; null before anything was counted. */
  opsUpdate(): OpsUpdate | null {
    return this.opsSent;
  }

  sloSnapshot(): SloSnapshot {
    const closed = this.slo?.closedThroughMs ?? null;
    return {
      asOf: closed === null ? null : new Date(closed).toISOString(),
      slos: this.slo ? sloStatuses(this.slo) : [],
    };
  }

  /** Per-step counts and burn rates of one SLO (see `sloHistory`); undefined without an SLO engine. */
  sloHistory(sloId: string, range: { fromMs: number; toMs: number }): SloHistory | undefined {
    return this.slo ? sloHistory(this.slo, sloId, range) : undefined;
  }

  private kick(): void {
    if (this.stopped || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.tick('realtime');
    }, this.options.arrivalDelayMs ?? 100);
    this.soon.unref?.();
  }

  private async pass(scope: 'all' | 'realtime'): Promise<void> {
    this.counters.ticks += 1;
    for (const feed of this.options.feeds) {
      if (scope === 'realtime' && feed.kind !== 'cloudfront-realtime') continue;
      await this.sources.poll(feed, (records) => this.handle(feed, records));
    }
    if (scope === 'all') {
      for (const feed of this.options.detectionFeeds ?? []) await this.pollDetections(feed);
      await this.readApiLogsWhenDue();
    }
    try {
      await this.sweep();
    } catch (error) {
      this.counters.tickErrors += 1;
      log.error('lifting expired mitigations failed; retried next pass', { error });
    }
    this.publishSlo();
    if (scope === 'realtime') return;
    const statuses = await this.sources.statuses();
    this.desk.emit((l) => l.sourceStatus?.(statuses));
    // At most once per full pass: a busy edge must not make every dashboard refetch ten times a second.
    if (this.ops.version !== (this.opsSent?.version ?? 0)) {
      const update: OpsUpdate = { ...this.ops.stamp(), asOf: this.counters.watermark };
      this.opsSent = update;
      this.desk.emit((l) => l.opsUpdated?.(update));
    }
  }

  /** One batch: new requests only, in event-time order, through detectors and the SLO engine. */
  private async handle(feed: RecordFeed, records: readonly EdgeLogRecord[]): Promise<void> {
    const fresh = records.filter((r) => !this.recent.has(r.requestId));
    this.sources.duplicates(feed, records.length - fresh.length);
    fresh.sort((a, b) => a.timestampMs - b.timestampMs);
    const detections: Detection[] = [];
    const sloFindings: Finding[] = [];
    const pathClasses = this.options.slo?.pathClasses ?? [];
    for (const record of fresh) {
      this.detectors.observe(record, detections);
      const event = edgeSloEvent(record, pathClasses);
      this.ops.edgeRecord(record, event);
      if (this.slo) this.observeSloEvent(event, sloFindings);
      if (record.timestampMs > this.watermarkMs) this.watermarkMs = record.timestampMs;
    }
    for (const detection of detections) await this.desk.onDetection(detection);
    for (const finding of sloFindings) await this.desk.recordFinding(finding);
    // Marked only once handled: a batch that failed half-way is read again, and the ledger dedupes it.
    for (const record of fresh) this.recent.add(record.requestId);
    this.counters.records += fresh.length;
    this.counters.detections += detections.length;
    if (this.watermarkMs > 0) this.counters.watermark = new Date(this.watermarkMs).toISOString();
  }

  /** A feed's detections through the same findings and mitigation decisions; a failure waits for the next pass. */
  private async pollDetections(feed: DetectionFeed): Promise<void> {
    try {
      await feed.poll(async (detections) => {
        for (const detection of detections) {
          await this.desk.onDetection(detection);
          const atMs = Date.parse(detection.detectedAt);
          if (atMs > this.watermarkMs) this.watermarkMs = atMs;
        }
        this.counters.detections += detections.length;
        if (this.watermarkMs > 0) this.counters.watermark = new Date(this.watermarkMs).toISOString();
      });
    } catch (error) {
      this.counters.tickErrors += 1;
      log.error('reading a detection feed failed; retried next pass', { feed: feed.id, error });
    }
  }

  private async readApiLogsWhenDue(): Promise<void> {
    const now = (this.options.clock ?? Date.now)();
    if (now - this.apiLogsReadAt < (this.options.apiLogIntervalMs ?? 30_000)) return;
    this.apiLogsReadAt = now;
    await this.readApiLogs();
    await this.readDeployLogs();
  }

  /** Deploys the guard rolled back: a finding each (once: the id is the deploy's) and an audit entry. */
  async readDeployLogs(): Promise<void> {
    const deployLogs = this.options.deployLogs;
    if (!deployLogs) return;
    try {
      const until = (this.options.clock ?? Date.now)();
      await tailLogGroup(
        deployLogs.source,
        this.options.store,
        deployLogs.logGroup,
        until,
        async (events) => {
          // Each rollback is its own event, not an episode: only a re-read of the same one is a repeat.
          for (const finding of await rollbacksIn(deployLogs.source, events))
            if (await this.desk.recordFinding(finding, false))
              await this.options.store.appendAudit(rollbackAudit(finding));
        },
      );
    } catch (error) {
      this.counters.tickErrors += 1;
      log.error('reading the deploy log group failed; retried next pass', { error });
    }
  }

  /** API request lines into the SLO engine; a failing log group counts as a tick error, never stops the loop. */
  async readApiLogs(): Promise<void> {
    const apiLogs = this.options.apiLogs;
    if (!apiLogs) return;
    const clock = this.options.clock ?? Date.now;
    try {
      for (const group of await apiLogs.logGroups()) {
        await tailLogGroup(apiLogs.source, this.options.store, group, clock(), async (events) => {
          const findings: Finding[] = [];
          for (const logEvent of events) {
            const verdict = apiSloEvent(logEvent.message, logEvent.timestampMs);
            const event = typeof verdict === 'object' ? verdict : undefined;
            this.ops.functionLogLine(group, logEvent.message, logEvent.timestampMs, event);
            if (!event) continue;
            if (this.slo) this.observeSloEvent(event, findings);
            this.counters.apiRequests += 1;
          }
          for (const finding of findings) await this.desk.recordFinding(finding);
        });
      }
    } catch (error) {
      this.counters.tickErrors += 1;
      log.error('reading the access API log groups failed; retried next pass', { error });
    }
  }

  private observeSloEvent(event: SloEvent, out: Finding[]): void {
    const slo = this.slo as SloEngine;
    for (const transition of slo.observe(event)) {
      if (transition.state !== 'firing') continue;
      const definition = slo.definitions.slos.find((s) => s.id === transition.sloId);
      if (definition) out.push(burnAlertFinding(transition, definition));
    }
  }

  /** Lifts what expired, on event time: a replay expires mitigations exactly where the live run did. */
  private async sweep(): Promise<void> {
    if (this.watermarkMs <= this.expiredThroughMs) return;
    this.expiredThroughMs = this.watermarkMs;
    await this.engine.expire(new Date(this.watermarkMs).toISOString());
  }

  private publishSlo(): void {
    if (!this.slo) return;
    const closed = this.slo.closedThroughMs;
    if (closed === this.lastSloAsOf) return;
    this.lastSloAsOf = closed;
    const snapshot = this.sloSnapshot();
    this.desk.emit((l) => l.sloReport?.(snapshot));
  }
}
