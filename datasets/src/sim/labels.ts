import type { SimulatedRequest } from './request.ts';

export type ScenarioKind = 'token_sharing' | 'scraping' | 'geo_spike';

export const SCENARIO_KINDS: readonly ScenarioKind[] = ['token_sharing', 'scraping', 'geo_spike'];

/** What a detector can observe about the abuser (DESIGN §4.3: same keys as detections). */
export interface LabelSubject {
  tokenId?: string;
  accountId?: string;
  ip?: string;
  country?: string;
}

export interface PlannedLabel {
  readonly id: string;
  readonly scenarioId: string;
  readonly kind: ScenarioKind;
  readonly subject: LabelSubject;
}

/** A `labels.jsonl` line. */
export interface Label {
  kind: ScenarioKind;
  subject: LabelSubject;
  start: string;
  end: string;
}

/**
 * Labels take their span from the abusive requests actually emitted (first to last), never from the plan,
 * so a scenario cut short by the end of the run is labelled for what happened.
 */
export class LabelTracker {
  private readonly spans = new Map<string, { first: number; last: number }>();

  constructor(private readonly planned: readonly PlannedLabel[]) {}

  observe(request: SimulatedRequest): void {
    if (request.label === undefined) return;
    const span = this.spans.get(request.label);
    if (span) span.last = request.time;
    else this.spans.set(request.label, { first: request.time, last: request.time });
  }

  labels(): Label[] {
    const out: Label[] = [];
    for (const plan of this.planned) {
      const span = this.spans.get(plan.id);
      if (!span) continue;
      out.push({
        kind: plan.kind,
        subject: plan.subject,
        start: new Date(span.first).toISOString(),
        end: new Date(span.last).toISOString(),
      });
    }
    return out.sort((a, b) => a.start.localeCompare(b.start) || a.kind.localeCompare(b.kind));
  }
}
