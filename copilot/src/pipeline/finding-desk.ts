/** Findings stored once per episode, the mitigation engine's decision on each, and the listeners told of both. */
import { detectionToFinding } from '../detect/finding.ts';
import type { Detection } from '../detect/types.ts';
import type { Finding } from '../findings.ts';
import type { MitigationEngine } from '../mitigation/engine.ts';
import type { Decision } from '../mitigation/types.ts';
import type { CopilotStore, FindingDecision, StoredMitigation } from '../state/copilot-store.ts';
import { copilotLogger } from '../logger.ts';
import { ActiveTargets, type FindingLedger } from './dedupe.ts';
import type { PipelineCounters, PipelineListener } from './types.ts';

const log = copilotLogger('pipeline');

export class FindingDesk {
  readonly active = new ActiveTargets();
  private readonly listeners = new Set<PipelineListener>();

  constructor(
    readonly ledger: FindingLedger,
    private readonly engine: MitigationEngine,
    private readonly store: CopilotStore,
    private readonly counters: PipelineCounters,
  ) {}

  subscribe(listener: PipelineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async onDetection(detection: Detection): Promise<void> {
    const finding = await this.recordFinding(detectionToFinding(detection));
    if (!finding) return;
    // Acting twice on one abuser is the duplicate the active set prevents; the finding still says why.
    const covered = this.active.covers(detection.subject);
    if (covered) this.counters.suppressed += 1;
    const decision: Decision = covered
      ? {
          outcome: 'skip',
          reason: 'already_active',
          detail: 'an active mitigation already covers this subject',
        }
      : await this.engine.onDetection(detection);
    const key = decision.outcome === 'apply' ? 'apply' : decision.reason;
    this.counters.decisions[key] = (this.counters.decisions[key] ?? 0) + 1;
    const recorded: FindingDecision =
      decision.outcome === 'apply'
        ? {
            outcome: 'apply',
            reason: decision.mitigation.policy,
            detail: decision.mitigation.reason,
            mitigationId: decision.mitigation.id,
          }
        : { outcome: 'skip', reason: decision.reason, detail: decision.detail };
    await this.store.setFindingDecision(finding, recorded);
    this.emit((l) => l.findingDecided?.({ findingId: finding.id, decision: recorded }));
  }

  /**
   * Stores a finding that opens an episode, or escalates one under its own id, and announces it; returns the
   * finding as stored, undefined for a repeat. `episodic` false: each finding is its own event (a rollback).
   */
  async recordFinding(finding: Finding, episodic = true): Promise<Finding | undefined> {
    const admitted = episodic ? this.ledger.admit(finding) : finding;
    if (!admitted) {
      this.counters.suppressed += 1;
      return undefined;
    }
    let created: boolean;
    try {
      created = await this.store.putFinding(admitted);
    } catch (error) {
      if (episodic) this.ledger.forget(admitted);
      throw error;
    }
    if (!created) return undefined;
    this.counters.findings += 1;
    this.emit((l) => l.findingCreated?.(admitted));
    return admitted;
  }

  applied(mitigation: StoredMitigation): void {
    if (mitigation.status === 'active') this.active.add(mitigation);
    this.emit((l) => l.mitigationApplied?.(mitigation));
  }

  lifted(mitigation: StoredMitigation): void {
    this.active.remove(mitigation);
    this.emit((l) => l.mitigationLifted?.(mitigation));
  }

  emit(call: (listener: PipelineListener) => void): void {
    for (const listener of this.listeners) {
      try {
        call(listener);
      } catch (error) {
        // A listener (a socket, a log line) must never stop the loop; it is logged and the loop goes on.
        log.error('a pipeline listener failed', { error });
      }
    }
  }
}
