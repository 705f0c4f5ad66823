import type { SloDefinition, SloDefinitions, SloSelector } from './definitions.ts';
import type { ClosedMinute } from './emf.ts';
import type { SloEvent } from './events.ts';
import { type AlertTransition, MINUTE_MS, SloTracker } from './tracker.ts';

export interface SloEngineStats {
  /** Events offered to the engine. */
  events: number;
  /** Events counted by at least one SLO. */
  matched: number;
  /** Events skipped for a non-finite time, status or latency. */
  invalid: number;
  /** Events behind the open minute, still counted into their own minute. */
  late: number;
  /** Events older than every window, skipped. */
  tooLate: number;
}

type Classify = (event: SloEvent) => 'skip' | 'good' | 'bad';

function selects(selector: SloSelector, event: SloEvent): boolean {
  if (event.source !== selector.source) return false;
  if (selector.routes && !selector.routes.includes(event.route)) return false;
  if (
    selector.contentClasses &&
    (!event.contentClass || !selector.contentClasses.includes(event.contentClass))
  )
    return false;
  if (selector.channels && (!event.channel || !selector.channels.includes(event.channel))) return false;
  return true;
}

/**
 * Availability counts every answered request and charges 5xx. Latency counts answered non-5xx requests (a fast
 * error is already charged to availability and must not flatter latency) and charges those over the threshold.
 */
function classifier(slo: SloDefinition): Classify {
  const { selector, sli } = slo;
  if (sli.kind === 'availability')
    return (event) =>
      event.status <= 0 || !selects(selector, event) ? 'skip' : event.status >= 500 ? 'bad' : 'good';
  const { thresholdMs } = sli;
  return (event) =>
    event.status <= 0 || event.status >= 500 || !selects(selector, event)
      ? 'skip'
      : event.latencyMs > thresholdMs
        ? 'bad'
        : 'good';
}

export interface SloEngineOptions {
  /**
   * Called for each SLO with traffic in a minute as that minute closes, e.g. to publish it as EMF metrics for
   * the CloudWatch alarms. Events arriving after their minute closed count in the engine but are not re-sent.
   */
  onMinuteClosed?: (minute: ClosedMinute) => void;
}

const NO_TRANSITIONS: readonly AlertTransition[] = Object.freeze([]);

/**
 * Streaming SLO engine on event time. Minutes close when an event (or `advanceTo`) moves time past them; each
 * close updates every window and evaluates the burn-rate alerts, so replaying the same events gives the same
 * transitions at the same minutes as live. Memory is fixed by the widest window, not by traffic.
 */
export class SloEngine {
  readonly trackers: readonly SloTracker[];
  private readonly classifiers: readonly Classify[];
  /** Oldest minute, behind the open one, that every tracker still holds. */
  private readonly lateHorizon: number;
  /** Minutes after which every window of every tracker is empty again. */
  private readonly emptyAfter: number;
  private openMinute: number | null = null;
  readonly stats: SloEngineStats = { events: 0, matched: 0, invalid: 0, late: 0, tooLate: 0 };

  private readonly onMinuteClosed: SloEngineOptions['onMinuteClosed'];

  constructor(
    readonly definitions: SloDefinitions,
    options: SloEngineOptions = {},
  ) {
    this.onMinuteClosed = options.onMinuteClosed;
    this.trackers = definitions.slos.map(
      (slo) => new SloTracker(slo, definitions.alerts, definitions.currentBurnMinutes),
    );
    this.classifiers = definitions.slos.map(classifier);
    const horizons = this.trackers.map((t) => t.horizonMinutes);
    this.lateHorizon = Math.min(...horizons);
    this.emptyAfter = Math.max(...horizons) + 1;
  }

  /** End of the last closed minute: the instant the windows and budgets describe; null before any event. */
  get closedThroughMs(): number | null {
    return this.openMinute === null ? null : this.openMinute * MINUTE_MS;
  }

  observe(event: SloEvent): readonly AlertTransition[] {
    this.stats.events++;
    if (
      !Number.isFinite(event.timestampMs) ||
      !Number.isFinite(event.status) ||
      !Number.isFinite(event.latencyMs)
    ) {
      this.stats.invalid++;
      return NO_TRANSITIONS;
    }
    const minute = Math.floor(event.timestampMs / MINUTE_MS);
    const transitions =
      this.openMinute === null || minute > this.openMinute ? this.moveTo(minute) : NO_TRANSITIONS;
    const open = this.openMinute!;
    if (minute < open) {
      if (minute < open - this.lateHorizon) {
        this.stats.tooLate++;
        return transitions;
      }
      this.stats.late++;
    }
    let matched = false;
    for (let i = 0; i < this.trackers.length; i++) {
      const verdict = this.classifiers[i]!(event);
      if (verdict === 'skip') continue;
      matched = true;
      this.trackers[i]!.record(minute, open, verdict === 'bad');
    }
    if (matched) this.stats.matched++;
    return transitions;
  }

  /** Closes every minute that ends at or before `timestampMs`, e.g. to report "as of" a time without traffic. */
  advanceTo(timestampMs: number): readonly AlertTransition[] {
    const minute = Math.floor(timestampMs / MINUTE_MS);
    if (this.openMinute !== null && minute <= this.openMinute) return NO_TRANSITIONS;
    return this.moveTo(minute);
  }

  private publish(minute: number, listener: (minute: ClosedMinute) => void): void {
    for (const tracker of this.trackers) {
      const counts = tracker.minuteCounts(minute);
      if (counts.validEvents > 0)
        listener({ sloId: tracker.slo.id, minuteStartMs: minute * MINUTE_MS, ...counts });
    }
  }

  private moveTo(minute: number): readonly AlertTransition[] {
    if (this.openMinute === null) {
      this.openMinute = minute;
      return NO_TRANSITIONS;
    }
    const out: AlertTransition[] = [];
    // Past the widest window every sum is zero and no alert can change any more: skip the empty minutes.
    const stop = Math.min(minute, this.openMinute + this.emptyAfter);
    while (this.openMinute < stop) {
      for (const tracker of this.trackers) tracker.close(this.openMinute, out);
      if (this.onMinuteClosed) this.publish(this.openMinute, this.onMinuteClosed);
      this.openMinute++;
      for (const tracker of this.trackers) tracker.open(this.openMinute);
    }
    if (this.openMinute < minute) {
      for (const tracker of this.trackers) tracker.clear();
      this.openMinute = minute;
    }
    return out.length > 0 ? out : NO_TRANSITIONS;
  }
}
